#pragma once

#include <QMainWindow>
#include <QString>

#include <memory>

class QLabel;
class QProgressBar;
class QTemporaryDir;
class QToolButton;

namespace Ui {
class MainWindow;
}
namespace qs::core {
class ComputeBackend;
class Model;
} // namespace qs::core

namespace qs::ui {

class JobRunner;
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

public slots:
    // Quantizes the current plan in the background (to a scratch file), streaming each
    // tensor's error into the results table; cancelRun() stops it.
    void runPlan();
    void cancelRun();
    // Shows a work tab by name: "plan", "results", "error" or "memory". False if unknown.
    bool showTab(const QString& name);
    // Opens the export dialog for the open model and the current plan.
    void showExportDialog();

signals:
    void modelOpened(const QString& path);
    void runFinished(bool ok);
    void openFailed(const QString& path, const QString& message);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private slots:
    void chooseAndOpenModel();
    void chooseAndOpenFolder();
    void showAbout();

private:
    void showModel(const QString& path, std::shared_ptr<const core::Model> model);
    void showOpenError(const QString& path, const QString& message);
    void addRecentFile(const QString& path);
    void rebuildRecentMenu();
    void showRunProgress(quint64 done, quint64 total, const QString& what);
    void runEnded(bool ok, const QString& message);

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
};

} // namespace qs::ui
