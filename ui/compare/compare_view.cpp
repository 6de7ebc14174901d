#include "ui/compare/compare_view.h"

#include "core/compute/compute_backend.h"
#include "core/eval/logprob_file.h"
#include "core/io/imatrix.h"
#include "core/model/model.h"
#include "core/plan/llama_presets.h"
#include "core/workflows/compare.h"
#include "core/workflows/compare_variants.h"
#include "core/workflows/policy.h"
#include "ui/compare/comparison_table_model.h"
#include "ui/jobs/job_runner.h"
#include "ui/jobs/thread_budget.h"
#include "ui/plots/comparison_plot.h"
#include "ui/plots/speed_plot.h"
#include "ui/plots/variant_error_plot.h"
#include "ui/settings/app_settings.h"
#include "ui/workspace/workspace.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFont>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHash>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace qs::ui {
namespace {

VariantEvaluation evaluationOf(const core::VariantResult& r) {
    VariantEvaluation e;
    e.name = QString::fromStdString(r.name);
    e.bytes = r.fileBytes;
    e.bpw = r.bitsPerWeight;
    e.ppl = r.kld.ppl;
    e.pplErr = r.kld.pplError;
    // The reference against itself is 0 by definition, as the table shows it; the measured
    // ±1e-7 of float noise would stretch a log axis over four empty decades.
    e.kld = r.isReference ? 0.0 : r.kld.kldMean;
    return e;
}

// List items of file variants carry their path here; presets and the plan have none.
constexpr int kPathRole = Qt::UserRole + 1;

SpeedSample speedOf(const core::VariantResult& r) {
    return {QString::fromStdString(r.name), r.speed->promptProcessing.tokensPerSecond,
            r.speed->generation.tokensPerSecond};
}

} // namespace

CompareView::CompareView(QWidget* parent)
    : QWidget(parent)
    , m_presetList(new QListWidget(this))
    , m_textEdit(new QLineEdit(this))
    , m_referenceEdit(new QLineEdit(this))
    , m_contextSpin(new QSpinBox(this))
    , m_chunksSpin(new QSpinBox(this))
    , m_speedCheck(new QCheckBox(tr("Measure tokens/sec"), this))
    , m_calibratedCheck(new QCheckBox(tr("Also with calibrated rounding, on"), this))
    , m_calibrationEdit(new QLineEdit(this))
    , m_runButton(new QPushButton(tr("&Compare"), this))
    , m_cancelButton(new QPushButton(tr("Cancel"), this))
    , m_csvButton(new QPushButton(tr("Export CSV…"), this))
    , m_progress(new QProgressBar(this))
    , m_statusLabel(new QLabel(this))
    , m_view(new QTableView(this))
    , m_table(new ComparisonTableModel(this))
    , m_kldPlot(new ComparisonPlot(this))
    , m_pplPlot(new ComparisonPlot(this))
    , m_speedPlot(new SpeedPlot(this))
    , m_errorPlot(new VariantErrorPlot(this))
    , m_job(new JobRunner(this)) {
    setObjectName(QStringLiteral("compareView"));
    m_presetList->setObjectName(QStringLiteral("comparePresetList"));
    m_textEdit->setObjectName(QStringLiteral("compareTextEdit"));
    m_contextSpin->setObjectName(QStringLiteral("compareContextSpin"));
    m_chunksSpin->setObjectName(QStringLiteral("compareChunksSpin"));
    m_runButton->setObjectName(QStringLiteral("compareRunButton"));
    m_cancelButton->setObjectName(QStringLiteral("compareCancelButton"));
    m_view->setObjectName(QStringLiteral("compareTable"));
    m_kldPlot->setObjectName(QStringLiteral("compareKldPlot"));
    m_pplPlot->setObjectName(QStringLiteral("comparePplPlot"));
    m_speedPlot->setObjectName(QStringLiteral("compareSpeedPlot"));
    m_errorPlot->setObjectName(QStringLiteral("compareErrorPlot"));

    // The user's plan first (evaluated last), then every llama.cpp preset; the usual ladder
    // and the plan are checked.
    m_planItem = new QListWidgetItem(tr("Current plan"), m_presetList);
    m_planItem->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
    m_planItem->setCheckState(Qt::Checked);
    m_planItem->setToolTip(tr("The plan being edited, compared after the presets when it "
                              "differs from the stored model"));
    QFont bold = m_planItem->font();
    bold.setBold(true);
    m_planItem->setFont(bold);
    const QStringList defaults = defaultPresets();
    for (const auto& preset : core::allLlamaPresets()) {
        const QString name =
            QString::fromUtf8(preset.name.data(), static_cast<qsizetype>(preset.name.size()));
        auto* item = new QListWidgetItem(name, m_presetList);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
        item->setCheckState(defaults.contains(name) ? Qt::Checked : Qt::Unchecked);
        item->setToolTip(QString::fromUtf8(preset.description.data(),
                                           static_cast<qsizetype>(preset.description.size())));
    }
    m_presetList->setToolTip(tr("Presets to quantize and evaluate, in this order, then the "
                                "files and folders added below"));
    updatePresetAvailability();
    auto* addFile = new QToolButton(this);
    addFile->setObjectName(QStringLiteral("compareAddFileButton"));
    addFile->setText(tr("Add file or folder…"));
    addFile->setToolTip(tr("Compare an existing model too: a GGUF file made elsewhere or a "
                           "GPTQ/AWQ checkpoint folder"));
    addFile->setPopupMode(QToolButton::InstantPopup);
    addFile->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto* addMenu = new QMenu(addFile);
    addMenu->addAction(tr("GGUF file…"), this, [this] { addFileVariantInteractively(false); });
    addMenu->addAction(tr("Checkpoint folder (GPTQ/AWQ, Hugging Face)…"), this,
                       [this] { addFileVariantInteractively(true); });
    addFile->setMenu(addMenu);

    auto* browse = new QToolButton(this);
    browse->setText(QStringLiteral("…"));
    browse->setToolTip(tr("Choose the evaluation text"));
    m_textEdit->setText(AppSettings::load().effectiveEvalText());
    m_textEdit->setToolTip(tr("Plain-text file the perplexity and KL divergence are measured on"));
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Evaluation Text"), QFileInfo(m_textEdit->text()).absolutePath(),
            tr("Text files (*.txt *.raw);;All files (*)"));
        if (!path.isEmpty()) {
            m_textEdit->setText(path);
        }
    });
    m_referenceEdit->setObjectName(QStringLiteral("compareReferenceEdit"));
    m_referenceEdit->setReadOnly(true);
    m_referenceEdit->setPlaceholderText(tr("the input model"));
    m_referenceEdit->setToolTip(
        tr("KL divergence is measured against this distribution: the input model's own, or a "
           "file saved by llama-perplexity --kl-divergence-base (llama.cpp's F16 run)"));
    auto* browseReference = new QToolButton(this);
    browseReference->setText(QStringLiteral("…"));
    browseReference->setToolTip(tr("Choose a llama-perplexity --kl-divergence-base file"));
    connect(browseReference, &QToolButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Reference Distribution"), QFileInfo(m_textEdit->text()).absolutePath(),
            tr("KL divergence base files (*.kld *.bin *.dat);;All files (*)"));
        if (!path.isEmpty()) {
            setReferenceFile(path);
        }
    });
    auto* clearReference = new QToolButton(this);
    clearReference->setText(tr("Input model"));
    clearReference->setToolTip(tr("Measure against the input model's own distribution"));
    connect(clearReference, &QToolButton::clicked, this, [this] { setReferenceFile({}); });
    m_contextSpin->setRange(8, 32768);
    m_contextSpin->setValue(512);
    m_contextSpin->setSuffix(tr(" tokens"));
    m_contextSpin->setToolTip(tr("Context length of each evaluated chunk"));
    m_chunksSpin->setRange(0, 100000);
    m_chunksSpin->setValue(0);
    m_chunksSpin->setSpecialValueText(tr("all"));
    m_chunksSpin->setToolTip(tr("Evaluate at most this many chunks of the text"));
    m_calibratedCheck->setObjectName(QStringLiteral("compareCalibratedCheck"));
    m_calibratedCheck->setToolTip(
        tr("Each checked preset again as <preset>+cal: the same types and size, with the block "
           "linears rounded against calibration activations (slower to make)"));
    m_calibrationEdit->setObjectName(QStringLiteral("compareCalibrationEdit"));
    m_calibrationEdit->setPlaceholderText(tr("calibration text"));
    m_calibrationEdit->setEnabled(false);
    connect(m_calibratedCheck, &QCheckBox::toggled, m_calibrationEdit, &QWidget::setEnabled);
    m_speedCheck->setChecked(true);
    m_speedCheck->setToolTip(
        tr("Also measure prompt processing (pp) and generation (tg) speed of each variant"));
    m_cancelButton->setEnabled(false);
    m_csvButton->setEnabled(false);
    m_progress->setVisible(false);
    m_statusLabel->setWordWrap(true);

    auto* settingsBox = new QGroupBox(tr("Variants"), this);
    auto* settingsLayout = new QVBoxLayout(settingsBox);
    settingsLayout->addWidget(m_presetList, 1);
    settingsLayout->addWidget(addFile);
    auto* form = new QFormLayout;
    auto* textRow = new QHBoxLayout;
    textRow->addWidget(m_textEdit, 1);
    textRow->addWidget(browse);
    form->addRow(tr("Text:"), textRow);
    auto* referenceRow = new QHBoxLayout;
    referenceRow->addWidget(m_referenceEdit, 1);
    referenceRow->addWidget(browseReference);
    referenceRow->addWidget(clearReference);
    form->addRow(tr("Reference:"), referenceRow);
    form->addRow(tr("Context:"), m_contextSpin);
    form->addRow(tr("Chunks:"), m_chunksSpin);
    auto* calibratedRow = new QHBoxLayout;
    calibratedRow->addWidget(m_calibratedCheck);
    calibratedRow->addWidget(m_calibrationEdit, 1);
    form->addRow(tr("Rounding:"), calibratedRow);
    settingsLayout->addLayout(form);
    settingsLayout->addWidget(m_speedCheck);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_runButton);
    buttons->addWidget(m_cancelButton);
    settingsLayout->addLayout(buttons);
    settingsLayout->addWidget(m_progress);
    settingsLayout->addWidget(m_statusLabel);
    settingsLayout->addWidget(m_csvButton);

    auto* sorted = new QSortFilterProxyModel(m_view);
    sorted->setSourceModel(m_table);
    sorted->setSortRole(Qt::EditRole);
    m_view->setModel(sorted);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(-1, Qt::AscendingOrder);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    // The header sizes its sections to their contents only when columns change, not when rows
    // stream in: the first row ("Q8_0", "9.5 ± 0.5") would set the widths and clip the wider
    // rows after it. Refit on every row.
    const auto refit = [this] {
        m_view->resizeColumnsToContents();
    };
    connect(sorted, &QAbstractItemModel::rowsInserted, this, refit);
    connect(sorted, &QAbstractItemModel::dataChanged, this, refit);
    connect(sorted, &QAbstractItemModel::modelReset, this, refit);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);

    m_pplPlot->setMetric(ComparisonMetric::Ppl);
    auto* plots = new QTabWidget(this);
    m_plotTabs = plots;
    plots->setObjectName(QStringLiteral("comparePlotTabs"));
    plots->addTab(m_kldPlot, tr("Size vs KLD"));
    plots->addTab(m_pplPlot, tr("Size vs PPL"));
    plots->addTab(m_speedPlot, tr("Speed"));
    plots->addTab(m_errorPlot, tr("Per-layer error"));
    auto* right = new QSplitter(Qt::Vertical, this);
    right->addWidget(m_view);
    right->addWidget(plots);
    right->setStretchFactor(0, 1);
    right->setStretchFactor(1, 2);

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(settingsBox);
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    settingsBox->setMaximumWidth(260);
    split->setSizes({200, 800});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);

    connect(m_runButton, &QPushButton::clicked, this, &CompareView::startComparison);
    connect(m_cancelButton, &QPushButton::clicked, this, &CompareView::cancelComparison);
    connect(m_csvButton, &QPushButton::clicked, this, &CompareView::exportCsvInteractively);
    connect(m_job, &JobRunner::progressChanged, this,
            [this](quint64 done, quint64 total, const QString&, const QString& what) {
                showProgress(done, total, what);
            });
    connect(m_job, &JobRunner::itemReady, this,
            [this](const QVariant& item) { addVariant(item.value<core::VariantResult>()); });
    connect(m_job, &JobRunner::succeeded, this, [this] { finish(true, {}); });
    connect(m_job, &JobRunner::failed, this,
            [this](int, const QString& message) { finish(false, message); });
    updateButtons();
}

CompareView::~CompareView() = default;

QStringList CompareView::defaultPresets() {
    QStringList presets;
    for (const std::string& name : core::defaultComparisonPresets()) {
        presets << QString::fromStdString(name);
    }
    return presets;
}

void CompareView::setWorkspace(Workspace* workspace) {
    m_workspace = workspace;
    setPlanProvider([workspace] { return workspace->changedPlan(); });
    auto follow = [this, workspace] {
        setModelPath(workspace->modelPath());
        setImatrix(workspace->imatrix(), workspace->imatrixPath());
        setComputeBackend(workspace->backend());
    };
    connect(workspace, &Workspace::modelOpened, this, follow);
    connect(workspace, &Workspace::imatrixStateChanged, this, follow);
    connect(workspace, &Workspace::backendChanged, this, follow);
    follow();
}

void CompareView::setModelPath(const QString& path) {
    m_modelPath = path;
    updateButtons();
}

void CompareView::setImatrix(std::shared_ptr<const core::ImportanceMatrix> imatrix,
                             const QString& path) {
    m_imatrix = std::move(imatrix);
    m_imatrixPath = path;
    updatePresetAvailability();
}

// Only presets that can run are offered: those llama-quantize refuses without an importance
// matrix (IQ1/IQ2, Q2_K_S, IQ3_XXS tensors) are greyed out, with the reason, until one is loaded.
void CompareView::updatePresetAvailability() {
    const std::shared_ptr<const core::Model> model =
        m_workspace ? m_workspace->model() : std::shared_ptr<const core::Model>{};
    for (int i = 0; i < m_presetList->count(); ++i) {
        QListWidgetItem* item = m_presetList->item(i);
        if (item == m_planItem || !item->data(kPathRole).toString().isEmpty()) {
            continue;
        }
        const core::LlamaPreset* preset = core::llamaPresetByName(item->text().toStdString());
        if (!preset) {
            continue;
        }
        const bool needsImatrix = model ? core::presetNeedsImatrix(*model, *preset)
                                        : core::llamaPresetRequiresImatrix(preset->ftype);
        const bool runnable = !needsImatrix || m_imatrix != nullptr;
        QString tip = QString::fromUtf8(preset->description.data(),
                                        static_cast<qsizetype>(preset->description.size()));
        if (runnable) {
            item->setFlags(item->flags() | Qt::ItemIsEnabled);
        } else {
            item->setFlags(item->flags() & ~Qt::ItemIsEnabled);
            item->setCheckState(Qt::Unchecked);
            tip += QLatin1Char('\n') + tr("Needs an importance matrix: load or collect one "
                                          "(File menu) to compare this preset.");
        }
        item->setToolTip(tip);
    }
}

QString CompareView::planVariantName() {
    return tr("Current plan");
}

bool CompareView::includePlan() const {
    return m_planItem->checkState() == Qt::Checked;
}

void CompareView::setIncludePlan(bool on) {
    m_planItem->setCheckState(on ? Qt::Checked : Qt::Unchecked);
}

QString CompareView::addFileVariant(const QString& path, const QString& name) {
    const QFileInfo info(path);
    if (path.isEmpty() || !info.exists()) {
        return {};
    }
    const QString base =
        name.isEmpty() ? QString::fromStdString(core::fileVariantName(path.toStdString())) : name;
    QString unique = base;
    for (int n = 2;; ++n) {
        bool taken = false;
        for (int i = 0; i < m_presetList->count(); ++i) {
            taken = taken || m_presetList->item(i)->text() == unique;
        }
        if (!taken) {
            break;
        }
        unique = QStringLiteral("%1 (%2)").arg(base).arg(n);
    }
    auto* item = new QListWidgetItem(unique, m_presetList);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
    item->setCheckState(Qt::Checked);
    item->setData(kPathRole, info.absoluteFilePath());
    item->setToolTip(tr("Evaluated as it is: %1").arg(info.absoluteFilePath()));
    m_presetList->scrollToItem(item);
    return unique;
}

std::vector<core::FileVariant> CompareView::checkedFileVariants() const {
    std::vector<core::FileVariant> files;
    for (int i = 0; i < m_presetList->count(); ++i) {
        const QListWidgetItem* item = m_presetList->item(i);
        const QString path = item->data(kPathRole).toString();
        if (!path.isEmpty() && item->checkState() == Qt::Checked) {
            files.push_back({item->text().toStdString(), path.toStdString()});
        }
    }
    return files;
}

void CompareView::addFileVariantInteractively(bool folder) {
    const QString start = QFileInfo(m_modelPath).absolutePath();
    const QString path =
        folder ? QFileDialog::getExistingDirectory(this, tr("Checkpoint Folder"), start)
               : QFileDialog::getOpenFileName(this, tr("Model File"), start,
                                              tr("GGUF files (*.gguf);;All files (*)"));
    if (!path.isEmpty()) {
        addFileVariant(path);
    }
}

QStringList CompareView::checkedPresets() const {
    QStringList presets;
    for (int i = 0; i < m_presetList->count(); ++i) {
        if (m_presetList->item(i) != m_planItem &&
            m_presetList->item(i)->data(kPathRole).toString().isEmpty() &&
            (m_presetList->item(i)->flags() & Qt::ItemIsEnabled) &&
            m_presetList->item(i)->checkState() == Qt::Checked) {
            presets << m_presetList->item(i)->text();
        }
    }
    return presets;
}

void CompareView::setCheckedPresets(const QStringList& presets) {
    for (int i = 0; i < m_presetList->count(); ++i) {
        QListWidgetItem* item = m_presetList->item(i);
        if (item == m_planItem || !item->data(kPathRole).toString().isEmpty()) {
            continue;
        }
        item->setCheckState(presets.contains(item->text(), Qt::CaseInsensitive) ? Qt::Checked
                                                                                : Qt::Unchecked);
    }
}

QString CompareView::textPath() const {
    return m_textEdit->text();
}

void CompareView::setTextPath(const QString& path) {
    m_textEdit->setText(path);
}

QString CompareView::referenceFile() const {
    return m_referenceEdit->text();
}

bool CompareView::setReferenceFile(const QString& path) {
    if (path.isEmpty()) {
        m_referenceEdit->clear();
        m_contextSpin->setEnabled(true);
        return true;
    }
    // Reads the header only (magic, context, vocabulary, chunk count and the token ids).
    auto file = core::LogProbReader::open(path.toStdString());
    if (!file) {
        m_lastMessage = QString::fromStdString(file.error().message);
        m_statusLabel->setText(m_lastMessage);
        return false;
    }
    m_referenceEdit->setText(path);
    m_contextSpin->setValue(static_cast<int>(file->header().contextLength));
    m_contextSpin->setEnabled(false); // the file's context is the one evaluated
    return true;
}

int CompareView::contextLength() const {
    return m_contextSpin->value();
}

void CompareView::setContextLength(int tokens) {
    m_contextSpin->setValue(tokens);
}

int CompareView::maxChunks() const {
    return m_chunksSpin->value() == 0 ? -1 : m_chunksSpin->value();
}

void CompareView::setMaxChunks(int chunks) {
    m_chunksSpin->setValue(chunks < 0 ? 0 : chunks);
}

bool CompareView::measureSpeed() const {
    return m_speedCheck->isChecked();
}

void CompareView::setMeasureSpeed(bool on) {
    m_speedCheck->setChecked(on);
}

bool CompareView::startComparison() {
    if (m_job->isRunning()) {
        m_lastMessage = tr("A comparison is already running.");
        return false;
    }
    if (m_modelPath.isEmpty()) {
        m_lastMessage = tr("Open a model first.");
        m_statusLabel->setText(m_lastMessage);
        return false;
    }
    const QStringList presets = checkedPresets();
    std::optional<core::QuantPlan> plan;
    if (includePlan() && m_planProvider) {
        plan = m_planProvider();
    }
    const std::vector<core::FileVariant> files = checkedFileVariants();
    if (presets.isEmpty() && !plan && files.empty()) {
        m_lastMessage = tr("Check at least one variant to compare.");
        m_statusLabel->setText(m_lastMessage);
        return false;
    }
    const QString text = textPath();
    if (!QFileInfo(text).isFile()) {
        m_lastMessage = tr("The evaluation text %1 does not exist.").arg(text);
        m_statusLabel->setText(m_lastMessage);
        return false;
    }
    const bool calibrated = m_calibratedCheck->isChecked() && !presets.isEmpty();
    const QString calibrationText = m_calibrationEdit->text().trimmed();
    if (calibrated && !QFileInfo(calibrationText).isFile()) {
        m_lastMessage = calibrationText.isEmpty()
                            ? tr("Choose a calibration text for the calibrated rows.")
                            : tr("The calibration text %1 does not exist.").arg(calibrationText);
        m_statusLabel->setText(m_lastMessage);
        return false;
    }
    m_running = presets;
    if (calibrated) {
        for (const QString& preset : presets) {
            m_running << preset + QStringLiteral("+cal");
        }
    }
    if (plan) {
        m_running << planVariantName();
    }
    for (const auto& f : files) {
        m_running << QString::fromStdString(f.name);
    }
    m_table->clear();
    m_kldPlot->clear();
    m_pplPlot->clear();
    m_speedPlot->clear();
    m_errorPlot->clear();
    m_lastMessage.clear();

    core::CompareVariantsOptions options;
    for (const QString& p : presets) {
        options.presets.push_back(p.toStdString());
    }
    if (plan) {
        core::PlanVariant variant;
        variant.name = planVariantName().toStdString();
        variant.plan = std::move(*plan);
        if (m_workspace && m_workspace->model()) {
            variant.fileType = core::planFileType(*m_workspace->model(), variant.plan);
        }
        options.plans.push_back(std::move(variant));
    }
    options.files = files;
    options.contextLength = contextLength();
    options.maxChunks = maxChunks();
    // Shared with the other jobs of the workspace, so that a run beside it does not
    // oversubscribe the cores.
    options.threads = m_workspace ? m_workspace->threadBudget()->acquire(m_job) : m_threads;
    // Kept alive by the job; only a GPU takes over the forward pass (setComputeBackend).
    std::shared_ptr<core::ComputeBackend> backend =
        m_backend && !m_backend->runsOnHostCpu() ? m_backend : nullptr;
    options.backend = backend.get();
    options.cacheDir = m_cacheDir.toStdString();
    options.referenceFile = referenceFile().toStdString();
    options.measureSpeed = measureSpeed();
    options.imatrixFileName = QFileInfo(m_imatrixPath).fileName().toStdString();
    if (calibrated) {
        core::CalibratedGgufOptions calibration;
        calibration.calibrationText = calibrationText.toStdString();
        calibration.calibration.seqlen = 256;
        calibration.calibration.threads = options.threads;
        calibration.rounding.threads = static_cast<unsigned>(options.threads);
        options.calibrated = calibration;
    }
    const std::string modelPath = m_modelPath.toStdString();
    const std::string textPath = text.toStdString();
    // The worker keeps the matrix alive even if another one is loaded meanwhile.
    std::shared_ptr<const core::ImportanceMatrix> imatrix = m_imatrix;

    m_progress->setRange(0, static_cast<int>(m_running.size() + 1));
    m_progress->setValue(0);
    m_progress->setVisible(true);
    showProgress(0, static_cast<quint64>(m_running.size() + 1), QString());
    m_job->start(tr("Compare variants"), [modelPath, textPath, options, imatrix,
                                          backend](core::CancelToken& cancel,
                                                   core::ProgressSink& progress,
                                                   const JobRunner::ItemSink& post) mutable {
        // Reading the text is file I/O: it belongs on the worker too. The same
        // reader as the CLI's compare and eval, so figures and cache keys agree.
        options.imatrix = imatrix.get();
        const core::CompareRequest request{modelPath, textPath, options, {}};
        auto result =
            core::runComparison(request, cancel, progress, [&post](const core::VariantResult& r) {
                post(QVariant::fromValue(r));
            });
        return result ? core::Status() : core::Status(result.error());
    });
    updateButtons();
    return true;
}

void CompareView::cancelComparison() {
    if (m_job->isRunning()) {
        m_job->requestCancel();
        m_statusLabel->setText(tr("Cancelling…"));
    }
}

bool CompareView::showPlot(const QString& name) {
    const QHash<QString, QWidget*> plots = {{QStringLiteral("kld"), m_kldPlot},
                                            {QStringLiteral("ppl"), m_pplPlot},
                                            {QStringLiteral("speed"), m_speedPlot},
                                            {QStringLiteral("errors"), m_errorPlot}};
    QWidget* plot = plots.value(name.toLower());
    if (!plot) {
        return false;
    }
    m_plotTabs->setCurrentWidget(plot);
    return true;
}

void CompareView::showResults(const std::vector<core::VariantResult>& rows) {
    m_table->clear();
    m_kldPlot->clear();
    m_pplPlot->clear();
    m_speedPlot->clear();
    m_errorPlot->clear();
    for (const auto& r : rows) {
        addVariant(r);
    }
    updateButtons();
}

void CompareView::addVariant(const core::VariantResult& variant) {
    m_table->append(variant);
    if (!variant.error.empty()) {
        return;
    }
    m_kldPlot->addVariant(evaluationOf(variant));
    m_pplPlot->addVariant(evaluationOf(variant));
    m_errorPlot->addVariant(variant);
    if (variant.speed) {
        if (variant.isReference) {
            m_speedPlot->setReference(speedOf(variant));
        } else {
            m_speedPlot->addVariant(speedOf(variant));
        }
    }
    m_csvButton->setEnabled(true);
}

void CompareView::showProgress(quint64 done, quint64 total, const QString&) {
    m_progress->setMaximum(static_cast<int>(total));
    m_progress->setValue(static_cast<int>(done));
    // Progress reports finished variants; the label names the one being worked on now.
    if (done >= total) {
        m_statusLabel->setText(tr("Finishing…"));
        return;
    }
    const QString current =
        done == 0 ? tr("reference") : m_running.value(static_cast<int>(done) - 1);
    m_statusLabel->setText(tr("variant %1/%2: %3").arg(done + 1).arg(total).arg(current));
}

void CompareView::setComputeBackend(std::shared_ptr<core::ComputeBackend> backend) {
    m_backend = std::move(backend);
}

QString CompareView::evaluationDevice() const {
    if (m_backend && !m_backend->runsOnHostCpu()) {
        return QString::fromStdString(m_backend->name());
    }
    return tr("CPU (fused kernels)");
}

void CompareView::finish(bool ok, const QString& message) {
    m_progress->setVisible(false);
    m_lastMessage = ok ? tr("Compared %n variant(s) on %1.", nullptr, m_table->rowCount())
                             .arg(evaluationDevice())
                       : message;
    m_statusLabel->setText(ok ? m_lastMessage : tr("Stopped: %1").arg(message));
    updateButtons();
    emit comparisonFinished(ok, message);
}

void CompareView::updateButtons() {
    const bool running = m_job->isRunning();
    m_runButton->setEnabled(!running && !m_modelPath.isEmpty());
    m_cancelButton->setEnabled(running);
    m_csvButton->setEnabled(!running && m_table->rowCount() > 0);
}

void CompareView::exportCsvInteractively() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Comparison"),
                                                      QFileInfo(m_modelPath).absolutePath(),
                                                      tr("CSV files (*.csv)"));
    if (path.isEmpty()) {
        return;
    }
    QString error;
    if (!m_table->exportCsv(path, &error)) {
        m_statusLabel->setText(tr("Cannot write %1: %2").arg(path, error));
    } else {
        m_statusLabel->setText(tr("Wrote %1").arg(path));
    }
}

} // namespace qs::ui
