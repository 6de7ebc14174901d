#pragma once

#include "core/export/quantize_model.h"

#include <QAbstractTableModel>

#include <vector>

namespace qs::ui {

// Per-tensor results of a quantization run, appended as tensors finish.
class ResultsTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        TensorColumn,
        FromColumn,
        ToColumn,
        BytesColumn,
        RelativeRmseColumn,
        SqnrColumn,
        CosineColumn,
        MaxAbsColumn,
        WeightedMseColumn,
        ColumnCount
    };
    static constexpr int TensorIndexRole = Qt::UserRole + 1;

    explicit ResultsTableModel(QObject* parent = nullptr);

    void clear();
    void append(const core::TensorQuantResult& result);
    const std::vector<core::TensorQuantResult>& results() const { return m_results; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::vector<core::TensorQuantResult> m_results;
};

} // namespace qs::ui

// Carried through JobRunner::ItemSink from the quantization worker to the GUI thread.
Q_DECLARE_METATYPE(qs::core::TensorQuantResult)
