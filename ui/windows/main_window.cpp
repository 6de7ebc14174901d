#include "ui/windows/main_window.h"

#include "ui_main_window.h"

#include "core/compute/compute_backend.h"
#include "core/export/quantize_model.h"
#include "core/io/model_reader.h"
#include "core/model/model.h"
#include "core/version.h"
#include "ui/dialogs/export_dialog.h"
#include "ui/jobs/job_runner.h"
#include "ui/models/results_table_model.h"
#include "ui/models/tensor_tree_model.h"
#include "ui/plan/plan_document.h"
#include "ui/plan/plan_editor.h"
#include "ui/plots/error_plot.h"
#include "ui/plots/memory_plot.h"
#include "ui/widgets/log_dock.h"

#include <QDateTime>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLocale>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QThread>
#include <QToolButton>

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

} // namespace

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
    connect(m_runJob, &JobRunner::failed, this,
            [this](int, const QString& message) { runEnded(false, message); });
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

    addDockWidget(Qt::BottomDockWidgetArea, m_logDock);
    m_ui->menuView->addAction(m_logDock->toggleViewAction());
    m_logDock->toggleViewAction()->setShortcut(QKeySequence(QStringLiteral("Ctrl+L")));
    resizeDocks({m_logDock}, {140}, Qt::Vertical);

    connect(m_ui->actionOpen, &QAction::triggered, this, &MainWindow::chooseAndOpenModel);
    connect(m_ui->actionOpenFolder, &QAction::triggered, this, &MainWindow::chooseAndOpenFolder);
    connect(m_ui->actionQuit, &QAction::triggered, this, &QWidget::close);
    connect(m_ui->actionAbout, &QAction::triggered, this, &MainWindow::showAbout);
    rebuildRecentMenu();
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
    const unsigned threads = static_cast<unsigned>(std::max(1, QThread::idealThreadCount()));
    std::shared_ptr<core::ComputeBackend> backend = m_backend;
    m_runJob->start(tr("Run plan"), [model, plan, output, threads, backend](
                                        core::CancelToken& cancel, core::ProgressSink& progress,
                                        const JobRunner::ItemSink& post) {
        core::QuantizeOptions options;
        options.threads = threads;
        options.backend = backend.get();
        auto report = core::quantizeModel(
            *model, plan, output, options, cancel, progress,
            [&post](const core::TensorQuantResult& r) { post(QVariant::fromValue(r)); });
        return report ? core::Status() : core::Status(report.error());
    });
}

void MainWindow::setComputeBackend(std::shared_ptr<core::ComputeBackend> backend,
                                   const QString& note) {
    m_backend = std::move(backend);
    m_backendLabel->setText(m_backend ? QString::fromStdString(m_backend->name()) : tr("CPU"));
    m_backendLabel->setToolTip(note.isEmpty() ? tr("Device used to dequantize during runs") : note);
}

bool MainWindow::showTab(const QString& name) {
    const QHash<QString, QWidget*> tabs = {
        {QStringLiteral("plan"), m_planEditor},
        {QStringLiteral("results"),
         m_ui->workTabs->findChild<QWidget*>(QStringLiteral("resultsView"))},
        {QStringLiteral("error"), m_errorPlot},
        {QStringLiteral("memory"), m_memoryPlot}};
    QWidget* tab = tabs.value(name.toLower());
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
