#pragma once

#include "ui/workspace/workspace.h"

#include <QMainWindow>
#include <QString>

#include <memory>

class QLabel;
class QMenu;
class QProgressBar;
class QToolButton;

namespace Ui {
class MainWindow;
}

namespace qs::ui {

class CompareView;
struct AppSettings;
class ErrorPlot;
class FileActions;
class LogDock;
class MemoryPlot;
class PlanEditor;
class TensorTreeModel;

// The window over a Workspace: the model panel and tensor tree, the work tabs (plan, results,
// error, memory, compare), the menus and the status bar. What it shows belongs to the
// workspace; the forwarding members below keep the window's own API for callers and tests.
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    Workspace* workspace() const { return m_workspace; }

    void setComputeBackend(std::shared_ptr<core::ComputeBackend> backend, const QString& note) {
        m_workspace->setComputeBackend(std::move(backend), note);
    }
    void setBackendFactory(const QStringList& vulkanDevices, Workspace::BackendFactory factory) {
        m_workspace->setBackendFactory(vulkanDevices, std::move(factory));
    }
    // Uses `settings` from now on (backend through the factory, threads, text, cache).
    void applySettings(const AppSettings& settings);
    QString backendText() const;

    void openModel(const QString& path) { m_workspace->openModel(path); }
    QString currentModelPath() const { return m_workspace->modelPath(); }
    std::shared_ptr<const core::Model> model() const { return m_workspace->model(); }
    PlanDocument* planDocument() const { return m_workspace->plan(); }
    PlanEditor* planEditor() const { return m_planEditor; }
    ResultsTableModel* results() const { return m_workspace->results(); }
    JobRunner* runJob() const { return m_workspace->runJob(); }
    ErrorPlot* errorPlot() const { return m_errorPlot; }
    MemoryPlot* memoryPlot() const { return m_memoryPlot; }
    CompareView* compareView() const { return m_compareView; }
    QString runOutputPath() const { return m_workspace->runOutputPath(); }
    JobRunner* imatrixJob() const { return m_workspace->imatrixJob(); }

    bool savePlan(const QString& path, QString* error = nullptr) {
        return m_workspace->savePlan(path, error);
    }
    bool loadPlan(const QString& path, QString* message = nullptr) {
        return m_workspace->loadPlan(path, message);
    }
    // The session: the workspace's part plus the comparison tab's settings and rows.
    bool saveSession(const QString& path, QString* error = nullptr);
    bool loadSession(const QString& path, QString* error = nullptr) {
        return m_workspace->loadSession(path, error);
    }

    std::shared_ptr<const core::ImportanceMatrix> imatrix() const { return m_workspace->imatrix(); }
    QString imatrixPath() const { return m_workspace->imatrixPath(); }
    void loadImatrix(const QString& path) { m_workspace->loadImatrix(path); }
    void clearImatrix() { m_workspace->clearImatrix(); }
    bool collectImatrix(const QString& textPath, const QString& outputPath, int contextLength,
                        int maxChunks) {
        return m_workspace->collectImatrix(textPath, outputPath, contextLength, maxChunks);
    }

    // The per-tensor "Set format" menu of the tensor tree, for `tensor` of the open model.
    QMenu* tensorFormatMenu(std::size_t tensor, QWidget* parent);

public slots:
    // Quantizes the current plan in the background (to a scratch file), streaming each
    // tensor's error into the results table; cancelRun() stops it.
    void runPlan() { m_workspace->runPlan(); }
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

private:
    void createTabs();
    void createStatusBar();
    void createMenus();
    void connectWorkspace();
    void showModel(const QString& path);
    void showOpenError(const QString& path, const QString& message);
    void runStarted(int tensors);
    void showRunProgress(quint64 done, quint64 total, const QString& what);
    void runEnded(bool ok, const QString& message);
    void restoreSession(const Session& session);
    void showImatrixInfo();
    void setRunWidgetsVisible(bool visible);

    std::unique_ptr<::Ui::MainWindow> m_ui;
    Workspace* m_workspace;
    TensorTreeModel* m_tensorTree;
    LogDock* m_logDock;
    PlanEditor* m_planEditor = nullptr;
    QWidget* m_resultsView = nullptr;
    ErrorPlot* m_errorPlot = nullptr;
    MemoryPlot* m_memoryPlot = nullptr;
    CompareView* m_compareView = nullptr;
    FileActions* m_fileActions = nullptr;
    QProgressBar* m_runProgress;
    QLabel* m_runLabel;
    QToolButton* m_cancelButton;
    QLabel* m_backendLabel;
    QLabel* m_imatrixLabel = nullptr;
    qint64 m_runStartedMs = 0;
};

} // namespace qs::ui
