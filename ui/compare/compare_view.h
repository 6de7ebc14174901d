#pragma once

#include "core/plan/quant_plan.h"

#include <QString>
#include <QStringList>
#include <QWidget>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTableView;

namespace qs::core {
class ComputeBackend;
struct FileVariant;
struct ImportanceMatrix;
struct VariantResult;
} // namespace qs::core

namespace qs::ui {

class ComparisonPlot;
class ComparisonTableModel;
class JobRunner;
class SpeedPlot;
class ThreadBudget;
class VariantErrorPlot;
class Workspace;

// The comparison tab: quantizes the open model with several llama.cpp presets one after
// another in the background (core::compareVariants) and evaluates each on a text against the
// input model. Rows stream into a table, the size-vs-KLD and size-vs-PPL scatters (with their
// Pareto fronts), the tok/s bars and the per-layer error curves as each variant finishes.
class CompareView : public QWidget {
    Q_OBJECT

public:
    explicit CompareView(QWidget* parent = nullptr);
    ~CompareView() override;

    // The presets checked by default: the common Q2..Q8 ladder.
    static QStringList defaultPresets();

    // Follows the workspace's model, plan, importance matrix and backend, and takes the
    // comparison's threads from its budget. The setters below serve views without one.
    void setWorkspace(Workspace* workspace);

    // The model the variants are made from; empty disables Run.
    void setModelPath(const QString& path);
    QString modelPath() const { return m_modelPath; }
    // Used for quantizing the variants (nullptr: none).
    void setImatrix(std::shared_ptr<const core::ImportanceMatrix> imatrix, const QString& path);
    void setThreads(int threads) { m_threads = threads; }
    // The device chosen in the settings (nullptr: the CPU). Evaluation and the variants' error
    // round trips run on it when it is a GPU; on the host CPU (the CPU backend, or a Vulkan CPU
    // device such as lavapipe) the forward pass keeps its fused CPU kernels, the fastest there.
    void setComputeBackend(std::shared_ptr<core::ComputeBackend> backend);
    // What the next comparison evaluates on, as the status line names it.
    QString evaluationDevice() const;
    void setCacheDir(const QString& dir) { m_cacheDir = dir; }

    // Supplies the user's current plan for the "Current plan" row; nullopt when there is
    // none worth comparing (no model, or the plan keeps every stored type).
    using PlanProvider = std::function<std::optional<core::QuantPlan>()>;
    void setPlanProvider(PlanProvider provider) { m_planProvider = std::move(provider); }
    // Whether the current plan is compared after the presets (checked by default).
    bool includePlan() const;
    void setIncludePlan(bool on);
    // The row name of the current plan.
    static QString planVariantName();

    // Existing models compared as they are (a GGUF made elsewhere, a GPTQ/AWQ checkpoint
    // folder): listed after the presets, checked, evaluated last. Returns the row name, made
    // unique; empty when the path does not exist.
    QString addFileVariant(const QString& path, const QString& name = {});
    // The checked file variants, in list order: {name, path}.
    std::vector<core::FileVariant> checkedFileVariants() const;
    // Asks for a GGUF file or a checkpoint folder and adds it.
    void addFileVariantInteractively(bool folder);

    QStringList checkedPresets() const;
    void setCheckedPresets(const QStringList& presets);
    QString textPath() const;
    void setTextPath(const QString& path);
    int contextLength() const;
    void setContextLength(int tokens);
    // A distribution saved by llama-perplexity --kl-divergence-base that every row is measured
    // against instead of the input model's; empty: the input model. Setting one takes its
    // context length (and fails, returning false, on a file that is not one).
    QString referenceFile() const;
    bool setReferenceFile(const QString& path);
    // -1 = every whole chunk of the text.
    int maxChunks() const;
    void setMaxChunks(int chunks);
    bool measureSpeed() const;
    void setMeasureSpeed(bool on);

    ComparisonTableModel* table() const { return m_table; }
    ComparisonPlot* kldPlot() const { return m_kldPlot; }
    ComparisonPlot* pplPlot() const { return m_pplPlot; }
    SpeedPlot* speedPlot() const { return m_speedPlot; }
    VariantErrorPlot* errorPlot() const { return m_errorPlot; }
    JobRunner* job() const { return m_job; }
    QString lastMessage() const { return m_lastMessage; }

    // Brings a plot to the front: "kld", "ppl", "speed" or "errors". False if unknown.
    bool showPlot(const QString& name);

    // Shows rows of an earlier comparison (a loaded session).
    void showResults(const std::vector<core::VariantResult>& rows);

public slots:
    // Starts the comparison; false (with lastMessage()) when nothing can start.
    bool startComparison();
    void cancelComparison();
    // Asks for a file and writes the table as CSV.
    void exportCsvInteractively();

signals:
    void comparisonFinished(bool ok, const QString& message);

private:
    void addVariant(const core::VariantResult& variant);
    void showProgress(quint64 done, quint64 total, const QString& what);
    void finish(bool ok, const QString& message);
    void updateButtons();
    void updatePresetAvailability();

    QString m_modelPath;
    std::shared_ptr<const core::ImportanceMatrix> m_imatrix;
    QString m_imatrixPath;
    int m_threads = 0;
    std::shared_ptr<core::ComputeBackend> m_backend;
    QString m_cacheDir;
    QStringList m_running; // presets of the running comparison, in order
    QString m_lastMessage;
    PlanProvider m_planProvider;
    Workspace* m_workspace = nullptr;
    QListWidgetItem* m_planItem = nullptr;

    QListWidget* m_presetList;
    QLineEdit* m_textEdit;
    QLineEdit* m_referenceEdit;
    QSpinBox* m_contextSpin;
    QSpinBox* m_chunksSpin;
    QCheckBox* m_speedCheck;
    // Calibrated twins of the checked presets (<PRESET>+cal rows) and their calibration text.
    QCheckBox* m_calibratedCheck;
    QLineEdit* m_calibrationEdit;
    QPushButton* m_runButton;
    QPushButton* m_cancelButton;
    QPushButton* m_csvButton;
    QProgressBar* m_progress;
    QLabel* m_statusLabel;
    QTableView* m_view;
    QTabWidget* m_plotTabs;
    ComparisonTableModel* m_table;
    ComparisonPlot* m_kldPlot;
    ComparisonPlot* m_pplPlot;
    SpeedPlot* m_speedPlot;
    VariantErrorPlot* m_errorPlot;
    JobRunner* m_job;
};

} // namespace qs::ui
