#include "ui/plan/plan_grid_model.h"

#include "core/model/model.h"
#include "ui/models/results_table_model.h"
#include "ui/plan/plan_document.h"

#include <QColor>
#include <QFont>
#include <QLocale>

#include <algorithm>
#include <cmath>

namespace qs::ui {

QColor colourForBits(double bits) {
    // 2 bits -> red (hue 0), 8+ bits -> blue (hue 220); F16/F32 greyish blue.
    if (bits >= 16.0) {
        return QColor::fromHsv(210, 40, 235);
    }
    const double t = std::clamp((bits - 2.0) / 6.5, 0.0, 1.0);
    return QColor::fromHsv(static_cast<int>(std::lround(t * 220.0)), 110, 245);
}

QColor colourForError(double error, const PlanGridModel::ErrorRange& range) {
    // Hue 220 (blue) for the smallest error down to 0 (red) for the largest, on a log scale;
    // a range of one value (a single measured tensor) shows it as the worst.
    double t = 1.0;
    if (range.high > range.low && range.low > 0) {
        t = error > 0 ? (std::log(error) - std::log(range.low)) /
                            (std::log(range.high) - std::log(range.low))
                      : 0.0;
    }
    t = std::clamp(t, 0.0, 1.0);
    return QColor::fromHsv(static_cast<int>(std::lround((1.0 - t) * 220.0)), 150, 245);
}

QColor unmeasuredColour() {
    return QColor(228, 228, 228);
}

const std::vector<core::TensorRole>& PlanGridModel::columnRoles() const {
    return m_columns;
}

PlanGridModel::PlanGridModel(PlanDocument* document, QObject* parent)
    : QAbstractTableModel(parent)
    , m_document(document) {
    rebuildLayout();
    connect(document, &PlanDocument::planChanged, this, &PlanGridModel::planChanged);
}

void PlanGridModel::setResults(const ResultsTableModel* results) {
    if (m_results) {
        disconnect(m_results, nullptr, this, nullptr);
    }
    m_results = results;
    if (results) {
        // Results stream in a tensor at a time during a run and are reset by the next one.
        connect(results, &QAbstractItemModel::rowsInserted, this, &PlanGridModel::readResults);
        connect(results, &QAbstractItemModel::modelReset, this, &PlanGridModel::readResults);
        // Only forgotten: at shutdown the document may already be gone, and the grid with it.
        connect(results, &QObject::destroyed, this, [this] { m_results = nullptr; });
    }
    readResults();
}

void PlanGridModel::setColouring(GridColouring colouring) {
    if (colouring == m_colouring) {
        return;
    }
    m_colouring = colouring;
    if (rowCount() > 0 && columnCount() > 0) {
        emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1),
                         {Qt::BackgroundRole, Qt::ForegroundRole, Qt::ToolTipRole});
    }
}

void PlanGridModel::readResults() {
    const core::Model* model = m_document->model();
    m_measured.assign(model ? model->tensors().size() : 0, std::nullopt);
    m_errorRange.reset();
    if (m_results && model) {
        const auto& tensors = model->tensors();
        for (const auto& r : m_results->results()) {
            // A result of another model (a run of the file opened before) names other tensors.
            if (!r.error || r.tensorIndex >= tensors.size() ||
                tensors[r.tensorIndex].name != r.name) {
                continue;
            }
            m_measured[r.tensorIndex] = Measurement{r.error->relativeRmse, r.type};
        }
        for (const auto& row : m_cells) {
            for (const long long t : row) {
                if (t < 0 || !m_measured[static_cast<std::size_t>(t)]) {
                    continue;
                }
                const double e = m_measured[static_cast<std::size_t>(t)]->relativeRmse;
                if (!(e > 0) || !std::isfinite(e)) {
                    continue;
                }
                if (!m_errorRange) {
                    m_errorRange = ErrorRange{e, e};
                }
                m_errorRange->low = std::min(m_errorRange->low, e);
                m_errorRange->high = std::max(m_errorRange->high, e);
            }
        }
    }
    if (rowCount() > 0 && columnCount() > 0) {
        emit dataChanged(
            index(0, 0), index(rowCount() - 1, columnCount() - 1),
            {Qt::BackgroundRole, Qt::ForegroundRole, Qt::ToolTipRole, MeasuredErrorRole});
    }
    emit measuredErrorsChanged();
}

void PlanGridModel::rebuildLayout() {
    m_cells.clear();
    m_rowTitles.clear();
    m_columns.clear();
    const core::Model* model = m_document->model();
    if (!model) {
        return;
    }
    // The matrix roles this model has, in the canonical order: a Phi-3 grid shows attn_qkv,
    // a Mixtral grid its expert tensors, nothing assumes the Llama list.
    m_columns.clear();
    for (const core::TensorRole r : core::matrixRoles()) {
        const auto& all = model->tensors();
        if (std::any_of(all.begin(), all.end(), [r](const auto& t) { return t.role() == r; })) {
            m_columns.push_back(r);
        }
    }
    const auto& roles = m_columns;
    const auto hp = model->hparams();
    const std::size_t layers = hp.blockCount;
    m_cells.assign(layers + 1, std::vector<long long>(roles.size(), -1));
    m_rowTitles.push_back(tr("Global"));
    for (std::size_t l = 0; l < layers; ++l) {
        m_rowTitles.push_back(tr("Layer %1").arg(l));
    }
    const auto& tensors = model->tensors();
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const auto column = std::find(roles.begin(), roles.end(), tensors[i].role());
        if (column == roles.end()) {
            continue;
        }
        const auto layer = core::tensorLayerIndex(tensors[i].name);
        const std::size_t row = layer ? static_cast<std::size_t>(*layer) + 1 : 0;
        if (row < m_cells.size()) {
            m_cells[row][static_cast<std::size_t>(column - roles.begin())] =
                static_cast<long long>(i);
        }
    }
}

void PlanGridModel::planChanged() {
    // A new model changes the layout; an edit only the cells.
    const int rows = static_cast<int>(m_cells.size());
    const std::size_t expectedRows =
        m_document->model() ? m_document->model()->hparams().blockCount + 1 : 0;
    if (static_cast<std::size_t>(rows) != expectedRows || m_document->tensorCount() == 0) {
        beginResetModel();
        rebuildLayout();
        endResetModel();
        readResults();
        return;
    }
    emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

std::optional<std::size_t> PlanGridModel::tensorAt(const QModelIndex& idx) const {
    if (!idx.isValid() || idx.row() >= rowCount() || idx.column() >= columnCount()) {
        return std::nullopt;
    }
    const long long t =
        m_cells[static_cast<std::size_t>(idx.row())][static_cast<std::size_t>(idx.column())];
    return t < 0 ? std::nullopt : std::optional<std::size_t>(static_cast<std::size_t>(t));
}

QModelIndex PlanGridModel::indexOfTensor(std::size_t tensor) const {
    for (std::size_t r = 0; r < m_cells.size(); ++r) {
        for (std::size_t c = 0; c < m_cells[r].size(); ++c) {
            if (m_cells[r][c] == static_cast<long long>(tensor)) {
                return index(static_cast<int>(r), static_cast<int>(c));
            }
        }
    }
    return {};
}

int PlanGridModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_cells.size());
}

int PlanGridModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() || m_cells.empty() ? 0 : static_cast<int>(columnRoles().size());
}

QVariant PlanGridModel::data(const QModelIndex& idx, int role) const {
    const auto tensor = tensorAt(idx);
    if (role == TensorIndexRole) {
        return tensor ? static_cast<long long>(*tensor) : -1LL;
    }
    if (!tensor) {
        return {};
    }
    const core::GgmlType type = m_document->typeOf(*tensor);
    const auto& info = core::ggmlTypeInfo(type);
    switch (role) {
    case Qt::DisplayRole:
        return QString::fromUtf8(info.name.data(), static_cast<qsizetype>(info.name.size()));
    case Qt::BackgroundRole:
        if (m_colouring == GridColouring::MeasuredError) {
            const auto m = measurementOf(*tensor);
            return m && m_errorRange ? colourForError(m->relativeRmse, *m_errorRange)
                                     : unmeasuredColour();
        }
        return colourForBits(info.bitsPerWeight());
    case Qt::ForegroundRole:
        // In the heat map a cell without a measurement is greyed, its text too; so is a cell
        // that cannot be quantized.
        return (m_colouring == GridColouring::MeasuredError && !measurementOf(*tensor)) ||
                       !m_document->isQuantizable(*tensor)
                   ? QColor(Qt::darkGray)
                   : QColor(Qt::black);
    case MeasuredErrorRole:
        if (const auto m = measurementOf(*tensor)) {
            return m->relativeRmse;
        }
        return {};
    case Qt::TextAlignmentRole:
        return Qt::AlignCenter;
    case BitsRole:
        return info.bitsPerWeight();
    case Qt::ToolTipRole: {
        const auto& t = m_document->model()->tensors()[*tensor];
        return tr("%1\n%2: %3 bits per weight, blocks of %4")
                   .arg(QString::fromStdString(t.name),
                        QString::fromUtf8(info.name.data(),
                                          static_cast<qsizetype>(info.name.size())))
                   .arg(info.bitsPerWeight(), 0, 'g', 5)
                   .arg(info.blockSize) +
               roleToolTip(*tensor) +
               (m_colouring == GridColouring::MeasuredError ? errorToolTip(*tensor) : QString());
    }
    case Qt::FontRole:
        // Cells a plan cannot change (the MoE router) read as fixed.
        if (!m_document->isQuantizable(*tensor)) {
            QFont italic;
            italic.setItalic(true);
            return italic;
        }
        return {};
    default:
        return {};
    }
}

QString PlanGridModel::roleToolTip(std::size_t tensor) const {
    const auto& t = m_document->model()->tensors()[tensor];
    QString text;
    if (core::isExpertRole(t.role()) && t.dims.size() == 3) {
        // One decision per expert tensor: all its experts take the cell's format.
        text += tr("\n%1 experts of %2 × %3, one format for all of them")
                    .arg(t.dims[2])
                    .arg(t.dims[1])
                    .arg(t.dims[0]);
    }
    if (!m_document->isQuantizable(tensor)) {
        text += t.role() == core::TensorRole::FfnGateInp
                    ? tr("\nThe experts' router: not quantizable, kept as stored (llama-quantize's "
                         "rule)")
                    : tr("\nNot quantizable: kept as stored");
    }
    return text;
}

std::optional<PlanGridModel::Measurement> PlanGridModel::measurementOf(std::size_t tensor) const {
    return tensor < m_measured.size() ? m_measured[tensor] : std::nullopt;
}

QString PlanGridModel::errorToolTip(std::size_t tensor) const {
    const auto m = measurementOf(tensor);
    if (!m) {
        return tr("\nNo measured error: run the plan to measure it");
    }
    const auto measuredName = core::ggmlTypeInfo(m->type).name;
    const QString measuredAs =
        QString::fromUtf8(measuredName.data(), static_cast<qsizetype>(measuredName.size()));
    QString text = tr("\nMeasured relative RMSE: %1 (as %2)")
                       .arg(QLocale().toString(m->relativeRmse, 'g', 4), measuredAs);
    // An edit after the run: the colour is still the old format's error.
    if (m->type != m_document->typeOf(tensor)) {
        text += tr("\nThe plan has changed since: run it again to measure the new format");
    }
    return text;
}

QVariant PlanGridModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (role != Qt::DisplayRole) {
        return {};
    }
    if (orientation == Qt::Horizontal) {
        const auto& roles = columnRoles();
        return section < static_cast<int>(roles.size())
                   ? QString::fromLatin1(
                         core::tensorRoleName(roles[static_cast<std::size_t>(section)]))
                   : QVariant();
    }
    return section < static_cast<int>(m_rowTitles.size())
               ? m_rowTitles[static_cast<std::size_t>(section)]
               : QVariant();
}

Qt::ItemFlags PlanGridModel::flags(const QModelIndex& idx) const {
    const auto tensor = tensorAt(idx);
    if (!tensor) {
        return Qt::NoItemFlags;
    }
    Qt::ItemFlags f = Qt::ItemIsEnabled;
    if (m_document->isQuantizable(*tensor)) {
        f |= Qt::ItemIsSelectable;
    }
    return f;
}

} // namespace qs::ui
