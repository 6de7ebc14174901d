#pragma once

#include "core/quant/ggml_type.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QMenu;
class QTableView;

namespace qs::ui {

class ColourLegend;
class OptimizerPanel;
class PlanDocument;
class PlanGridModel;
class ResultsTableModel;

// The plan editor: the layer × role grid, a preset chooser, a format chooser for the
// selected cells (also on a context menu and on number keys), undo/redo, and the planned
// size and bits per weight, updated live; the optimizer panel on the right. Below the grid, a
// choice of colouring (bits per weight, or the error a run measured: a heat map) and its
// legend; the choice is remembered in the settings.
class PlanEditor : public QWidget {
    Q_OBJECT

public:
    explicit PlanEditor(PlanDocument* document, QWidget* parent = nullptr);

    QTableView* grid() const { return m_grid; }
    PlanGridModel* gridModel() const { return m_gridModel; }
    // The optimizer beside the grid; it follows the grid's current cell in its plot.
    OptimizerPanel* optimizerPanel() const { return m_optimizer; }
    // Sets the format on every selected cell; returns how many tensors changed.
    int setSelectedFormat(core::GgmlType type);
    // Selects the cell of a tensor (from the tree or a plot).
    void selectTensor(std::size_t tensor);
    // The run results the error colouring shows (the workspace's).
    void setResults(const ResultsTableModel* results);
    QComboBox* colouringCombo() const { return m_colouringCombo; }
    ColourLegend* legend() const { return m_legend; }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    // Sizes the grid's columns to their header and cell texts, sharing out any room left, and
    // keeps the splitter from squeezing the grid below that (up to kMaxGridMinimumWidth).
    void fitGridColumns();
    void applyChosenPreset();
    void updateSummary();
    void updateLegend();
    void showContextMenu(const QPoint& pos);
    QMenu* buildFormatMenu(QWidget* parent);

    PlanDocument* m_document;
    PlanGridModel* m_gridModel;
    QTableView* m_grid;
    QComboBox* m_presetCombo;
    QComboBox* m_formatCombo;
    QLabel* m_summary;
    QComboBox* m_colouringCombo;
    ColourLegend* m_legend;
    OptimizerPanel* m_optimizer;
    bool m_fitting = false; // fitGridColumns() resizes the viewport it reacts to
};

} // namespace qs::ui
