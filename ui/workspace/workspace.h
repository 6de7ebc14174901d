#pragma once

#include "core/error.h"
#include "core/jobs/job_control.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

class QTemporaryDir;

namespace qs::core {
class ComputeBackend;
class Model;
class QuantPlan;
struct ImportanceMatrix;
struct TensorQuantResult;
} // namespace qs::core

namespace qs::ui {

struct AppSettings;
class JobRunner;
class PlanDocument;
class ResultsTableModel;
struct Session;
class ThreadBudget;

// The document behind the main window, without widgets: the open model, its plan, the
// importance matrix, the compute backend, the thread budget the GUI's jobs share, the
// session and plan files, and the jobs that work on them (open, run, importance matrix).
// Views read the current model from here; tests drive it without a window.
class Workspace : public QObject {
    Q_OBJECT

public:
    explicit Workspace(QObject* parent = nullptr);
    ~Workspace() override;

    // --- The model ---
    // Opens a model file or folder in the background; modelOpened or openFailed follows.
    void openModel(const QString& path);
    QString modelPath() const { return m_modelPath; }
    std::shared_ptr<const core::Model> model() const { return m_model; }
    PlanDocument* plan() const { return m_plan; }
    // The plan when it changes any stored type (a plan that keeps them all would only
    // repeat the input model), else nothing.
    std::optional<core::QuantPlan> changedPlan() const;

    // --- Compute: backend and threads ---
    // The device that dequantizes during runs (Vulkan or CPU, chosen by the app); nullptr:
    // the CPU in the worker threads. `note` says which device and why.
    void setComputeBackend(std::shared_ptr<core::ComputeBackend> backend, const QString& note);
    std::shared_ptr<core::ComputeBackend> backend() const { return m_backend; }
    QString backendNote() const { return m_backendNote; }
    // Makes a backend from the settings ("cpu" or "vulkan", a Vulkan device index or -1);
    // injected by the app, since the ui library has no Vulkan headers.
    using BackendFactory = std::function<std::shared_ptr<core::ComputeBackend>(
        const QString& backend, int deviceIndex, QString* note)>;
    void setBackendFactory(const QStringList& vulkanDevices, BackendFactory factory);
    QStringList vulkanDevices() const { return m_vulkanDevices; }
    // Threads and backend from `settings` (the backend only with a factory).
    void applySettings(const AppSettings& settings);
    ThreadBudget* threadBudget() const { return m_budget; }

    // --- Run: the plan quantized to a scratch file, each tensor's error measured ---
    bool runPlan();
    void cancelRun();
    bool isRunning() const;
    JobRunner* runJob() const { return m_runJob; }
    ResultsTableModel* results() const { return m_results; }
    // The scratch file a run writes (removed when a run fails or is cancelled); empty when
    // no run has started.
    QString runOutputPath() const;

    // --- Importance matrix (used by runs, exports, comparisons and the optimizer) ---
    std::shared_ptr<const core::ImportanceMatrix> imatrix() const { return m_imatrix; }
    QString imatrixPath() const { return m_imatrixPath; }
    // Reads an imatrix file in the background; imatrixChanged or imatrixFailed follows.
    void loadImatrix(const QString& path);
    // Collects an importance matrix for the open model on `textPath` in the background and
    // writes it to `outputPath` (GGUF); imatrixChanged or imatrixFailed follows.
    bool collectImatrix(const QString& textPath, const QString& outputPath, int contextLength,
                        int maxChunks);
    void clearImatrix();
    JobRunner* imatrixJob() const { return m_imatrixJob; }

    // --- Files ---
    // The plan as a plan file (core/plan/plan_json.h); false with `error` set on failure.
    bool savePlan(const QString& path, QString* error = nullptr);
    // Applies a plan file to the open model as one undoable step; `message` says what applied
    // and what did not (tensors of another model, unfit types).
    bool loadPlan(const QString& path, QString* message = nullptr);
    // Writes `session` with the workspace's part (model, plan, imatrix, run results) filled in.
    bool saveSession(const QString& path, Session session, QString* error = nullptr);
    // Reads a session and opens its model; once open, the plan, results and imatrix are
    // restored, sessionRestored lets views restore their part, and sessionLoaded follows.
    bool loadSession(const QString& path, QString* error = nullptr);
    QString sessionPath() const { return m_sessionPath; }

signals:
    void modelOpened(const QString& path);
    void openFailed(const QString& path, const QString& message);
    void backendChanged();
    void runStarted(int tensors);
    void runProgress(quint64 done, quint64 total, const QString& what);
    // One tensor's result, as a run makes it or a session restores it.
    void tensorResultAdded(const core::TensorQuantResult& result);
    void runFinished(bool ok, const QString& message);
    // Loaded or collected; imatrixStateChanged also follows clearImatrix().
    void imatrixChanged(const QString& path);
    void imatrixFailed(const QString& message);
    void imatrixStateChanged();
    void sessionRestored(const qs::ui::Session& session);
    void sessionLoaded(const QString& path);
    // A line for the status bar.
    void message(const QString& text);

private:
    void setOpenedModel(const QString& path, std::shared_ptr<const core::Model> model);
    void startImatrixJob(const QString& title, const QString& path, bool collecting,
                         std::function<core::Status(std::shared_ptr<const core::ImportanceMatrix>*,
                                                    core::CancelToken&, core::ProgressSink&)>
                             work);
    void restorePendingSession();

    PlanDocument* m_plan;
    ResultsTableModel* m_results;
    ThreadBudget* m_budget;
    JobRunner* m_openJob;
    JobRunner* m_runJob;
    JobRunner* m_imatrixJob;
    QString m_modelPath;
    std::shared_ptr<const core::Model> m_model;
    std::shared_ptr<core::ComputeBackend> m_backend;
    QString m_backendNote;
    QStringList m_vulkanDevices;
    BackendFactory m_backendFactory;
    std::unique_ptr<QTemporaryDir> m_runDir;
    std::shared_ptr<const core::ImportanceMatrix> m_imatrix;
    QString m_imatrixPath;
    bool m_collecting = false;
    QString m_sessionPath;
    std::unique_ptr<Session> m_pendingSession;
    QString m_pendingSessionPath;
};

} // namespace qs::ui
