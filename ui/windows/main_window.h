#pragma once

#include <QMainWindow>
#include <QString>

#include <functional>
#include <memory>

class QLabel;
class QMenu;
class QProgressBar;
class QTemporaryDir;
class QToolButton;

namespace Ui {
class MainWindow;
}
namespace qs::core {
class ComputeBackend;
class Model;
struct ImportanceMatrix;
} // namespace qs::core

namespace qs::ui {

class CompareView;
class JobRunner;
struct AppSettings;
class LogDock;
class PlanDocument;
class PlanEditor;
class ResultsTableModel;
class ErrorPlot;
class MemoryPlot;
class TensorTreeModel;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // The device that dequantizes during runs (Vulkan or CPU, chosen by the app); shown in
    // the status bar. Without one, runs use the CPU in the worker threads.
    void setComputeBackend(std::shared_ptr<core::ComputeBackend> backend, const QString& note);

    // Makes a compute backend from the settings ("cpu" or "vulkan", a Vulkan device index or
    // -1 for the preferred one); `note` says which device was chosen and why. The app injects
    // it (the ui library has no Vulkan headers) with the names of the Vulkan devices found.
    using BackendFactory = std::function<std::shared_ptr<core::ComputeBackend>(
        const QString& backend, int deviceIndex, QString* note)>;
    void setBackendFactory(const QStringList& vulkanDevices, BackendFactory factory);
    // Uses `settings` from now on (backend through the factory, threads, text, cache).
    void applySettings(const AppSettings& settings);
    QString backendText() const;

    // Opens a model file or folder in the background; modelOpened or openFailed follows.
    void openModel(const QString& path);
    QString currentModelPath() const { return m_modelPath; }
    std::shared_ptr<const core::Model> model() const { return m_model; }
    PlanDocument* planDocument() const { return m_plan; }
    PlanEditor* planEditor() const { return m_planEditor; }
    ResultsTableModel* results() const { return m_results; }
    JobRunner* runJob() const { return m_runJob; }
    ErrorPlot* errorPlot() const { return m_errorPlot; }
    MemoryPlot* memoryPlot() const { return m_memoryPlot; }
    CompareView* compareView() const { return m_compareView; }
    // The scratch file a run writes while it is running (removed when a run fails or is
    // cancelled); empty when no run has started.
    QString runOutputPath() const;
    JobRunner* imatrixJob() const { return m_imatrixJob; }

    // The plan as a plan file (core/plan/plan_json.h); false with `error` set on failure.
    bool savePlan(const QString& path, QString* error = nullptr);
    // Applies a plan file to the open model as one undoable step: tensors of the same name get
    // the planned type; `message` lists what did not apply (other model, unfit types).
    bool loadPlan(const QString& path, QString* message = nullptr);
    // The session: model path, plan, imatrix path, run and comparison results.
    bool saveSession(const QString& path, QString* error = nullptr);
    // Reads a session and opens its model in the background; sessionLoaded follows once the
    // model is open and the plan, imatrix and results are restored.
    bool loadSession(const QString& path, QString* error = nullptr);

    // The importance matrix used by runs, exports and comparisons (nullptr: none).
    std::shared_ptr<const core::ImportanceMatrix> imatrix() const { return m_imatrix; }
    QString imatrixPath() const { return m_imatrixPath; }
    // Reads an imatrix file in the background; imatrixChanged or imatrixFailed follows.
    void loadImatrix(const QString& path);
    void clearImatrix();
    // Collects an importance matrix for the open model on `textPath` in the background and
    // writes it to `outputPath` (GGUF); imatrixChanged or imatrixFailed follows.
    bool collectImatrix(const QString& textPath, const QString& outputPath, int contextLength,
                        int maxChunks);

    // The per-tensor "Set format" menu of the tensor tree, for `tensor` of the open model.
    QMenu* tensorFormatMenu(std::size_t tensor, QWidget* parent);

public slots:
    // Quantizes the current plan in the background (to a scratch file), streaming each
    // tensor's error into the results table; cancelRun() stops it.
    void runPlan();
    void cancelRun();
    // Shows the comparison tab and starts comparing the checked variants.
    void runComparison();
    void showSettingsDialog();
    // Shows a work tab by name: "plan", "results", "error", "memory" or "compare" (also
    // "compare-kld", "compare-ppl", "compare-speed" for one comparison plot). False if unknown.
    bool showTab(const QString& name);
    // Opens the export dialog for the open model and the current plan.
    void showExportDialog();

signals:
    void modelOpened(const QString& path);
    void runFinished(bool ok);
    void openFailed(const QString& path, const QString& message);
    void comparisonFinished(bool ok);
    void imatrixChanged(const QString& path);
    void imatrixFailed(const QString& message);
    void sessionLoaded(const QString& path);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private slots:
    void chooseAndOpenModel();
    void chooseAndOpenFolder();
    void showAbout();
    void chooseAndLoadPlan();
    void chooseAndSavePlan();
    void chooseAndLoadSession();
    void chooseAndSaveSession();
    void chooseAndLoadImatrix();
    void chooseAndCollectImatrix();

private:
    void showModel(const QString& path, std::shared_ptr<const core::Model> model);
    void showOpenError(const QString& path, const QString& message);
    void addRecentFile(const QString& path);
    void rebuildRecentMenu();
    void showRunProgress(quint64 done, quint64 total, const QString& what);
    void runEnded(bool ok, const QString& message);
    void createExtraActions();
    void showImatrixInfo();
    void restorePendingSession();

    std::unique_ptr<::Ui::MainWindow> m_ui;
    TensorTreeModel* m_tensorTree;
    LogDock* m_logDock;
    JobRunner* m_openJob;
    PlanDocument* m_plan;
    PlanEditor* m_planEditor;
    JobRunner* m_runJob;
    ResultsTableModel* m_results;
    std::unique_ptr<QTemporaryDir> m_runDir;
    QProgressBar* m_runProgress;
    QLabel* m_runLabel;
    QToolButton* m_cancelButton;
    qint64 m_runStartedMs = 0;
    std::shared_ptr<core::ComputeBackend> m_backend;
    QLabel* m_backendLabel;
    ErrorPlot* m_errorPlot;
    MemoryPlot* m_memoryPlot;
    QString m_modelPath;
    std::shared_ptr<const core::Model> m_model;
    CompareView* m_compareView = nullptr;
    JobRunner* m_imatrixJob = nullptr;
    std::shared_ptr<const core::ImportanceMatrix> m_imatrix;
    QString m_imatrixPath;
    QLabel* m_imatrixLabel = nullptr;
    QStringList m_vulkanDevices;
    BackendFactory m_backendFactory;
    int m_threads = 0;
    QString m_sessionPath;
    struct PendingSession;
    std::unique_ptr<PendingSession> m_pendingSession;
};

} // namespace qs::ui
