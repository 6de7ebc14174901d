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

QModelIndex TensorTreeModel::index(int row, int column, const QModelIndex& parent) const {
    if (row < 0 || column < 0 || column >= ColumnCount) {
        return {};
    }
    if (!parent.isValid()) {
        return row < static_cast<int>(m_groups.size()) ? createIndex(row, column, kGroupId)
                                                       : QModelIndex();
    }
    if (parent.internalId() != kGroupId) {
        return {};
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
    return createIndex(static_cast<int>(child.internalId()), 0, kGroupId);
}

int TensorTreeModel::rowCount(const QModelIndex& parent) const {
    if (!parent.isValid()) {
        return static_cast<int>(m_groups.size());
    }
    if (parent.internalId() == kGroupId && parent.column() == 0) {
        return static_cast<int>(m_groups[static_cast<std::size_t>(parent.row())].tensors.size());
    }
    return 0;
}

int TensorTreeModel::columnCount(const QModelIndex&) const {
    return ColumnCount;
}

QVariant TensorTreeModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || !m_model) {
        return {};
    }
    const QLocale locale;
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
        return tr("%1\n%2, block %3, %4 bits per weight\n%5 parameters")
            .arg(QString::fromStdString(tensor.name),
                 QString::fromUtf8(type.name.data(), type.name.size()))
            .arg(type.blockSize)
            .arg(type.bitsPerWeight(), 0, 'g', 5)
            .arg(locale.toString(static_cast<qulonglong>(tensor.elementCount())));
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
