#include "ui/models/tensor_tree_model.h"

#include "core/model/model.h"

#include <QLocale>

namespace qs::ui {

TensorTreeModel::TensorTreeModel(QObject* parent)
    : QAbstractItemModel(parent) {}

void TensorTreeModel::setModel(std::shared_ptr<const core::Model> model) {
    beginResetModel();
    m_model = std::move(model);
    m_groups.clear();
    if (m_model) {
        Group global{tr("Global"), {}, 0};
        const auto& tensors = m_model->tensors();
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            if (!core::tensorLayerIndex(tensors[i].name)) {
                global.tensors.push_back(i);
                global.bytes += tensors[i].byteSize;
            }
        }
        if (!global.tensors.empty()) {
            m_groups.push_back(std::move(global));
        }
        for (const auto& layer : m_model->layers()) {
            Group g{tr("Layer %1").arg(layer.index), layer.tensors, 0};
            for (std::size_t t : layer.tensors) {
                g.bytes += tensors[t].byteSize;
            }
            m_groups.push_back(std::move(g));
        }
    }
    endResetModel();
}

QModelIndex TensorTreeModel::indexOfTensor(std::size_t tensorIndex) const {
    for (std::size_t g = 0; g < m_groups.size(); ++g) {
        const auto& list = m_groups[g].tensors;
        for (std::size_t r = 0; r < list.size(); ++r) {
            if (list[r] == tensorIndex) {
                return createIndex(static_cast<int>(r), 0, static_cast<quintptr>(g));
            }
        }
    }
    return {};
}

bool TensorTreeModel::isExpertRow(const QModelIndex& index) {
    return index.isValid() && index.internalId() != kGroupId &&
           (index.internalId() & kExpertBit) != 0;
}

int TensorTreeModel::expertCount(std::size_t group, int row) const {
    if (!m_model || group >= m_groups.size() || row < 0 ||
        row >= static_cast<int>(m_groups[group].tensors.size())) {
        return 0;
    }
    const auto& t = m_model->tensors()[m_groups[group].tensors[static_cast<std::size_t>(row)]];
    // GGUF dims of an expert tensor: columns, rows, experts.
    return core::isExpertRole(t.role()) && t.dims.size() == 3 ? static_cast<int>(t.dims[2]) : 0;
}

QModelIndex TensorTreeModel::index(int row, int column, const QModelIndex& parent) const {
    if (row < 0 || column < 0 || column >= ColumnCount) {
        return {};
    }
    if (!parent.isValid()) {
        return row < static_cast<int>(m_groups.size()) ? createIndex(row, column, kGroupId)
                                                       : QModelIndex();
    }
    if (isExpertRow(parent)) {
        return {};
    }
    if (parent.internalId() != kGroupId) {
        // A tensor row: its experts.
        const std::size_t group = parent.internalId();
        if (row >= expertCount(group, parent.row())) {
            return {};
        }
        return createIndex(row, column,
                           kExpertBit | (static_cast<quintptr>(group) << 31) |
                               static_cast<quintptr>(parent.row()));
    }
    const auto& group = m_groups[static_cast<std::size_t>(parent.row())];
    if (row >= static_cast<int>(group.tensors.size())) {
        return {};
    }
    return createIndex(row, column, static_cast<quintptr>(parent.row()));
}

QModelIndex TensorTreeModel::parent(const QModelIndex& child) const {
    if (!child.isValid() || child.internalId() == kGroupId) {
        return {};
    }
    if (isExpertRow(child)) {
        const quintptr id = child.internalId() & ~kExpertBit;
        return createIndex(static_cast<int>(id & ((quintptr(1) << 31) - 1)), 0,
                           static_cast<quintptr>(id >> 31));
    }
    return createIndex(static_cast<int>(child.internalId()), 0, kGroupId);
}

int TensorTreeModel::rowCount(const QModelIndex& parent) const {
    if (!parent.isValid()) {
        return static_cast<int>(m_groups.size());
    }
    if (parent.column() != 0 || isExpertRow(parent)) {
        return 0;
    }
    if (parent.internalId() == kGroupId) {
        return static_cast<int>(m_groups[static_cast<std::size_t>(parent.row())].tensors.size());
    }
    return expertCount(parent.internalId(), parent.row());
}

int TensorTreeModel::columnCount(const QModelIndex&) const {
    return ColumnCount;
}

QVariant TensorTreeModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || !m_model) {
        return {};
    }
    const QLocale locale;
    if (isExpertRow(index)) {
        return expertData(index, role);
    }
    if (role == ExpertIndexRole) {
        return -1;
    }
    if (index.internalId() == kGroupId) {
        const auto& group = m_groups[static_cast<std::size_t>(index.row())];
        if (role == TensorIndexRole) {
            return -1;
        }
        if (role != Qt::DisplayRole) {
            return {};
        }
        switch (index.column()) {
        case NameColumn:
            return group.title;
        case SizeColumn:
            return locale.formattedDataSize(static_cast<qint64>(group.bytes));
        case DimsColumn:
            return tr("%n tensor(s)", nullptr, static_cast<int>(group.tensors.size()));
        default:
            return {};
        }
    }
    const auto& group = m_groups[index.internalId()];
    const std::size_t tensorIndex = group.tensors[static_cast<std::size_t>(index.row())];
    const auto& tensor = m_model->tensors()[tensorIndex];
    if (role == TensorIndexRole) {
        return static_cast<qulonglong>(tensorIndex);
    }
    if (role == Qt::ToolTipRole) {
        const auto& type = core::ggmlTypeInfo(tensor.type);
        QString tip = tr("%1\n%2, block %3, %4 bits per weight\n%5 parameters")
                          .arg(QString::fromStdString(tensor.name),
                               QString::fromUtf8(type.name.data(), type.name.size()))
                          .arg(type.blockSize)
                          .arg(type.bitsPerWeight(), 0, 'g', 5)
                          .arg(locale.toString(static_cast<qulonglong>(tensor.elementCount())));
        if (const int experts = expertCount(index.internalId(), index.row()); experts > 0) {
            tip += tr("\n%1 experts, one format for all (expand for each expert)").arg(experts);
        }
        if (tensor.role() == core::TensorRole::FfnGateInp) {
            tip += tr("\nThe experts' router: not quantizable, kept as stored (llama-quantize's "
                      "rule)");
        }
        return tip;
    }
    if (role == Qt::TextAlignmentRole && index.column() == SizeColumn) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (index.column()) {
    case NameColumn:
        return QString::fromStdString(tensor.name);
    case RoleColumn:
        return QString::fromLatin1(core::tensorRoleName(tensor.role()));
    case DimsColumn: {
        QStringList dims;
        for (auto d : tensor.dims) {
            dims << QString::number(d);
        }
        return dims.join(QStringLiteral(" × "));
    }
    case TypeColumn: {
        const auto name = core::ggmlTypeInfo(tensor.type).name;
        return QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
    }
    case SizeColumn:
        return locale.formattedDataSize(static_cast<qint64>(tensor.byteSize));
    default:
        return {};
    }
}

QVariant TensorTreeModel::expertData(const QModelIndex& index, int role) const {
    const QModelIndex tensorRow = parent(index);
    const std::size_t group = tensorRow.internalId();
    const std::size_t tensorIndex =
        m_groups[group].tensors[static_cast<std::size_t>(tensorRow.row())];
    const auto& tensor = m_model->tensors()[tensorIndex];
    const int experts = expertCount(group, tensorRow.row());
    // Every expert is one [rows x columns] slice of the same type: an equal share of the bytes.
    const quint64 bytes = tensor.byteSize / static_cast<quint64>(experts);
    const QLocale locale;
    switch (role) {
    case TensorIndexRole:
        return static_cast<qulonglong>(tensorIndex);
    case ExpertIndexRole:
        return index.row();
    case Qt::TextAlignmentRole:
        return index.column() == SizeColumn ? QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter)
                                            : QVariant();
    case Qt::ToolTipRole:
        return tr("Expert %1 of %2 in %3: its matrix is quantized with the tensor's format")
            .arg(index.row())
            .arg(experts)
            .arg(QString::fromStdString(tensor.name));
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case NameColumn:
        return tr("expert %1").arg(index.row());
    case RoleColumn:
        return QString::fromLatin1(core::tensorRoleName(tensor.role()));
    case DimsColumn:
        return QStringLiteral("%1 × %2").arg(tensor.dims[0]).arg(tensor.dims[1]);
    case TypeColumn: {
        const auto name = core::ggmlTypeInfo(tensor.type).name;
        return QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
    }
    case SizeColumn:
        return locale.formattedDataSize(static_cast<qint64>(bytes));
    default:
        return {};
    }
}

QVariant TensorTreeModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case NameColumn:
        return tr("Tensor");
    case RoleColumn:
        return tr("Role");
    case DimsColumn:
        return tr("Dims");
    case TypeColumn:
        return tr("Type");
    case SizeColumn:
        return tr("Size");
    default:
        return {};
    }
}

} // namespace qs::ui
