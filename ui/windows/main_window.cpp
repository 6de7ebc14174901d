#include "ui/windows/main_window.h"

#include "ui_main_window.h"

#include "core/compute/compute_backend.h"
#include "core/export/quantize_model.h"
#include "core/io/imatrix.h"
#include "core/model/model.h"
#include "core/quant/format_registry.h"
#include "ui/compare/compare_view.h"
#include "ui/compare/comparison_table_model.h"
#include "ui/dialogs/export_dialog.h"
#include "ui/dialogs/settings_dialog.h"
#include "ui/jobs/job_runner.h"
#include "ui/jobs/thread_budget.h"
#include "ui/models/results_table_model.h"
#include "ui/models/tensor_tree_model.h"
#include "ui/plan/optimizer_panel.h"
#include "ui/plan/plan_document.h"
#include "ui/plan/plan_editor.h"
#include "ui/plots/error_plot.h"
#include "ui/plots/memory_plot.h"
#include "ui/settings/app_settings.h"
#include "ui/widgets/log_dock.h"
#include "ui/windows/file_actions.h"
#include "ui/windows/model_summary.h"
#include "ui/windows/session.h"

#include <QDateTime>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QHeaderView>
#include <QMenu>
#include <QMimeData>
#include <QProgressBar>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QToolButton>
#include <QUndoStack>

namespace qs::ui {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_ui(std::make_unique<::Ui::MainWindow>())
    , m_workspace(new Workspace(this))
    , m_tensorTree(new TensorTreeModel(this))
    , m_logDock(new LogDock(this))
    , m_runProgress(new QProgressBar(this))
    , m_runLabel(new QLabel(this))
    , m_cancelButton(new QToolButton(this))
    , m_backendLabel(new QLabel(this)) {
    m_ui->setupUi(this);
    createTabs();
    createStatusBar();
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
            if (!idx.isValid() || !model() || tensor.toLongLong() < 0) {
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
    showImatrixInfo();

    addDockWidget(Qt::BottomDockWidgetArea, m_logDock);
    m_ui->menuView->addAction(m_logDock->toggleViewAction());
    m_logDock->toggleViewAction()->setShortcut(QKeySequence(QStringLiteral("Ctrl+L")));
    resizeDocks({m_logDock}, {140}, Qt::Vertical);
    createMenus();
    connectWorkspace();
    applySettings(AppSettings::load());
}

MainWindow::~MainWindow() = default;

void MainWindow::createTabs() {
    m_planEditor = new PlanEditor(m_workspace->plan(), m_ui->workTabs);
    m_ui->workTabs->addTab(m_planEditor, tr("&Plan"));
    // The grid's heat map colours each tensor by the error the last run measured.
    m_planEditor->setResults(m_workspace->results());
    // The optimizer measures with whatever importance matrix is loaded at that moment, on
    // threads of the budget every job of the workspace shares.
    OptimizerPanel* optimizer = m_planEditor->optimizerPanel();
    optimizer->setImatrixProvider([ws = m_workspace] { return ws->imatrix(); });
    optimizer->setImatrixFileNameProvider(
        [ws = m_workspace] { return QFileInfo(ws->imatrixPath()).fileName(); });
    optimizer->setThreadBudget(m_workspace->threadBudget());

    auto* resultsView = new QTableView(m_ui->workTabs);
    resultsView->setObjectName(QStringLiteral("resultsView"));
    auto* sorted = new QSortFilterProxyModel(resultsView);
    sorted->setSourceModel(m_workspace->results());
    sorted->setSortRole(Qt::EditRole);
    resultsView->setModel(sorted);
    resultsView->setSortingEnabled(true);
    resultsView->sortByColumn(-1, Qt::AscendingOrder);
    resultsView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    resultsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    resultsView->verticalHeader()->hide();
    resultsView->verticalHeader()->setDefaultSectionSize(resultsView->fontMetrics().height() + 6);
    m_ui->workTabs->addTab(resultsView, tr("&Results"));
    m_resultsView = resultsView;
    auto showTensorInPlan = [this](std::size_t tensor) {
        m_ui->workTabs->setCurrentWidget(m_planEditor);
        m_planEditor->selectTensor(tensor);
    };
    connect(resultsView, &QAbstractItemView::activated, this,
            [showTensorInPlan](const QModelIndex& idx) {
                showTensorInPlan(static_cast<std::size_t>(
                    idx.data(ResultsTableModel::TensorIndexRole).toULongLong()));
            });

    // Plots: per-layer error of the last run, and the plan's memory against FP16.
    m_errorPlot = new ErrorPlot(m_ui->workTabs);
    m_errorPlot->setObjectName(QStringLiteral("errorPlot"));
    m_ui->workTabs->addTab(m_errorPlot, tr("&Error"));
    m_memoryPlot = new MemoryPlot(m_ui->workTabs);
    m_memoryPlot->setObjectName(QStringLiteral("memoryPlot"));
    m_ui->workTabs->addTab(m_memoryPlot, tr("&Memory"));
    m_compareView = new CompareView(m_ui->workTabs);
    m_compareView->setWorkspace(m_workspace);
    m_ui->workTabs->addTab(m_compareView, tr("C&ompare"));
    connect(m_compareView, &CompareView::comparisonFinished, this,
            [this](bool ok, const QString& message) {
                statusBar()->showMessage(ok ? m_compareView->lastMessage()
                                            : tr("Comparison stopped: %1").arg(message));
                emit comparisonFinished(ok);
            });
    connect(m_errorPlot, &ErrorPlot::tensorClicked, this, showTensorInPlan);
    connect(m_memoryPlot, &MemoryPlot::tensorClicked, this, showTensorInPlan);
    PlanDocument* plan = m_workspace->plan();
    connect(plan, &PlanDocument::planChanged, this, [this, plan] {
        if (plan->model()) {
            m_memoryPlot->setPlan(*plan->model(), plan->types());
        } else {
            m_memoryPlot->clear();
        }
    });
}

void MainWindow::createStatusBar() {
    // Run progress lives in the status bar and is visible only while a run is going.
    m_runProgress->setObjectName(QStringLiteral("runProgress"));
    m_runProgress->setMaximumWidth(220);
    m_cancelButton->setDefaultAction(m_ui->actionCancelRun);
    statusBar()->addPermanentWidget(m_runLabel);
    statusBar()->addPermanentWidget(m_runProgress);
    statusBar()->addPermanentWidget(m_cancelButton);
    m_backendLabel->setObjectName(QStringLiteral("backendLabel"));
    statusBar()->addPermanentWidget(m_backendLabel);
    setRunWidgetsVisible(false);
    m_ui->actionRun->setEnabled(false);
    m_ui->actionCancelRun->setEnabled(false);
    m_ui->actionExport->setEnabled(false);
    connect(m_ui->actionExport, &QAction::triggered, this, &MainWindow::showExportDialog);
    connect(m_ui->actionRun, &QAction::triggered, this, &MainWindow::runPlan);
    connect(m_ui->actionCancelRun, &QAction::triggered, this, &MainWindow::cancelRun);
}

void MainWindow::createMenus() {
    m_fileActions = new FileActions(this, m_ui->menuFile, m_ui->menuRecent, m_ui->actionExport,
                                    m_ui->actionQuit);
    connect(m_ui->actionOpen, &QAction::triggered, m_fileActions, &FileActions::chooseModel);
    connect(m_ui->actionOpenFolder, &QAction::triggered, m_fileActions, &FileActions::chooseFolder);
    connect(m_ui->actionQuit, &QAction::triggered, this, &QWidget::close);
    connect(m_ui->actionAbout, &QAction::triggered, m_fileActions, &FileActions::showAbout);

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
    QUndoStack* undoStack = m_workspace->plan()->undoStack();
    QAction* undo = undoStack->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    QAction* redo = undoStack->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    redo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_ui->menuQuantize->insertAction(m_ui->actionRun, undo);
    m_ui->menuQuantize->insertAction(m_ui->actionRun, redo);
    m_ui->menuQuantize->insertSeparator(m_ui->actionRun);
}

void MainWindow::connectWorkspace() {
    Workspace* ws = m_workspace;
    connect(ws, &Workspace::message, this,
            [this](const QString& text) { statusBar()->showMessage(text); });
    connect(ws, &Workspace::modelOpened, this, &MainWindow::showModel);
    connect(ws, &Workspace::openFailed, this, &MainWindow::showOpenError);
    connect(ws, &Workspace::backendChanged, this, [this, ws] {
        m_backendLabel->setText(ws->backend() ? QString::fromStdString(ws->backend()->name())
                                              : tr("CPU"));
        m_backendLabel->setToolTip(ws->backendNote().isEmpty()
                                       ? tr("Device used to dequantize during runs")
                                       : ws->backendNote());
    });
    emit ws->backendChanged();
    connect(ws, &Workspace::runStarted, this, &MainWindow::runStarted);
    connect(ws, &Workspace::runProgress, this, &MainWindow::showRunProgress);
    connect(ws, &Workspace::tensorResultAdded, m_errorPlot, &ErrorPlot::addResult);
    connect(ws, &Workspace::runFinished, this, &MainWindow::runEnded);
    connect(ws, &Workspace::imatrixStateChanged, this, &MainWindow::showImatrixInfo);
    connect(ws, &Workspace::imatrixChanged, this, &MainWindow::imatrixChanged);
    connect(ws, &Workspace::imatrixFailed, this, &MainWindow::imatrixFailed);
    connect(ws, &Workspace::sessionRestored, this, &MainWindow::restoreSession);
    connect(ws, &Workspace::sessionLoaded, this, &MainWindow::sessionLoaded);
}

void MainWindow::showModel(const QString& path) {
    const auto& model = *m_workspace->model();
    m_tensorTree->setModel(m_workspace->model());
    m_errorPlot->setModel(model);
    m_ui->actionRun->setEnabled(!m_workspace->isRunning());
    m_ui->actionExport->setEnabled(true);
    m_ui->tensorTree->expandToDepth(0);
    m_ui->tensorTree->collapseAll();
    m_ui->modelSummaryLabel->setText(modelSummaryHtml(path, model));
    const QString name = QFileInfo(path).fileName();
    setWindowTitle(tr("%1 — Quantscope").arg(name));
    statusBar()->showMessage(
        tr("Opened %1: %n tensor(s)", nullptr, static_cast<int>(model.tensors().size())).arg(name));
    m_fileActions->addRecentFile(path);
    emit modelOpened(path);
}

void MainWindow::showOpenError(const QString& path, const QString& message) {
    m_ui->modelSummaryLabel->setText(
        tr("<b>Cannot open %1</b><br>%2").arg(path.toHtmlEscaped(), message.toHtmlEscaped()));
    emit openFailed(path, message);
}

bool MainWindow::showTab(const QString& name) {
    const QHash<QString, QWidget*> tabs = {{QStringLiteral("plan"), m_planEditor},
                                           {QStringLiteral("results"), m_resultsView},
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
    if (!model()) {
        return;
    }
    auto* dialog = new ExportDialog(model(), planDocument()->toQuantPlan(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setImatrixPath(imatrixPath());
    dialog->setThreadBudget(m_workspace->threadBudget());
    connect(dialog, &ExportDialog::openRequested, this, &MainWindow::openModel);
    connect(dialog, &ExportDialog::exported, this,
            [this](const QString& path) { statusBar()->showMessage(tr("Exported %1").arg(path)); });
    dialog->open();
}

void MainWindow::cancelRun() {
    m_workspace->cancelRun();
    m_runLabel->setText(tr("Cancelling…"));
}

void MainWindow::setRunWidgetsVisible(bool visible) {
    for (QWidget* w : {static_cast<QWidget*>(m_runLabel), static_cast<QWidget*>(m_runProgress),
                       static_cast<QWidget*>(m_cancelButton)}) {
        w->setVisible(visible);
    }
}

void MainWindow::runStarted(int tensors) {
    m_errorPlot->setModel(*model());
    m_ui->actionRun->setEnabled(false);
    m_ui->actionCancelRun->setEnabled(true);
    setRunWidgetsVisible(true);
    m_runProgress->setRange(0, tensors);
    m_runProgress->setValue(0);
    m_runStartedMs = QDateTime::currentMSecsSinceEpoch();
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
    setRunWidgetsVisible(false);
    m_ui->actionRun->setEnabled(model() != nullptr);
    m_ui->actionCancelRun->setEnabled(false);
    const double seconds = (QDateTime::currentMSecsSinceEpoch() - m_runStartedMs) / 1000.0;
    if (ok) {
        statusBar()->showMessage(tr("Run finished: %n tensor(s) in %1 s", nullptr,
                                    static_cast<int>(results()->rowCount()))
                                     .arg(seconds, 0, 'f', 1));
        m_ui->workTabs->setCurrentWidget(m_resultsView);
    } else {
        statusBar()->showMessage(tr("Run stopped: %1").arg(message));
    }
    emit runFinished(ok);
}

bool MainWindow::saveSession(const QString& path, QString* error) {
    Session session;
    session.comparison = m_compareView->table()->variants();
    session.comparePresets = m_compareView->checkedPresets();
    session.compareText = m_compareView->textPath();
    session.compareContext = m_compareView->contextLength();
    session.compareChunks = m_compareView->maxChunks();
    return m_workspace->saveSession(path, std::move(session), error);
}

void MainWindow::restoreSession(const Session& s) {
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
}

void MainWindow::showImatrixInfo() {
    const auto matrix = imatrix();
    if (!matrix) {
        m_imatrixLabel->setText(tr("Importance matrix: none"));
        m_imatrixLabel->setToolTip(tr("File → Load Importance Matrix, or collect one on a text"));
        return;
    }
    m_imatrixLabel->setText(tr("Importance matrix: <b>%1</b> (%n tensor(s), %2 chunk(s))", nullptr,
                               static_cast<int>(matrix->entries.size()))
                                .arg(QFileInfo(imatrixPath()).fileName().toHtmlEscaped())
                                .arg(matrix->chunkCount));
    m_imatrixLabel->setToolTip(imatrixPath());
}

void MainWindow::applySettings(const AppSettings& settings) {
    m_workspace->applySettings(settings);
    m_compareView->setThreads(settings.threads);
    m_compareView->setCacheDir(settings.cacheDir);
    if (!m_compareView->job()->isRunning()) {
        m_compareView->setTextPath(settings.effectiveEvalText());
    }
}

QString MainWindow::backendText() const {
    return m_backendLabel->text();
}

void MainWindow::showSettingsDialog() {
    SettingsDialog dialog(AppSettings::load(), m_workspace->vulkanDevices(), this);
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
    PlanDocument* plan = planDocument();
    const auto& info = model()->tensors().at(tensor);
    auto* menu = new QMenu(tr("Set format of %1").arg(QString::fromStdString(info.name)), parent);
    menu->setObjectName(QStringLiteral("tensorFormatMenu"));
    if (!plan->isQuantizable(tensor)) {
        menu->addAction(tr("This tensor keeps its stored type"))->setEnabled(false);
        return menu;
    }
    const core::GgmlType current = plan->typeOf(tensor);
    for (const auto& format : core::allQuantFormats()) {
        if (!format.cpuQuantize || !plan->typeFits(tensor, format.type)) {
            continue;
        }
        const core::GgmlType type = format.type;
        const auto name = core::ggmlTypeInfo(type).name;
        const QString typeName =
            QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
        QAction* action =
            menu->addAction(tr("%1 (%2 bpw, blocks of %3)")
                                .arg(typeName)
                                .arg(format.info().bitsPerWeight(), 0, 'g', 5)
                                .arg(format.info().blockSize),
                            this, [plan, tensor, type] { plan->setTypes({tensor}, type); });
        action->setObjectName(typeName);
        action->setCheckable(true);
        action->setChecked(type == current);
    }
    return menu;
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

} // namespace qs::ui
