#include "ui/windows/main_window.h"

#include "ui_main_window.h"

#include "core/compute/compute_backend.h"
#include "core/eval/eval_model.h"
#include "core/eval/imatrix_collector.h"
#include "core/eval/llama_context.h"
#include "core/eval/text_input.h"
#include "core/export/quantize_model.h"
#include "core/io/imatrix.h"
#include "core/io/imatrix_writer.h"
#include "core/io/model_reader.h"
#include "core/logging.h"
#include "core/model/model.h"
#include "core/plan/plan_json.h"
#include "core/quant/format_registry.h"
#include "core/version.h"
#include "ui/compare/compare_view.h"
#include "ui/compare/comparison_table_model.h"
#include "ui/dialogs/export_dialog.h"
#include "ui/dialogs/settings_dialog.h"
#include "ui/jobs/job_runner.h"
#include "ui/models/results_table_model.h"
#include "ui/models/tensor_tree_model.h"
#include "ui/plan/optimizer_panel.h"
#include "ui/plan/plan_document.h"
#include "ui/plan/plan_editor.h"
#include "ui/plots/error_plot.h"
#include "ui/plots/memory_plot.h"
#include "ui/settings/app_settings.h"
#include "ui/widgets/log_dock.h"
#include "ui/windows/session.h"

#include <QDateTime>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QThread>
#include <QToolButton>
#include <QUndoStack>

#include <spdlog/spdlog.h>

namespace qs::ui {
namespace {

constexpr int kMaxRecentFiles = 8;
const QString kRecentKey = QStringLiteral("recentModels");

QString summaryHtml(const QString& path, const core::Model& model) {
    const QLocale locale;
    const auto hp = model.hparams();
    const QFileInfo info(path);
    QString html = QStringLiteral("<b>%1</b> <small>(%2)</small>")
                       .arg(info.fileName().toHtmlEscaped(),
                            QString::fromLatin1(core::modelFormatName(model.format())));
    auto row = [&html](const QString& label, const QString& value) {
        html += QStringLiteral("<br>%1: <b>%2</b>").arg(label, value);
    };
    row(MainWindow::tr("Architecture"), QString::fromStdString(hp.architecture).toHtmlEscaped());
    row(MainWindow::tr("Parameters"),
        locale.toString(static_cast<qulonglong>(model.parameterCount())));
    row(MainWindow::tr("Layers"), QString::number(hp.blockCount));
    row(MainWindow::tr("Heads / KV heads"),
        QStringLiteral("%1 / %2").arg(hp.headCount).arg(hp.headCountKv));
    row(MainWindow::tr("Embedding / FFN"),
        QStringLiteral("%1 / %2").arg(hp.embeddingLength).arg(hp.feedForwardLength));
    row(MainWindow::tr("Context"), QString::number(hp.contextLength));
    row(MainWindow::tr("Vocabulary"), QString::number(hp.vocabSize));
    row(MainWindow::tr("File size"),
        locale.formattedDataSize(static_cast<qint64>(model.fileBytes())));
    row(MainWindow::tr("Bits per weight"), locale.toString(model.bitsPerWeight(), 'f', 3));
    return html;
}

QString typeName(core::GgmlType type) {
    const auto name = core::ggmlTypeInfo(type).name;
    return QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
}

} // namespace

struct MainWindow::PendingSession {
    QString path;
    Session session;
};

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_ui(std::make_unique<::Ui::MainWindow>())
    , m_tensorTree(new TensorTreeModel(this))
    , m_logDock(new LogDock(this))
    , m_openJob(new JobRunner(this))
    , m_plan(new PlanDocument(this))
    , m_planEditor(nullptr)
    , m_runJob(new JobRunner(this))
    , m_results(new ResultsTableModel(this))
    , m_runProgress(new QProgressBar(this))
    , m_runLabel(new QLabel(this))
    , m_cancelButton(new QToolButton(this))
    , m_backendLabel(new QLabel(this))
    , m_errorPlot(nullptr)
    , m_memoryPlot(nullptr) {
    m_ui->setupUi(this);
    m_planEditor = new PlanEditor(m_plan, m_ui->workTabs);
    m_ui->workTabs->addTab(m_planEditor, tr("&Plan"));
    // The optimizer measures with whatever importance matrix is loaded at that moment.
    m_planEditor->optimizerPanel()->setImatrixProvider([this] { return m_imatrix; });

    auto* resultsView = new QTableView(m_ui->workTabs);
    resultsView->setObjectName(QStringLiteral("resultsView"));
    auto* sorted = new QSortFilterProxyModel(resultsView);
    sorted->setSourceModel(m_results);
    sorted->setSortRole(Qt::EditRole);
    resultsView->setModel(sorted);
    resultsView->setSortingEnabled(true);
    resultsView->sortByColumn(-1, Qt::AscendingOrder);
    resultsView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    resultsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    resultsView->verticalHeader()->hide();
    resultsView->verticalHeader()->setDefaultSectionSize(resultsView->fontMetrics().height() + 6);
    m_ui->workTabs->addTab(resultsView, tr("&Results"));
    connect(resultsView, &QAbstractItemView::activated, this, [this](const QModelIndex& idx) {
        const QVariant tensor = idx.data(ResultsTableModel::TensorIndexRole);
        m_ui->workTabs->setCurrentWidget(m_planEditor);
        m_planEditor->selectTensor(static_cast<std::size_t>(tensor.toULongLong()));
    });

    // Plots: per-layer error of the last run, and the plan's memory against FP16.
    m_errorPlot = new ErrorPlot(m_ui->workTabs);
    m_errorPlot->setObjectName(QStringLiteral("errorPlot"));
    m_ui->workTabs->addTab(m_errorPlot, tr("&Error"));
    m_memoryPlot = new MemoryPlot(m_ui->workTabs);
    m_memoryPlot->setObjectName(QStringLiteral("memoryPlot"));
    m_ui->workTabs->addTab(m_memoryPlot, tr("&Memory"));
    m_compareView = new CompareView(m_ui->workTabs);
    m_compareView->setPlanProvider([this]() -> std::optional<core::QuantPlan> {
        if (!m_model) {
            return std::nullopt;
        }
        // A plan that keeps every stored type would only repeat the reference row.
        const auto& tensors = m_model->tensors();
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            if (m_plan->typeOf(i) != tensors[i].type) {
                return m_plan->toQuantPlan();
            }
        }
        return std::nullopt;
    });
    m_ui->workTabs->addTab(m_compareView, tr("C&ompare"));
    connect(m_compareView, &CompareView::comparisonFinished, this,
            [this](bool ok, const QString& message) {
                statusBar()->showMessage(ok ? m_compareView->lastMessage()
                                            : tr("Comparison stopped: %1").arg(message));
                emit comparisonFinished(ok);
            });
    auto showTensorInPlan = [this](std::size_t tensor) {
        m_ui->workTabs->setCurrentWidget(m_planEditor);
        m_planEditor->selectTensor(tensor);
    };
    connect(m_errorPlot, &ErrorPlot::tensorClicked, this, showTensorInPlan);
    connect(m_memoryPlot, &MemoryPlot::tensorClicked, this, showTensorInPlan);
    connect(m_plan, &PlanDocument::planChanged, this, [this] {
        if (m_plan->model()) {
            m_memoryPlot->setPlan(*m_plan->model(), m_plan->types());
        } else {
            m_memoryPlot->clear();
        }
    });

    // Run progress lives in the status bar and is visible only while a run is going.
    m_runProgress->setObjectName(QStringLiteral("runProgress"));
    m_runProgress->setMaximumWidth(220);
    m_cancelButton->setDefaultAction(m_ui->actionCancelRun);
    statusBar()->addPermanentWidget(m_runLabel);
    statusBar()->addPermanentWidget(m_runProgress);
    statusBar()->addPermanentWidget(m_cancelButton);
    m_backendLabel->setObjectName(QStringLiteral("backendLabel"));
    statusBar()->addPermanentWidget(m_backendLabel);
    setComputeBackend(nullptr, QString());
    for (QWidget* w : {static_cast<QWidget*>(m_runLabel), static_cast<QWidget*>(m_runProgress),
                       static_cast<QWidget*>(m_cancelButton)}) {
        w->hide();
    }
    m_ui->actionRun->setEnabled(false);
    m_ui->actionCancelRun->setEnabled(false);
    m_ui->actionExport->setEnabled(false);
    connect(m_ui->actionExport, &QAction::triggered, this, &MainWindow::showExportDialog);
    connect(m_ui->actionRun, &QAction::triggered, this, &MainWindow::runPlan);
    connect(m_ui->actionCancelRun, &QAction::triggered, this, &MainWindow::cancelRun);
    connect(m_runJob, &JobRunner::progressChanged, this,
            [this](quint64 done, quint64 total, const QString&, const QString& what) {
                showRunProgress(done, total, what);
            });
    connect(m_runJob, &JobRunner::itemReady, this, [this](const QVariant& item) {
        const auto result = item.value<core::TensorQuantResult>();
        m_results->append(result);
        m_errorPlot->addResult(result);
    });
    connect(m_runJob, &JobRunner::succeeded, this, [this] { runEnded(true, {}); });
    connect(m_runJob, &JobRunner::failed, this, [this](int code, const QString& message) {
        // Into the log dock as well as the status line, which the next message replaces: a
        // refused input (a NaN weight, a bad imatrix) names the file and place there.
        if (code == static_cast<int>(core::ErrorCode::Cancelled)) {
            core::coreLog().info("Run cancelled");
        } else {
            core::coreLog().error("Run stopped: {}", message.toStdString());
        }
        runEnded(false, message);
    });
    m_ui->mainSplitter->setSizes({420, 860});
    m_ui->tensorTree->setModel(m_tensorTree);
    m_ui->tensorTree->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    // Activating a tensor in the tree shows its cell in the plan grid.
    connect(m_ui->tensorTree, &QAbstractItemView::activated, this, [this](const QModelIndex& idx) {
        const QVariant tensor = idx.siblingAtColumn(0).data(TensorTreeModel::TensorIndexRole);
        if (tensor.toLongLong() >= 0) {
            m_ui->workTabs->setCurrentWidget(m_planEditor);
            m_planEditor->selectTensor(static_cast<std::size_t>(tensor.toLongLong()));
        }
    });

    // Per-tensor override: the tree's context menu sets one tensor's format (undoable).
    m_ui->tensorTree->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(
        m_ui->tensorTree, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
            const QModelIndex idx = m_ui->tensorTree->indexAt(pos);
            const QVariant tensor = idx.siblingAtColumn(0).data(TensorTreeModel::TensorIndexRole);
            if (!idx.isValid() || !m_model || tensor.toLongLong() < 0) {
                return;
            }
            QMenu* menu = tensorFormatMenu(static_cast<std::size_t>(tensor.toLongLong()), this);
            menu->setAttribute(Qt::WA_DeleteOnClose);
            menu->popup(m_ui->tensorTree->viewport()->mapToGlobal(pos));
        });
    m_imatrixLabel = new QLabel(this);
    m_imatrixLabel->setObjectName(QStringLiteral("imatrixLabel"));
    m_imatrixLabel->setWordWrap(true);
    m_ui->modelPanelLayout->insertWidget(1, m_imatrixLabel);
    m_imatrixJob = new JobRunner(this);
    showImatrixInfo();

    addDockWidget(Qt::BottomDockWidgetArea, m_logDock);
    m_ui->menuView->addAction(m_logDock->toggleViewAction());
    m_logDock->toggleViewAction()->setShortcut(QKeySequence(QStringLiteral("Ctrl+L")));
    resizeDocks({m_logDock}, {140}, Qt::Vertical);

    connect(m_ui->actionOpen, &QAction::triggered, this, &MainWindow::chooseAndOpenModel);
    connect(m_ui->actionOpenFolder, &QAction::triggered, this, &MainWindow::chooseAndOpenFolder);
    connect(m_ui->actionQuit, &QAction::triggered, this, &QWidget::close);
    connect(m_ui->actionAbout, &QAction::triggered, this, &MainWindow::showAbout);
    rebuildRecentMenu();
    createExtraActions();
    applySettings(AppSettings::load());
}

MainWindow::~MainWindow() = default;

void MainWindow::openModel(const QString& path) {
    if (m_openJob->isRunning()) {
        statusBar()->showMessage(tr("Still opening %1").arg(m_openJob->title()));
        return;
    }
    statusBar()->showMessage(tr("Opening %1…").arg(path));
    // Opening maps the files and parses headers only, but a sharded checkpoint on a slow disk
    // can still take a moment: keep it off the GUI thread.
    auto result = std::make_shared<std::shared_ptr<const core::Model>>();
    const std::string nativePath = path.toStdString();
    m_openJob->disconnect(this);
    connect(m_openJob, &JobRunner::succeeded, this,
            [this, path, result] { showModel(path, *result); });
    connect(m_openJob, &JobRunner::failed, this,
            [this, path](int, const QString& message) { showOpenError(path, message); });
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

void MainWindow::showModel(const QString& path, std::shared_ptr<const core::Model> model) {
    m_model = std::move(model);
    m_modelPath = QFileInfo(path).absoluteFilePath();
    m_tensorTree->setModel(m_model);
    m_plan->setModel(m_model);
    m_results->clear();
    m_errorPlot->setModel(*m_model);
    m_ui->actionRun->setEnabled(!m_runJob->isRunning());
    m_ui->actionExport->setEnabled(true);
    m_compareView->setModelPath(m_modelPath);
    // An importance matrix belongs to the model it was collected on.
    clearImatrix();
    m_ui->tensorTree->expandToDepth(0);
    m_ui->tensorTree->collapseAll();
    m_ui->modelSummaryLabel->setText(summaryHtml(m_modelPath, *m_model));
    const QString name = QFileInfo(m_modelPath).fileName();
    setWindowTitle(tr("%1 — Quantscope").arg(name));
    statusBar()->showMessage(
        tr("Opened %1: %n tensor(s)", nullptr, static_cast<int>(m_model->tensors().size()))
            .arg(name));
    addRecentFile(m_modelPath);
    emit modelOpened(m_modelPath);
    if (m_pendingSession) {
        restorePendingSession();
    }
}

void MainWindow::runPlan() {
    if (!m_model || m_runJob->isRunning()) {
        return;
    }
    m_runDir = std::make_unique<QTemporaryDir>();
    if (!m_runDir->isValid()) {
        runEnded(false, tr("Cannot create a scratch folder: %1").arg(m_runDir->errorString()));
        return;
    }
    m_results->clear();
    m_errorPlot->setModel(*m_model);
    m_ui->actionRun->setEnabled(false);
    m_ui->actionCancelRun->setEnabled(true);
    for (QWidget* w : {static_cast<QWidget*>(m_runLabel), static_cast<QWidget*>(m_runProgress),
                       static_cast<QWidget*>(m_cancelButton)}) {
        w->show();
    }
    m_runProgress->setRange(0, static_cast<int>(m_model->tensors().size()));
    m_runProgress->setValue(0);
    m_runStartedMs = QDateTime::currentMSecsSinceEpoch();

    // The worker gets its own references: the model stays alive even if another is opened.
    std::shared_ptr<const core::Model> model = m_model;
    const core::QuantPlan plan = m_plan->toQuantPlan();
    const std::string output = m_runDir->filePath(QStringLiteral("run.gguf")).toStdString();
    const unsigned threads =
        static_cast<unsigned>(m_threads > 0 ? m_threads : std::max(1, QThread::idealThreadCount()));
    std::shared_ptr<core::ComputeBackend> backend = m_backend;
    std::shared_ptr<const core::ImportanceMatrix> imatrix = m_imatrix;
    const std::string imatrixName = QFileInfo(m_imatrixPath).fileName().toStdString();
    m_runJob->start(tr("Run plan"), [model, plan, output, threads, backend, imatrix, imatrixName](
                                        core::CancelToken& cancel, core::ProgressSink& progress,
                                        const JobRunner::ItemSink& post) {
        core::QuantizeOptions options;
        options.threads = threads;
        options.backend = backend.get();
        options.imatrix = imatrix.get();
        options.imatrixFileName = imatrixName;
        auto report = core::quantizeModel(
            *model, plan, output, options, cancel, progress,
            [&post](const core::TensorQuantResult& r) { post(QVariant::fromValue(r)); });
        return report ? core::Status() : core::Status(report.error());
    });
}

void MainWindow::setComputeBackend(std::shared_ptr<core::ComputeBackend> backend,
                                   const QString& note) {
    m_backend = std::move(backend);
    m_compareView->setComputeBackend(m_backend);
    m_backendLabel->setText(m_backend ? QString::fromStdString(m_backend->name()) : tr("CPU"));
    m_backendLabel->setToolTip(note.isEmpty() ? tr("Device used to dequantize during runs") : note);
}

bool MainWindow::showTab(const QString& name) {
    const QHash<QString, QWidget*> tabs = {
        {QStringLiteral("plan"), m_planEditor},
        {QStringLiteral("results"),
         m_ui->workTabs->findChild<QWidget*>(QStringLiteral("resultsView"))},
        {QStringLiteral("error"), m_errorPlot},
        {QStringLiteral("memory"), m_memoryPlot},
        {QStringLiteral("compare"), m_compareView}};
    // "compare-kld", "compare-ppl", "compare-speed": the comparison tab with that plot.
    const QString lower = name.toLower();
    if (lower.startsWith(QLatin1String("compare-"))) {
        if (!m_compareView->showPlot(lower.mid(8))) {
            return false;
        }
        m_ui->workTabs->setCurrentWidget(m_compareView);
        return true;
    }
    QWidget* tab = tabs.value(lower);
    if (!tab) {
        return false;
    }
    m_ui->workTabs->setCurrentWidget(tab);
    return true;
}

void MainWindow::showExportDialog() {
    if (!m_model) {
        return;
    }
    auto* dialog = new ExportDialog(m_model, m_plan->toQuantPlan(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setImatrixPath(m_imatrixPath);
    connect(dialog, &ExportDialog::openRequested, this, &MainWindow::openModel);
    connect(dialog, &ExportDialog::exported, this,
            [this](const QString& path) { statusBar()->showMessage(tr("Exported %1").arg(path)); });
    dialog->open();
}

void MainWindow::cancelRun() {
    m_runJob->requestCancel();
    m_runLabel->setText(tr("Cancelling…"));
}

void MainWindow::showRunProgress(quint64 done, quint64 total, const QString& what) {
    m_runProgress->setMaximum(static_cast<int>(total));
    m_runProgress->setValue(static_cast<int>(done));
    QString eta;
    const qint64 elapsed = QDateTime::currentMSecsSinceEpoch() - m_runStartedMs;
    if (done > 0 && done < total) {
        const double remainingSeconds = elapsed / 1000.0 * double(total - done) / double(done);
        eta = tr(", about %1 s left").arg(remainingSeconds, 0, 'f', 0);
    }
    m_runLabel->setText(tr("%1/%2 tensors%3 — %4").arg(done).arg(total).arg(eta, what));
}

void MainWindow::runEnded(bool ok, const QString& message) {
    for (QWidget* w : {static_cast<QWidget*>(m_runLabel), static_cast<QWidget*>(m_runProgress),
                       static_cast<QWidget*>(m_cancelButton)}) {
        w->hide();
    }
    m_ui->actionRun->setEnabled(m_model != nullptr);
    m_ui->actionCancelRun->setEnabled(false);
    const double seconds = (QDateTime::currentMSecsSinceEpoch() - m_runStartedMs) / 1000.0;
    if (ok) {
        statusBar()->showMessage(tr("Run finished: %n tensor(s) in %1 s", nullptr,
                                    static_cast<int>(m_results->rowCount()))
                                     .arg(seconds, 0, 'f', 1));
        m_ui->workTabs->setCurrentIndex(m_ui->workTabs->indexOf(
            m_ui->workTabs->findChild<QWidget*>(QStringLiteral("resultsView"))));
    } else {
        statusBar()->showMessage(tr("Run stopped: %1").arg(message));
    }
    // The scratch output is only for measuring; nothing of a failed run stays on disk.
    if (!ok) {
        m_runDir.reset();
    }
    emit runFinished(ok);
}

void MainWindow::showOpenError(const QString& path, const QString& message) {
    m_pendingSession.reset();
    statusBar()->showMessage(tr("Open failed"));
    m_ui->modelSummaryLabel->setText(
        tr("<b>Cannot open %1</b><br>%2").arg(path.toHtmlEscaped(), message.toHtmlEscaped()));
    emit openFailed(path, message);
}

void MainWindow::chooseAndOpenModel() {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open Model"), QFileInfo(m_modelPath).absolutePath(),
                                     tr("Models (*.gguf *.safetensors *.bin);;All files (*)"));
    if (!path.isEmpty()) {
        openModel(path);
    }
}

void MainWindow::chooseAndOpenFolder() {
    const QString path = QFileDialog::getExistingDirectory(
        this, tr("Open Hugging Face Model Folder"), QFileInfo(m_modelPath).absolutePath());
    if (!path.isEmpty()) {
        openModel(path);
    }
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls() && event->mimeData()->urls().size() == 1 &&
        event->mimeData()->urls().first().isLocalFile()) {
        event->acceptProposedAction();
    }
}

void MainWindow::dropEvent(QDropEvent* event) {
    openModel(event->mimeData()->urls().first().toLocalFile());
    event->acceptProposedAction();
}

void MainWindow::addRecentFile(const QString& path) {
    QSettings settings;
    QStringList recent = settings.value(kRecentKey).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecentFiles) {
        recent.removeLast();
    }
    settings.setValue(kRecentKey, recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
    m_ui->menuRecent->clear();
    const QStringList recent = QSettings().value(kRecentKey).toStringList();
    for (int i = 0; i < recent.size(); ++i) {
        QAction* action = m_ui->menuRecent->addAction(
            QStringLiteral("&%1 %2").arg(i + 1).arg(QFileInfo(recent[i]).fileName()));
        action->setToolTip(recent[i]);
        const QString path = recent[i];
        connect(action, &QAction::triggered, this, [this, path] { openModel(path); });
    }
    m_ui->menuRecent->setEnabled(!recent.isEmpty());
}

void MainWindow::showAbout() {
    QMessageBox::about(this, tr("About Quantscope"),
                       tr("<b>Quantscope %1</b><p>A workbench for quantizing large language "
                          "models: per-layer formats, error against FP16, GGUF and GPTQ export.")
                           .arg(QString::fromLatin1(core::kVersion)));
}

} // namespace qs::ui

namespace qs::ui {

void MainWindow::createExtraActions() {
    // File menu: plans, sessions and importance matrices, above Export.
    QAction* before = m_ui->actionExport;
    auto add = [this, before](QMenu* menu, const QString& text, const QString& name,
                              const QKeySequence& key, void (MainWindow::*slot)()) {
        auto* action = new QAction(text, this);
        action->setObjectName(name);
        action->setShortcut(key);
        connect(action, &QAction::triggered, this, slot);
        menu->insertAction(menu == m_ui->menuFile ? before : nullptr, action);
        return action;
    };
    QMenu* file = m_ui->menuFile;
    add(file, tr("Load &Plan…"), QStringLiteral("actionLoadPlan"),
        QKeySequence(QStringLiteral("Ctrl+Alt+O")), &MainWindow::chooseAndLoadPlan);
    add(file, tr("&Save Plan…"), QStringLiteral("actionSavePlan"), QKeySequence::Save,
        &MainWindow::chooseAndSavePlan);
    file->insertSeparator(before);
    add(file, tr("Open Sessio&n…"), QStringLiteral("actionLoadSession"),
        QKeySequence(QStringLiteral("Ctrl+Shift+N")), &MainWindow::chooseAndLoadSession);
    add(file, tr("Save Session &As…"), QStringLiteral("actionSaveSession"), QKeySequence::SaveAs,
        &MainWindow::chooseAndSaveSession);
    file->insertSeparator(before);
    add(file, tr("Load &Importance Matrix…"), QStringLiteral("actionLoadImatrix"),
        QKeySequence(QStringLiteral("Ctrl+I")), &MainWindow::chooseAndLoadImatrix);
    add(file, tr("&Collect Importance Matrix…"), QStringLiteral("actionCollectImatrix"),
        QKeySequence(QStringLiteral("Ctrl+Shift+I")), &MainWindow::chooseAndCollectImatrix);
    auto* cancelImatrix = new QAction(tr("Cancel Importance Matrix"), this);
    cancelImatrix->setObjectName(QStringLiteral("actionCancelImatrix"));
    cancelImatrix->setEnabled(false);
    connect(cancelImatrix, &QAction::triggered, m_imatrixJob, &JobRunner::requestCancel);
    connect(m_imatrixJob, &JobRunner::started, cancelImatrix,
            [cancelImatrix] { cancelImatrix->setEnabled(true); });
    connect(m_imatrixJob, &JobRunner::finished, cancelImatrix,
            [cancelImatrix] { cancelImatrix->setEnabled(false); });
    file->insertAction(before, cancelImatrix);
    file->insertSeparator(before);
    auto* settings = new QAction(tr("Se&ttings…"), this);
    settings->setObjectName(QStringLiteral("actionSettings"));
    settings->setShortcut(QKeySequence(QStringLiteral("Ctrl+,")));
    settings->setMenuRole(QAction::PreferencesRole);
    connect(settings, &QAction::triggered, this, &MainWindow::showSettingsDialog);
    file->insertAction(m_ui->actionQuit, settings);
    file->insertSeparator(m_ui->actionQuit);

    auto* compare = new QAction(tr("&Compare Variants"), this);
    compare->setObjectName(QStringLiteral("actionCompare"));
    compare->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+R")));
    compare->setToolTip(tr("Quantize the checked presets and evaluate each against the model"));
    connect(compare, &QAction::triggered, this, &MainWindow::runComparison);
    m_ui->menuQuantize->addSeparator();
    m_ui->menuQuantize->addAction(compare);
    auto* cancelCompare = new QAction(tr("Cancel Co&mparison"), this);
    cancelCompare->setObjectName(QStringLiteral("actionCancelCompare"));
    cancelCompare->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+.")));
    connect(cancelCompare, &QAction::triggered, m_compareView, &CompareView::cancelComparison);
    m_ui->menuQuantize->addAction(cancelCompare);

    // Undo/redo of plan edits from the menu too (the grid has its own shortcuts).
    QAction* undo = m_plan->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    QAction* redo = m_plan->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    redo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_ui->menuQuantize->insertAction(m_ui->actionRun, undo);
    m_ui->menuQuantize->insertAction(m_ui->actionRun, redo);
    m_ui->menuQuantize->insertSeparator(m_ui->actionRun);

    connect(m_imatrixJob, &JobRunner::progressChanged, this,
            [this](quint64 done, quint64 total, const QString& unit, const QString&) {
                statusBar()->showMessage(
                    tr("Importance matrix: %1/%2 %3").arg(done).arg(total).arg(unit));
            });
}

void MainWindow::setBackendFactory(const QStringList& vulkanDevices, BackendFactory factory) {
    m_vulkanDevices = vulkanDevices;
    m_backendFactory = std::move(factory);
}

void MainWindow::applySettings(const AppSettings& settings) {
    m_threads = settings.threads;
    m_compareView->setThreads(settings.threads);
    m_compareView->setCacheDir(settings.cacheDir);
    if (!m_compareView->job()->isRunning()) {
        m_compareView->setTextPath(settings.effectiveEvalText());
    }
    if (m_backendFactory) {
        QString note;
        auto backend = m_backendFactory(settings.backend, settings.deviceIndex, &note);
        setComputeBackend(std::move(backend), note);
    }
}

QString MainWindow::runOutputPath() const {
    return m_runDir ? m_runDir->filePath(QStringLiteral("run.gguf")) : QString();
}

QString MainWindow::backendText() const {
    return m_backendLabel->text();
}

void MainWindow::showSettingsDialog() {
    SettingsDialog dialog(AppSettings::load(), m_vulkanDevices, this);
    if (dialog.exec() != QDialog::Accepted) {
        return;
    }
    const AppSettings settings = dialog.settings();
    settings.save();
    applySettings(settings);
    statusBar()->showMessage(tr("Settings saved"));
}

void MainWindow::runComparison() {
    showTab(QStringLiteral("compare"));
    if (!m_compareView->startComparison()) {
        statusBar()->showMessage(m_compareView->lastMessage());
        emit comparisonFinished(false);
    }
}

QMenu* MainWindow::tensorFormatMenu(std::size_t tensor, QWidget* parent) {
    const auto& info = m_model->tensors().at(tensor);
    auto* menu = new QMenu(tr("Set format of %1").arg(QString::fromStdString(info.name)), parent);
    menu->setObjectName(QStringLiteral("tensorFormatMenu"));
    if (!m_plan->isQuantizable(tensor)) {
        menu->addAction(tr("This tensor keeps its stored type"))->setEnabled(false);
        return menu;
    }
    const core::GgmlType current = m_plan->typeOf(tensor);
    for (const auto& format : core::allQuantFormats()) {
        if (!format.cpuQuantize || !m_plan->typeFits(tensor, format.type)) {
            continue;
        }
        const core::GgmlType type = format.type;
        QAction* action =
            menu->addAction(tr("%1 (%2 bpw, blocks of %3)")
                                .arg(typeName(type))
                                .arg(format.info().bitsPerWeight(), 0, 'g', 5)
                                .arg(format.info().blockSize),
                            this, [this, tensor, type] { m_plan->setTypes({tensor}, type); });
        action->setObjectName(typeName(type));
        action->setCheckable(true);
        action->setChecked(type == current);
    }
    return menu;
}

bool MainWindow::savePlan(const QString& path, QString* error) {
    if (!m_model) {
        if (error) {
            *error = tr("No model is open.");
        }
        return false;
    }
    core::PlanFileInfo info;
    info.model = m_modelPath.toStdString();
    info.source = "quantscope workbench";
    if (auto st = core::writePlanFile(path.toStdString(), m_plan->toQuantPlan(), info); !st) {
        if (error) {
            *error = QString::fromStdString(st.error().message);
        }
        return false;
    }
    statusBar()->showMessage(tr("Saved the plan to %1").arg(path));
    return true;
}

bool MainWindow::loadPlan(const QString& path, QString* message) {
    if (!m_model) {
        if (message) {
            *message = tr("Open a model before loading a plan.");
        }
        return false;
    }
    core::PlanFileInfo info;
    auto plan = core::readPlanFile(path.toStdString(), &info);
    if (!plan) {
        if (message) {
            *message = QString::fromStdString(plan.error().message);
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
    if (message) {
        *message = text;
    }
    statusBar()->showMessage(text);
    if (!report.unknown.isEmpty() || !report.skipped.isEmpty()) {
        spdlog::warn("plan {}: {}", path.toStdString(), text.toStdString());
    }
    return true;
}

bool MainWindow::saveSession(const QString& path, QString* error) {
    Session session;
    session.modelPath = m_modelPath;
    if (m_model) {
        session.plan = m_plan->toQuantPlan();
    }
    session.imatrixPath = m_imatrixPath;
    session.tensorResults = m_results->results();
    session.comparison = m_compareView->table()->variants();
    session.comparePresets = m_compareView->checkedPresets();
    session.compareText = m_compareView->textPath();
    session.compareContext = m_compareView->contextLength();
    session.compareChunks = m_compareView->maxChunks();
    if (auto st = writeSessionFile(path, session); !st) {
        if (error) {
            *error = QString::fromStdString(st.error().message);
        }
        return false;
    }
    m_sessionPath = path;
    statusBar()->showMessage(tr("Saved the session to %1").arg(path));
    return true;
}

bool MainWindow::loadSession(const QString& path, QString* error) {
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
    m_pendingSession = std::make_unique<PendingSession>();
    m_pendingSession->path = path;
    m_pendingSession->session = std::move(session).value();
    m_sessionPath = path;
    openModel(m_pendingSession->session.modelPath);
    return true;
}

void MainWindow::restorePendingSession() {
    const std::unique_ptr<PendingSession> pending = std::move(m_pendingSession);
    const Session& s = pending->session;
    if (s.plan) {
        m_plan->applyPlan(*s.plan, tr("Load session"));
    }
    for (const auto& r : s.tensorResults) {
        if (r.tensorIndex < m_model->tensors().size()) {
            m_results->append(r);
            m_errorPlot->addResult(r);
        }
    }
    if (!s.comparePresets.isEmpty()) {
        m_compareView->setCheckedPresets(s.comparePresets);
    }
    if (!s.compareText.isEmpty()) {
        m_compareView->setTextPath(s.compareText);
    }
    if (s.compareContext > 0) {
        m_compareView->setContextLength(s.compareContext);
    }
    m_compareView->setMaxChunks(s.compareChunks);
    m_compareView->showResults(s.comparison);
    if (!s.imatrixPath.isEmpty()) {
        loadImatrix(s.imatrixPath);
    }
    statusBar()->showMessage(tr("Loaded the session %1").arg(pending->path));
    emit sessionLoaded(pending->path);
}

void MainWindow::loadImatrix(const QString& path) {
    if (m_imatrixJob->isRunning()) {
        emit imatrixFailed(tr("An importance matrix job is already running."));
        return;
    }
    auto holder = std::make_shared<std::shared_ptr<const core::ImportanceMatrix>>();
    const std::string nativePath = path.toStdString();
    m_imatrixJob->disconnect(this);
    connect(m_imatrixJob, &JobRunner::progressChanged, this,
            [this](quint64 done, quint64 total, const QString& unit, const QString&) {
                statusBar()->showMessage(
                    tr("Importance matrix: %1/%2 %3").arg(done).arg(total).arg(unit));
            });
    connect(m_imatrixJob, &JobRunner::succeeded, this, [this, path, holder] {
        m_imatrix = *holder;
        m_imatrixPath = QFileInfo(path).absoluteFilePath();
        m_compareView->setImatrix(m_imatrix, m_imatrixPath);
        showImatrixInfo();
        statusBar()->showMessage(tr("Loaded the importance matrix %1").arg(path));
        emit imatrixChanged(m_imatrixPath);
    });
    connect(m_imatrixJob, &JobRunner::failed, this, [this](int, const QString& message) {
        statusBar()->showMessage(tr("Importance matrix failed: %1").arg(message));
        emit imatrixFailed(message);
    });
    m_imatrixJob->start(
        tr("Load importance matrix"),
        [nativePath, holder](core::CancelToken&, core::ProgressSink&, const JobRunner::ItemSink&) {
            auto read = core::readImatrix(nativePath);
            if (!read) {
                return core::Status(read.error());
            }
            *holder = std::make_shared<const core::ImportanceMatrix>(std::move(read).value());
            return core::Status();
        });
}

bool MainWindow::collectImatrix(const QString& textPath, const QString& outputPath,
                                int contextLength, int maxChunks) {
    if (!m_model || m_imatrixJob->isRunning()) {
        return false;
    }
    auto holder = std::make_shared<std::shared_ptr<const core::ImportanceMatrix>>();
    const std::string model = m_modelPath.toStdString();
    const std::string text = textPath.toStdString();
    const std::string output = outputPath.toStdString();
    const int threads = m_threads > 0 ? m_threads : std::max(1, QThread::idealThreadCount());
    m_imatrixJob->disconnect(this);
    connect(
        m_imatrixJob, &JobRunner::progressChanged, this,
        [this](quint64 done, quint64 total, const QString& unit, const QString&) {
            statusBar()->showMessage(
                tr("Collecting the importance matrix: %1/%2 %3").arg(done).arg(total).arg(unit));
        });
    connect(m_imatrixJob, &JobRunner::succeeded, this, [this, outputPath, holder] {
        m_imatrix = *holder;
        m_imatrixPath = QFileInfo(outputPath).absoluteFilePath();
        m_compareView->setImatrix(m_imatrix, m_imatrixPath);
        showImatrixInfo();
        statusBar()->showMessage(tr("Collected the importance matrix %1").arg(outputPath));
        emit imatrixChanged(m_imatrixPath);
    });
    connect(m_imatrixJob, &JobRunner::failed, this, [this](int, const QString& message) {
        statusBar()->showMessage(tr("Importance matrix failed: %1").arg(message));
        emit imatrixFailed(message);
    });
    return m_imatrixJob->start(
        tr("Collect importance matrix"),
        [model, text, output, threads, contextLength, maxChunks, holder](
            core::CancelToken& cancel, core::ProgressSink& progress, const JobRunner::ItemSink&) {
            auto eval = core::openEvalModel(model);
            if (!eval) {
                return core::Status(eval.error());
            }
            if (!eval->tokenizer) {
                return core::Status(
                    core::makeError(core::ErrorCode::InvalidArgument, model + " has no tokenizer"));
            }
            auto content = core::readEvalText(text);
            if (!content) {
                return core::Status(content.error());
            }
            const auto tokens = eval->tokenizer->encode(*content, true);
            core::ImatrixCollectOptions options;
            options.contextLength = contextLength;
            options.maxChunks = maxChunks;
            options.datasetName = text;
            core::LlamaContext context(eval->weights, contextLength, threads);
            auto matrix = core::collectImatrix(context, tokens, eval->tokenizer->bos(), options,
                                               progress, cancel);
            if (!matrix) {
                return core::Status(matrix.error());
            }
            if (auto st = core::writeImatrix(*matrix, output, core::ImatrixFormat::Gguf); !st) {
                return st;
            }
            *holder = std::make_shared<const core::ImportanceMatrix>(std::move(matrix).value());
            return core::Status();
        });
}

void MainWindow::clearImatrix() {
    m_imatrix.reset();
    m_imatrixPath.clear();
    m_compareView->setImatrix(nullptr, QString());
    showImatrixInfo();
}

void MainWindow::showImatrixInfo() {
    if (!m_imatrix) {
        m_imatrixLabel->setText(tr("Importance matrix: none"));
        m_imatrixLabel->setToolTip(tr("File → Load Importance Matrix, or collect one on a text"));
        return;
    }
    m_imatrixLabel->setText(tr("Importance matrix: <b>%1</b> (%n tensor(s), %2 chunk(s))", nullptr,
                               static_cast<int>(m_imatrix->entries.size()))
                                .arg(QFileInfo(m_imatrixPath).fileName().toHtmlEscaped())
                                .arg(m_imatrix->chunkCount));
    m_imatrixLabel->setToolTip(m_imatrixPath);
}

void MainWindow::chooseAndLoadPlan() {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Load Plan"), QFileInfo(m_modelPath).absolutePath(),
                                     tr("Quantscope plans (*.json);;All files (*)"));
    if (path.isEmpty()) {
        return;
    }
    QString message;
    if (!loadPlan(path, &message)) {
        QMessageBox::warning(this, tr("Load Plan"), message);
    } else if (message.contains(QLatin1Char(':'))) {
        QMessageBox::information(this, tr("Load Plan"), message);
    }
}

void MainWindow::chooseAndSavePlan() {
    if (!m_model) {
        return;
    }
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save Plan"),
        QFileInfo(m_modelPath).absolutePath() + QLatin1Char('/') +
            QFileInfo(m_modelPath).completeBaseName() + QStringLiteral("-plan.json"),
        tr("Quantscope plans (*.json)"));
    QString error;
    if (!path.isEmpty() && !savePlan(path, &error)) {
        QMessageBox::warning(this, tr("Save Plan"), error);
    }
}

void MainWindow::chooseAndLoadSession() {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Session"), QFileInfo(m_sessionPath).absolutePath(),
        tr("Quantscope sessions (*.qsession.json *.json);;All files (*)"));
    QString error;
    if (!path.isEmpty() && !loadSession(path, &error)) {
        QMessageBox::warning(this, tr("Open Session"), error);
    }
}

void MainWindow::chooseAndSaveSession() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save Session"),
        m_sessionPath.isEmpty() ? QFileInfo(m_modelPath).absolutePath() : m_sessionPath,
        tr("Quantscope sessions (*.qsession.json)"));
    QString error;
    if (!path.isEmpty() && !saveSession(path, &error)) {
        QMessageBox::warning(this, tr("Save Session"), error);
    }
}

void MainWindow::chooseAndLoadImatrix() {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Load Importance Matrix"), QFileInfo(m_modelPath).absolutePath(),
        tr("Importance matrices (*.gguf *.dat);;All files (*)"));
    if (!path.isEmpty()) {
        loadImatrix(path);
    }
}

void MainWindow::chooseAndCollectImatrix() {
    if (!m_model) {
        return;
    }
    const QString text = AppSettings::load().effectiveEvalText();
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Collect Importance Matrix on %1").arg(QFileInfo(text).fileName()),
        QFileInfo(m_modelPath).absolutePath() + QLatin1Char('/') +
            QFileInfo(m_modelPath).completeBaseName() + QStringLiteral("-imatrix.gguf"),
        tr("Importance matrices (*.gguf)"));
    if (!path.isEmpty()) {
        collectImatrix(text, path, 512, -1);
    }
}

} // namespace qs::ui
