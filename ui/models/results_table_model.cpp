#include "ui/models/results_table_model.h"

#include <QLocale>

namespace qs::ui {
namespace {

QString typeName(core::GgmlType type) {
    const auto name = core::ggmlTypeInfo(type).name;
    return QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
}

} // namespace

ResultsTableModel::ResultsTableModel(QObject* parent)
    : QAbstractTableModel(parent) {}

void ResultsTableModel::clear() {
    beginResetModel();
    m_results.clear();
    endResetModel();
}

void ResultsTableModel::append(const core::TensorQuantResult& result) {
    const int row = static_cast<int>(m_results.size());
    beginInsertRows({}, row, row);
    m_results.push_back(result);
    endInsertRows();
}

int ResultsTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_results.size());
}

int ResultsTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ResultsTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) {
        return {};
    }
    const auto& r = m_results[static_cast<std::size_t>(index.row())];
    if (role == TensorIndexRole) {
        return static_cast<qulonglong>(r.tensorIndex);
    }
    if (role == Qt::TextAlignmentRole && index.column() >= BytesColumn) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    // Sorting by the raw numbers, display with sensible precision.
    const bool display = role == Qt::DisplayRole;
    if (!display && role != Qt::EditRole) {
        return {};
    }
    const QLocale locale;
    switch (index.column()) {
    case TensorColumn:
        return QString::fromStdString(r.name);
    case FromColumn:
        return typeName(r.sourceType);
    case ToColumn:
        return typeName(r.type);
    case BytesColumn:
        return display ? locale.formattedDataSize(static_cast<qint64>(r.bytes))
                       : QVariant(static_cast<qulonglong>(r.bytes));
    default:
        break;
    }
    if (!r.error) {
        return display ? QStringLiteral("—") : QVariant();
    }
    switch (index.column()) {
    case RelativeRmseColumn:
        return display ? locale.toString(r.error->relativeRmse, 'g', 4)
                       : QVariant(r.error->relativeRmse);
    case SqnrColumn:
        return display ? locale.toString(r.error->sqnrDb, 'f', 2) : QVariant(r.error->sqnrDb);
    case CosineColumn:
        return display ? locale.toString(r.error->cosine, 'f', 6) : QVariant(r.error->cosine);
    case MaxAbsColumn:
        return display ? locale.toString(r.error->maxAbsError, 'g', 4)
                       : QVariant(r.error->maxAbsError);
    case WeightedMseColumn:
        if (!r.error->weightedMse) {
            return display ? QStringLiteral("—") : QVariant();
        }
        return display ? locale.toString(*r.error->weightedMse, 'g', 4)
                       : QVariant(*r.error->weightedMse);
    default:
        return {};
    }
}

QVariant ResultsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) {
        return {};
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case RelativeRmseColumn:
            return tr("‖W − Q(W)‖ / ‖W‖: lower is better");
        case SqnrColumn:
            return tr("Signal-to-quantization-noise ratio in dB: higher is better");
        case CosineColumn:
            return tr("Cosine similarity of the weights before and after");
        case WeightedMseColumn:
            return tr("Mean squared error weighted by the importance matrix");
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case TensorColumn:
        return tr("Tensor");
    case FromColumn:
        return tr("From");
    case ToColumn:
        return tr("To");
    case BytesColumn:
        return tr("Size");
    case RelativeRmseColumn:
        return tr("Rel. RMSE");
    case SqnrColumn:
        return tr("SQNR (dB)");
    case CosineColumn:
        return tr("Cosine");
    case MaxAbsColumn:
        return tr("Max |error|");
    case WeightedMseColumn:
        return tr("Weighted MSE");
    default:
        return {};
    }
}

} // namespace qs::ui
