#pragma once

#include "core/plan/optimizer.h"
#include "core/plan/sensitivity.h"

#include <QString>
#include <QWidget>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSlider;

namespace qs::core {
struct ImportanceMatrix;
}

namespace qs::ui {

class JobRunner;
class PlanDocument;
class SensitivityPlot;
class ThreadBudget;

// The "Optimize" panel beside the plan grid: measures the model's sensitivity table in the
// background (cached on disk), then solves the per-tensor bit allocation for the target on
// every slider move and previews the predicted size, bits per weight and error next to the
// nearest llama.cpp preset. Nothing reaches the plan until Apply, which writes the whole
// allocation as one undoable step: applying on every slider move would bury the undo history.
// Tensors edited by hand after an Apply are pinned (when "Keep manual edits" is on), so the
// next solve works around them instead of overwriting them.
class OptimizerPanel : public QWidget {
    Q_OBJECT

public:
    enum class TargetKind { BitsPerWeight, Gigabytes };

    explicit OptimizerPanel(PlanDocument* document, QWidget* parent = nullptr);
    ~OptimizerPanel() override;

    // Where the importance matrix comes from at measurement time (the main window's).
    void setImatrixProvider(std::function<std::shared_ptr<const core::ImportanceMatrix>()> f);
    // The importance matrix's file name as an export writes it into the GGUF metadata: sizes
    // are the whole file's (export/file_budget.h), and that name is part of it.
    void setImatrixFileNameProvider(std::function<QString()> f);
    // Measurements take their threads from `budget` (shared by the GUI's jobs); without one,
    // every hardware thread.
    void setThreadBudget(ThreadBudget* budget) { m_budget = budget; }
    // The sensitivity cache folder; empty disables the cache. Default: the user cache folder.
    void setCacheDirectory(const QString& dir) { m_cacheDir = dir; }

    // Starts measuring in the background; false when no model is open or a job is running.
    bool measure();
    void cancelMeasurement();
    bool hasTable() const { return m_table != nullptr; }
    const core::SensitivityTable* table() const { return m_table.get(); }
    JobRunner* job() const { return m_job; }

    void setTargetKind(TargetKind kind);
    TargetKind targetKind() const { return m_kind; }
    // Sets the target (bits per weight or GB, per the kind) and solves.
    void setTarget(double value);
    double target() const;
    // The last solve, if any.
    const std::optional<core::OptimizerResult>& result() const { return m_result; }
    // Writes the last solve into the plan as one undoable step; false when there is none.
    bool apply();

    // Shows a tensor's curve (by model tensor index) in the sensitivity plot.
    void showTensor(std::size_t tensor);
    SensitivityPlot* plot() const { return m_plot; }
    // Stands in for the plot while it has no curve to draw, saying what would fill it.
    QLabel* plotHint() const { return m_plotHint; }

signals:
    // The table was measured (ok) or measuring failed or was cancelled.
    void measurementFinished(bool ok, const QString& message);
    void resultChanged();

private:
    struct PresetScore {
        QString name;
        std::uint64_t bytes = 0;
        double objective = 0;
    };

    void measured(std::shared_ptr<const core::SensitivityTable> table);
    void documentChanged();
    void rebuildOptimizer();
    void updateRange();
    void solve();
    void updatePreview();
    void updatePlotHint();
    void updateMeasureButton();
    void sliderMoved(int position);
    double sliderToTarget(int position) const;
    int targetToSlider(double value) const;
    std::vector<core::GgmlType> candidateFormats() const;

    PlanDocument* m_document;
    JobRunner* m_job;
    ThreadBudget* m_budget = nullptr;
    std::function<std::shared_ptr<const core::ImportanceMatrix>()> m_imatrixProvider;
    std::function<QString()> m_imatrixFileNameProvider;
    // What the table was measured with, for the exact file sizes of the presets.
    std::shared_ptr<const core::ImportanceMatrix> m_measuredImatrix;
    std::string m_measuredImatrixName;
    QString m_cacheDir;

    std::shared_ptr<const core::SensitivityTable> m_table;
    const core::Model* m_tableModel = nullptr; // the model the table was measured on
    std::unique_ptr<core::PlanOptimizer> m_optimizer;
    core::OptimizerOptions m_options;
    std::optional<core::OptimizerResult> m_result;
    std::vector<PresetScore> m_presets;
    // The types the last Apply wrote, and the undo index right after it: tensors that differ
    // from it while that step is still in the history were edited by hand.
    std::map<std::string, core::GgmlType> m_applied;
    int m_appliedIndex = -1;
    TargetKind m_kind = TargetKind::BitsPerWeight;
    double m_low = 0;  // slider range, in the kind's unit
    double m_high = 0; // slider range, in the kind's unit

    QComboBox* m_kindCombo;
    QSlider* m_slider;
    QDoubleSpinBox* m_spin;
    QPushButton* m_measureButton;
    QPushButton* m_cancelButton;
    QPushButton* m_applyButton;
    QCheckBox* m_keepEdits;
    QProgressBar* m_progress;
    QLabel* m_status;
    QLabel* m_preview;
    SensitivityPlot* m_plot;
    QLabel* m_plotHint;
};

} // namespace qs::ui
