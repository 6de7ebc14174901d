#pragma once

#include "core/model/tensor_role.h"

#include <QAbstractTableModel>

#include <optional>
#include <vector>

namespace qs::ui {

class PlanDocument;

// The plan as a layer × role grid: row 0 holds the global tensors (token embedding, output),
// rows 1.. the layers; columns are the roles of the model's weight matrices. A cell shows the
// chosen format, coloured by bits per weight; empty cells have no tensor.
class PlanGridModel : public QAbstractTableModel {
    Q_OBJECT

public:
    static constexpr int TensorIndexRole = Qt::UserRole + 1; // -1 where the cell is empty
    static constexpr int BitsRole = Qt::UserRole + 2;

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

private:
    void rebuildLayout();
    void planChanged();

    PlanDocument* m_document;
    // m_cells[row][column]: tensor index or -1.
    std::vector<std::vector<long long>> m_cells;
    std::vector<QString> m_rowTitles;
    std::vector<core::TensorRole> m_columns;
};

// A colour for a format's bits per weight: warm for few bits, cool for many; used by the grid
// and the plots so that a format looks the same everywhere.
QColor colourForBits(double bitsPerWeight);

} // namespace qs::ui
