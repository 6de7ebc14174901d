#pragma once

#include "core/workflows/compare_variants.h"

#include <QAbstractTableModel>

#include <vector>

namespace qs::ui {

// The rows of a variant comparison (core::compareVariants), appended as variants finish: the
// input model first, then each preset.
class ComparisonTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        NameColumn,
        SizeColumn,
        BpwColumn,
        PplColumn,
        DeltaPplColumn,
        KldColumn,
        Top1Column,
        PpColumn,
        TgColumn,
        PpRatioColumn,
        TgRatioColumn,
        ColumnCount
    };

    explicit ComparisonTableModel(QObject* parent = nullptr);

    void clear();
    // Appends a row, or replaces the row with the same name.
    void append(const core::VariantResult& variant);
    const std::vector<core::VariantResult>& variants() const { return m_rows; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // The table as CSV (C locale numbers, full precision), one header line then one per row.
    QString csvText() const;
    bool exportCsv(const QString& path, QString* error = nullptr) const;

private:
    std::vector<core::VariantResult> m_rows;
};

} // namespace qs::ui

// Carried through JobRunner::ItemSink from the comparison worker to the GUI thread.
Q_DECLARE_METATYPE(qs::core::VariantResult)
