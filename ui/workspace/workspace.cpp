#include "ui/workspace/workspace.h"

#include "core/compute/compute_backend.h"
#include "core/export/quantize_model.h"
#include "core/io/imatrix.h"
#include "core/io/imatrix_coverage.h"
#include "core/io/model_reader.h"
#include "core/logging.h"
#include "core/model/model.h"
#include "core/plan/plan_json.h"
#include "core/workflows/imatrix_collection.h"
#include "core/workflows/policy.h"
#include "core/workflows/quantize_plan.h"
#include "ui/jobs/job_runner.h"
#include "ui/jobs/thread_budget.h"
#include "ui/models/results_table_model.h"
#include "ui/plan/plan_document.h"
#include "ui/settings/app_settings.h"
#include "ui/windows/session.h"

#include <QFileInfo>
#include <QTemporaryDir>

#include <spdlog/spdlog.h>

namespace qs::ui {

Workspace::Workspace(QObject* parent)
    : QObject(parent)
    , m_plan(new PlanDocument(this))
    , m_results(new ResultsTableModel(this))
    , m_budget(new ThreadBudget(this))
    , m_openJob(new JobRunner(this))
    , m_runJob(new JobRunner(this))
    , m_imatrixJob(new JobRunner(this)) {
    connect(m_runJob, &JobRunner::progressChanged, this,
            [this](quint64 done, quint64 total, const QString&, const QString& what) {
                emit runProgress(done, total, what);
            });
    connect(m_runJob, &JobRunner::itemReady, this, [this](const QVariant& item) {
        const auto result = item.value<core::TensorQuantResult>();
        m_results->append(result);
        emit tensorResultAdded(result);
    });
    connect(m_runJob, &JobRunner::succeeded, this, [this] { emit runFinished(true, {}); });
    connect(m_runJob, &JobRunner::failed, this, [this](int code, const QString& text) {
        // Into the log as well as the status line, which the next message replaces: a refused
        // input (a NaN weight, a bad imatrix) names the file and place there.
        if (code == static_cast<int>(core::ErrorCode::Cancelled)) {
            core::coreLog().info("Run cancelled");
        } else {
            core::coreLog().error("Run stopped: {}", text.toStdString());
        }
        // The scratch output is only for measuring; nothing of a failed run stays on disk.
        m_runDir.reset();
        emit runFinished(false, text);
    });
    connect(m_imatrixJob, &JobRunner::progressChanged, this,
            [this](quint64 done, quint64 total, const QString& unit, const QString&) {
                emit message(
                    m_collecting
                        ? tr("Collecting the importance matrix: %1/%2 %3")
                              .arg(done)
                              .arg(total)
                              .arg(unit)
                        : tr("Importance matrix: %1/%2 %3").arg(done).arg(total).arg(unit));
            });
    connect(m_imatrixJob, &JobRunner::failed, this, [this](int, const QString& text) {
        emit message(tr("Importance matrix failed: %1").arg(text));
        emit imatrixFailed(text);
    });
}

Workspace::~Workspace() = default;

void Workspace::openModel(const QString& path) {
    if (m_openJob->isRunning()) {
        emit message(tr("Still opening %1").arg(m_openJob->title()));
        return;
    }
    emit message(tr("Opening %1…").arg(path));
    // Opening maps the files and parses headers only, but a sharded checkpoint on a slow disk
    // can still take a moment: keep it off the GUI thread.
    auto result = std::make_shared<std::shared_ptr<const core::Model>>();
    const std::string nativePath = path.toStdString();
    m_openJob->disconnect(this);
    connect(m_openJob, &JobRunner::succeeded, this,
            [this, path, result] { setOpenedModel(path, *result); });
    connect(m_openJob, &JobRunner::failed, this, [this, path](int, const QString& text) {
        m_pendingSession.reset();
        emit message(tr("Open failed"));
        emit openFailed(path, text);
    });
    m_openJob->start(path, [nativePath, result](core::CancelToken&, core::ProgressSink&,
                                                const JobRunner::ItemSink&) {
        auto opened = core::openModel(nativePath);
        if (!opened) {
            return core::Status(opened.error());
        }
        *result = std::make_shared<const core::Model>(std::move(opened).value());
        return core::Status();
    });
}

void Workspace::setOpenedModel(const QString& path, std::shared_ptr<const core::Model> model) {
    m_model = std::move(model);
    m_modelPath = QFileInfo(path).absoluteFilePath();
    m_plan->setModel(m_model);
    m_results->clear();
    // An importance matrix belongs to the model it was collected on.
    clearImatrix();
    emit modelOpened(m_modelPath);
    if (m_pendingSession) {
        restorePendingSession();
    }
}

std::optional<core::QuantPlan> Workspace::changedPlan() const {
    if (!m_model) {
        return std::nullopt;
    }
    const auto& tensors = m_model->tensors();
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        if (m_plan->typeOf(i) != tensors[i].type) {
            return m_plan->toQuantPlan();
        }
    }
    return std::nullopt;
}

void Workspace::setComputeBackend(std::shared_ptr<core::ComputeBackend> backend,
                                  const QString& note) {
    m_backend = std::move(backend);
    m_backendNote = note;
    emit backendChanged();
}

void Workspace::setBackendFactory(const QStringList& vulkanDevices, BackendFactory factory) {
    m_vulkanDevices = vulkanDevices;
    m_backendFactory = std::move(factory);
}

void Workspace::applySettings(const AppSettings& settings) {
    m_budget->setRequested(settings.threads);
    if (m_backendFactory) {
        QString note;
        auto backend = m_backendFactory(settings.backend, settings.deviceIndex, &note);
        setComputeBackend(std::move(backend), note);
    }
}

bool Workspace::isRunning() const {
    return m_runJob->isRunning();
}

bool Workspace::runPlan() {
    if (!m_model || m_runJob->isRunning()) {
        return false;
    }
    m_runDir = std::make_unique<QTemporaryDir>();
    if (!m_runDir->isValid()) {
        const QString text = tr("Cannot create a scratch folder: %1").arg(m_runDir->errorString());
        m_runDir.reset();
        emit runFinished(false, text);
        return false;
    }
    m_results->clear();
    emit runStarted(static_cast<int>(m_model->tensors().size()));
    // The worker gets its own references: the model stays alive even if another is opened.
    std::shared_ptr<const core::Model> model = m_model;
    const core::QuantPlan plan = m_plan->toQuantPlan();
    const std::string output = runOutputPath().toStdString();
    std::shared_ptr<core::ComputeBackend> backend = m_backend;
    std::shared_ptr<const core::ImportanceMatrix> imatrix = m_imatrix;
    core::QuantizePlanRequest request;
    request.options.threads = static_cast<unsigned>(m_budget->acquire(m_runJob));
    request.options.imatrixFileName = QFileInfo(m_imatrixPath).fileName().toStdString();
    return m_runJob->start(tr("Run plan"), [model, plan, output, backend, imatrix,
                                            request](core::CancelToken& cancel,
                                                     core::ProgressSink& progress,
                                                     const JobRunner::ItemSink& post) mutable {
        request.options.backend = backend.get();
        request.options.imatrix = imatrix.get();
        auto report = core::quantizePlan(
            *model, plan, output, request, cancel, progress,
            [&post](const core::TensorQuantResult& r) { post(QVariant::fromValue(r)); });
        return report ? core::Status() : core::Status(report.error());
    });
}

void Workspace::cancelRun() {
    m_runJob->requestCancel();
}

QString Workspace::runOutputPath() const {
    return m_runDir ? m_runDir->filePath(QStringLiteral("run.gguf")) : QString();
}

void Workspace::startImatrixJob(
    const QString& title, const QString& path, bool collecting,
    std::function<core::Status(std::shared_ptr<const core::ImportanceMatrix>*, core::CancelToken&,
                               core::ProgressSink&)>
        work) {
    auto holder = std::make_shared<std::shared_ptr<const core::ImportanceMatrix>>();
    m_collecting = collecting;
    auto* once = new QObject(this); // the success handler of this job only
    connect(m_imatrixJob, &JobRunner::finished, once, &QObject::deleteLater);
    connect(m_imatrixJob, &JobRunner::succeeded, once, [this, path, holder, collecting] {
        m_imatrix = *holder;
        m_imatrixPath = QFileInfo(path).absoluteFilePath();
        emit imatrixStateChanged();
        emit message(collecting ? tr("Collected the importance matrix %1").arg(path)
                                : tr("Loaded the importance matrix %1").arg(path));
        emit imatrixChanged(m_imatrixPath);
    });
    m_imatrixJob->start(title, [holder, work = std::move(work)](core::CancelToken& cancel,
                                                                core::ProgressSink& progress,
                                                                const JobRunner::ItemSink&) {
        return work(holder.get(), cancel, progress);
    });
}

void Workspace::loadImatrix(const QString& path) {
    if (m_imatrixJob->isRunning()) {
        emit imatrixFailed(tr("An importance matrix job is already running."));
        return;
    }
    const std::string nativePath = path.toStdString();
    startImatrixJob(tr("Load importance matrix"), path, false,
                    [nativePath](std::shared_ptr<const core::ImportanceMatrix>* out,
                                 core::CancelToken&, core::ProgressSink&) {
                        auto read = core::readImatrix(nativePath);
                        if (!read) {
                            return core::Status(read.error());
                        }
                        core::reportStarvedExperts(*read, nativePath); // into the log dock
                        *out =
                            std::make_shared<const core::ImportanceMatrix>(std::move(read).value());
                        return core::Status();
                    });
}

bool Workspace::collectImatrix(const QString& textPath, const QString& outputPath,
                               int contextLength, int maxChunks) {
    if (!m_model || m_imatrixJob->isRunning()) {
        return false;
    }
    core::ImatrixCollectionRequest request;
    request.modelPath = m_modelPath.toStdString();
    request.textPath = textPath.toStdString();
    request.outputPath = outputPath.toStdString();
    request.collect.contextLength = contextLength;
    request.collect.maxChunks = maxChunks;
    request.threads = m_budget->acquire(m_imatrixJob);
    startImatrixJob(tr("Collect importance matrix"), outputPath, true,
                    [request](std::shared_ptr<const core::ImportanceMatrix>* out,
                              core::CancelToken& cancel, core::ProgressSink& progress) {
                        auto collected = core::collectImatrixFromFiles(request, cancel, progress);
                        if (!collected) {
                            return core::Status(collected.error());
                        }
                        *out = std::make_shared<const core::ImportanceMatrix>(
                            std::move(collected->matrix));
                        return core::Status();
                    });
    return true;
}

void Workspace::clearImatrix() {
    m_imatrix.reset();
    m_imatrixPath.clear();
    emit imatrixStateChanged();
}

bool Workspace::savePlan(const QString& path, QString* error) {
    if (!m_model) {
        if (error) {
            *error = tr("No model is open.");
        }
        return false;
    }
    const core::QuantPlan plan = m_plan->toQuantPlan();
    core::PlanFileInfo info;
    info.model = m_modelPath.toStdString();
    info.source = "quantscope workbench";
    info.fileType = core::planFileType(*m_model, plan);
    if (auto st = core::writePlanFile(path.toStdString(), plan, info); !st) {
        if (error) {
            *error = QString::fromStdString(st.error().message);
        }
        return false;
    }
    emit message(tr("Saved the plan to %1").arg(path));
    return true;
}

bool Workspace::loadPlan(const QString& path, QString* messageOut) {
    if (!m_model) {
        if (messageOut) {
            *messageOut = tr("Open a model before loading a plan.");
        }
        return false;
    }
    core::PlanFileInfo info;
    auto plan = core::readPlanFile(path.toStdString(), &info);
    if (!plan) {
        if (messageOut) {
            *messageOut = QString::fromStdString(plan.error().message);
        }
        return false;
    }
    const auto report =
        m_plan->applyPlan(*plan, tr("Load plan %1").arg(QFileInfo(path).fileName()));
    QStringList notes;
    notes << tr("Applied %n tensor type(s).", nullptr, report.changed);
    if (!report.unknown.isEmpty()) {
        notes << tr("%n planned tensor(s) are not in this model: %1", nullptr,
                    static_cast<int>(report.unknown.size()))
                     .arg(report.unknown.mid(0, 5).join(QStringLiteral(", ")));
    }
    if (!report.skipped.isEmpty()) {
        notes << tr("%n tensor(s) cannot take the planned type: %1", nullptr,
                    static_cast<int>(report.skipped.size()))
                     .arg(report.skipped.mid(0, 5).join(QStringLiteral(", ")));
    }
    const QString text = notes.join(QLatin1Char(' '));
    if (messageOut) {
        *messageOut = text;
    }
    emit message(text);
    if (!report.unknown.isEmpty() || !report.skipped.isEmpty()) {
        spdlog::warn("plan {}: {}", path.toStdString(), text.toStdString());
    }
    return true;
}

bool Workspace::saveSession(const QString& path, Session session, QString* error) {
    session.modelPath = m_modelPath;
    if (m_model) {
        session.plan = m_plan->toQuantPlan();
    }
    session.imatrixPath = m_imatrixPath;
    session.tensorResults = m_results->results();
    if (auto st = writeSessionFile(path, session); !st) {
        if (error) {
            *error = QString::fromStdString(st.error().message);
        }
        return false;
    }
    m_sessionPath = path;
    emit message(tr("Saved the session to %1").arg(path));
    return true;
}

bool Workspace::loadSession(const QString& path, QString* error) {
    auto session = readSessionFile(path);
    if (!session) {
        if (error) {
            *error = QString::fromStdString(session.error().message);
        }
        return false;
    }
    if (session->modelPath.isEmpty()) {
        if (error) {
            *error = tr("%1 names no model.").arg(path);
        }
        return false;
    }
    m_pendingSession = std::make_unique<Session>(std::move(session).value());
    m_pendingSessionPath = path;
    m_sessionPath = path;
    openModel(m_pendingSession->modelPath);
    return true;
}

void Workspace::restorePendingSession() {
    const std::unique_ptr<Session> pending = std::move(m_pendingSession);
    if (pending->plan) {
        m_plan->applyPlan(*pending->plan, tr("Load session"));
    }
    for (const auto& r : pending->tensorResults) {
        if (r.tensorIndex < m_model->tensors().size()) {
            m_results->append(r);
            emit tensorResultAdded(r);
        }
    }
    emit sessionRestored(*pending);
    if (!pending->imatrixPath.isEmpty()) {
        loadImatrix(pending->imatrixPath);
    }
    emit message(tr("Loaded the session %1").arg(m_pendingSessionPath));
    emit sessionLoaded(m_pendingSessionPath);
}

} // namespace qs::ui
