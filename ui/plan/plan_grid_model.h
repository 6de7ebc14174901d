#pragma once

#include "core/model/tensor_role.h"
#include "core/quant/ggml_type.h"

#include <QAbstractTableModel>

#include <optional>
#include <vector>

namespace qs::ui {

class PlanDocument;
class ResultsTableModel;

// What the grid's cell colours say.
enum class GridColouring {
    BitsPerWeight, // the planned format's bits per weight
    MeasuredError, // the relative RMSE a quantization run measured for the cell's tensor
};

// The plan as a layer × role grid: row 0 holds the global tensors (token embedding, output),
// rows 1.. the layers; columns are the roles of the model's weight matrices. A cell shows the
// chosen format, coloured by bits per weight or, after a run, by the tensor's measured error
// (a layer × role heat map); empty cells have no tensor.
class PlanGridModel : public QAbstractTableModel {
    Q_OBJECT

public:
    static constexpr int TensorIndexRole = Qt::UserRole + 1; // -1 where the cell is empty
    static constexpr int BitsRole = Qt::UserRole + 2;
    // The measured relative RMSE of the cell's tensor; invalid where none was measured.
    static constexpr int MeasuredErrorRole = Qt::UserRole + 3;

    // The smallest and largest measured error (over errors > 0) that the heat map spans.
    struct ErrorRange {
        double low = 0;
        double high = 0;
    };

    explicit PlanGridModel(PlanDocument* document, QObject* parent = nullptr);

    // The tensor shown in a cell.
    std::optional<std::size_t> tensorAt(const QModelIndex& index) const;
    QModelIndex indexOfTensor(std::size_t tensor) const;
    // The roles shown as columns, in order: the matrix roles the model has.
    const std::vector<core::TensorRole>& columnRoles() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

    // The run results the heat map reads (the workspace's); followed as rows stream in.
    void setResults(const ResultsTableModel* results);
    void setColouring(GridColouring colouring);
    GridColouring colouring() const { return m_colouring; }
    // The span of the measured errors; nullopt before a run measured any tensor of the grid.
    std::optional<ErrorRange> errorRange() const { return m_errorRange; }

signals:
    // The measured errors changed (a run added results, or they were cleared).
    void measuredErrorsChanged();

private:
    struct Measurement {
        double relativeRmse = 0;
        core::GgmlType type = core::GgmlType::F32; // the format it was measured for
    };

    void rebuildLayout();
    void planChanged();
    void readResults();
    std::optional<Measurement> measurementOf(std::size_t tensor) const;
    QString errorToolTip(std::size_t tensor) const;
    // Experts per tensor and the router's "not quantizable", for the cell's tooltip.
    QString roleToolTip(std::size_t tensor) const;

    PlanDocument* m_document;
    // m_cells[row][column]: tensor index or -1.
    std::vector<std::vector<long long>> m_cells;
    std::vector<QString> m_rowTitles;
    std::vector<core::TensorRole> m_columns;
    const ResultsTableModel* m_results = nullptr;
    GridColouring m_colouring = GridColouring::BitsPerWeight;
    // By tensor index: the last measurement of each tensor shown in the grid.
    std::vector<std::optional<Measurement>> m_measured;
    std::optional<ErrorRange> m_errorRange;
};

// A colour for a format's bits per weight: warm for few bits, cool for many; used by the grid
// and the plots so that a format looks the same everywhere.
QColor colourForBits(double bitsPerWeight);
// The heat map's colour for an error within `range`: on a log scale (errors span decades),
// blue for the smallest, red for the largest, so the worst tensors stand out.
QColor colourForError(double error, const PlanGridModel::ErrorRange& range);
// The colour of a cell without a measurement in the heat map.
QColor unmeasuredColour();

} // namespace qs::ui
