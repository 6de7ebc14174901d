#include "ui/plan/optimizer_panel.h"

#include "core/export/file_budget.h"
#include "core/model/model.h"
#include "core/plan/llama_presets.h"
#include "core/plan/model_plan.h"
#include "core/workflows/policy.h"
#include "ui/jobs/job_runner.h"
#include "ui/jobs/thread_budget.h"
#include "ui/plan/plan_document.h"
#include "ui/plots/sensitivity_plot.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QStandardPaths>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace qs::ui {
namespace {

constexpr int kSliderSteps = 1000;
constexpr double kGigabyte = 1e9;

QString toQString(std::string_view s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

} // namespace

OptimizerPanel::OptimizerPanel(PlanDocument* document, QWidget* parent)
    : QWidget(parent)
    , m_document(document)
    , m_job(new JobRunner(this))
    , m_kindCombo(new QComboBox(this))
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_spin(new QDoubleSpinBox(this))
    , m_measureButton(new QPushButton(tr("Measure sensitivities"), this))
    , m_cancelButton(new QPushButton(tr("Cancel"), this))
    , m_applyButton(new QPushButton(tr("Apply"), this))
    , m_keepEdits(new QCheckBox(tr("Keep manual edits"), this))
    , m_progress(new QProgressBar(this))
    , m_status(new QLabel(this))
    , m_preview(new QLabel(this))
    , m_plot(new SensitivityPlot(this))
    , m_plotHint(new QLabel(this)) {
    setObjectName(QStringLiteral("optimizerPanel"));
    m_kindCombo->setObjectName(QStringLiteral("optimizerTargetKind"));
    m_slider->setObjectName(QStringLiteral("optimizerSlider"));
    m_spin->setObjectName(QStringLiteral("optimizerTarget"));
    m_measureButton->setObjectName(QStringLiteral("measureSensitivityButton"));
    m_cancelButton->setObjectName(QStringLiteral("cancelSensitivityButton"));
    m_applyButton->setObjectName(QStringLiteral("applyOptimizerButton"));
    m_keepEdits->setObjectName(QStringLiteral("keepManualEdits"));
    m_preview->setObjectName(QStringLiteral("optimizerPreview"));
    m_status->setObjectName(QStringLiteral("optimizerStatus"));
    m_plotHint->setObjectName(QStringLiteral("sensitivityPlotHint"));

    const QString cache = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
    if (!cache.isEmpty()) {
        m_cacheDir = QDir(cache).filePath(QStringLiteral("quantscope/sensitivity"));
    }
    m_options.roleWeights = core::defaultRoleWeights();

    m_kindCombo->addItem(tr("Bits per weight"));
    m_kindCombo->addItem(tr("Size (GB)"));
    m_slider->setRange(0, kSliderSteps);
    m_measureButton->setToolTip(
        tr("Quantize every weight matrix to each candidate format and measure its error "
           "(in the background, with the loaded importance matrix; cached on disk)"));
    m_applyButton->setToolTip(tr("Write the optimized formats into the plan (one undo step)"));
    m_keepEdits->setToolTip(
        tr("Tensors changed by hand after Apply keep their format in the next optimization"));
    m_keepEdits->setChecked(true);
    m_cancelButton->setEnabled(false);
    m_progress->setVisible(false);
    m_preview->setWordWrap(true);
    m_preview->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setWordWrap(true);
    m_plotHint->setWordWrap(true);
    m_plotHint->setAlignment(Qt::AlignCenter);
    m_plotHint->setEnabled(false); // greyed: a placeholder, not a message

    // A narrow column: every width this panel claims is taken from the plan grid beside it.
    // So no row holds more than two controls that cannot shrink (the slider can), the check
    // box's long label (longer in German) has a row of its own, and Cancel shows only beside
    // the progress bar of a running measurement.
    m_cancelButton->setVisible(false);
    auto* measureRow = new QHBoxLayout;
    measureRow->addWidget(m_measureButton);
    measureRow->addStretch();
    auto* progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_cancelButton);
    auto* targetRow = new QHBoxLayout;
    targetRow->addWidget(m_kindCombo, 1);
    targetRow->addWidget(m_spin);
    auto* applyRow = new QHBoxLayout;
    applyRow->addWidget(m_slider, 1);
    applyRow->addWidget(m_applyButton);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* title = new QLabel(tr("<b>Optimize</b>"), this);
    layout->addWidget(title);
    layout->addLayout(measureRow);
    layout->addLayout(progressRow);
    layout->addWidget(m_status);
    layout->addLayout(targetRow);
    layout->addLayout(applyRow);
    layout->addWidget(m_keepEdits);
    layout->addWidget(m_preview);
    layout->addWidget(m_plot, 1);
    layout->addWidget(m_plotHint, 1);

    connect(m_measureButton, &QPushButton::clicked, this, [this] { measure(); });
    connect(m_cancelButton, &QPushButton::clicked, this, &OptimizerPanel::cancelMeasurement);
    connect(m_applyButton, &QPushButton::clicked, this, [this] { apply(); });
    connect(m_kindCombo, &QComboBox::currentIndexChanged, this, [this](int index) {
        setTargetKind(index == 0 ? TargetKind::BitsPerWeight : TargetKind::Gigabytes);
    });
    connect(m_slider, &QSlider::valueChanged, this, &OptimizerPanel::sliderMoved);
    connect(m_spin, &QDoubleSpinBox::valueChanged, this, [this](double value) {
        const QSignalBlocker block(m_slider);
        m_slider->setValue(targetToSlider(value));
        solve();
    });
    connect(m_keepEdits, &QCheckBox::toggled, this, [this] { documentChanged(); });
    connect(m_document, &PlanDocument::planChanged, this, &OptimizerPanel::documentChanged);
    connect(m_plot, &SensitivityPlot::curvesChanged, this, &OptimizerPanel::updatePlotHint);
    connect(m_job, &JobRunner::progressChanged, this,
            [this](quint64 done, quint64 total, const QString& unit, const QString& what) {
                m_progress->setRange(0, 1000);
                m_progress->setValue(total ? static_cast<int>(1000.0 * done / total) : 0);
                m_status->setText(
                    tr("Measuring %1/%2 %3: %4").arg(done).arg(total).arg(unit, what));
            });
    connect(m_job, &JobRunner::started, this, [this] {
        m_progress->setValue(0);
        m_progress->setVisible(true);
        m_cancelButton->setVisible(true);
        m_cancelButton->setEnabled(true);
        m_measureButton->setEnabled(false);
    });
    connect(m_job, &JobRunner::finished, this, [this] {
        m_progress->setVisible(false);
        m_cancelButton->setVisible(false);
        m_cancelButton->setEnabled(false);
        updateMeasureButton();
    });
    connect(m_job, &JobRunner::failed, this, [this](int, const QString& message) {
        m_status->setText(tr("Measuring stopped: %1").arg(message));
        emit measurementFinished(false, message);
    });
    updateRange();
    updatePreview();
    updatePlotHint();
    updateMeasureButton();
}

OptimizerPanel::~OptimizerPanel() {
    m_job->requestCancel();
}

void OptimizerPanel::setImatrixProvider(
    std::function<std::shared_ptr<const core::ImportanceMatrix>()> f) {
    m_imatrixProvider = std::move(f);
}

void OptimizerPanel::setImatrixFileNameProvider(std::function<QString()> f) {
    m_imatrixFileNameProvider = std::move(f);
}

std::vector<core::GgmlType> OptimizerPanel::candidateFormats() const {
    return core::optimizerCandidateFormats(*m_document->model(),
                                           m_imatrixProvider && m_imatrixProvider() != nullptr);
}

bool OptimizerPanel::measure() {
    std::shared_ptr<const core::Model> model = m_document->sharedModel();
    if (!model || m_job->isRunning()) {
        return false;
    }
    std::shared_ptr<const core::ImportanceMatrix> imatrix =
        m_imatrixProvider ? m_imatrixProvider() : nullptr;
    core::SensitivityOptions options;
    options.formats = candidateFormats();
    options.cacheDir = m_cacheDir.toStdString();
    if (m_budget) {
        options.threads = static_cast<unsigned>(m_budget->acquire(m_job));
    }
    // Sizes are the whole file an export of the plan writes, its metadata naming the imatrix.
    const std::string imatrixName =
        imatrix && m_imatrixFileNameProvider ? m_imatrixFileNameProvider().toStdString() : "";
    auto holder = std::make_shared<std::shared_ptr<const core::SensitivityTable>>();
    // The connection is per job, so a stale measurement of another model cannot land.
    auto* context = new QObject(this);
    connect(m_job, &JobRunner::succeeded, context, [this, holder, model, imatrix, imatrixName] {
        if (m_document->model() == model.get()) {
            m_tableModel = model.get();
            m_measuredImatrix = imatrix;
            m_measuredImatrixName = imatrixName;
            measured(*holder);
        }
    });
    connect(m_job, &JobRunner::finished, context, &QObject::deleteLater);
    m_status->setText(imatrix ? tr("Measuring with the importance matrix…")
                              : tr("Measuring (no importance matrix: plain relative error)…"));
    const bool started = m_job->start(
        tr("Measure sensitivities"), [model, imatrix, imatrixName, options, holder](
                                         core::CancelToken& cancel, core::ProgressSink& progress,
                                         const JobRunner::ItemSink&) mutable {
            options.imatrix = imatrix.get();
            auto table = core::measureSensitivity(*model, options, cancel, progress);
            if (!table) {
                return core::Status(table.error());
            }
            core::QuantizeOptions fileOptions;
            fileOptions.imatrix = imatrix.get();
            fileOptions.imatrixFileName = imatrixName;
            table->fileOverheadBytes = core::quantizedFileOverhead(*model, fileOptions);
            *holder = std::make_shared<const core::SensitivityTable>(std::move(table).value());
            return core::Status();
        });
    if (!started) {
        delete context;
    }
    return started;
}

void OptimizerPanel::cancelMeasurement() {
    m_job->requestCancel();
}

void OptimizerPanel::measured(std::shared_ptr<const core::SensitivityTable> table) {
    m_table = std::move(table);
    m_plot->setTable(m_table);
    m_applied.clear();
    m_appliedIndex = -1;

    // Every preset's size and predicted error, once, for the comparison line of the preview.
    m_presets.clear();
    for (const core::LlamaPreset& preset : core::allLlamaPresets()) {
        auto plan = core::buildLlamaPlanForModel(*m_document->model(), preset);
        if (!plan) {
            continue;
        }
        const core::PlanScore score = core::scorePlan(*m_table, *plan, m_options);
        if (score.missing.empty()) {
            // The preset's exact file, as an export with the same imatrix writes it.
            core::QuantizeOptions fileOptions;
            fileOptions.imatrix = m_measuredImatrix.get();
            fileOptions.imatrixFileName = m_measuredImatrixName;
            fileOptions.fileType = static_cast<std::uint32_t>(preset.ftype);
            const std::uint64_t fileBytes =
                core::quantizedFileBytes(*m_document->model(), *plan, fileOptions);
            m_presets.push_back({toQString(preset.name), fileBytes, score.objective});
        }
    }
    m_status->setText(tr("Measured %1 tensors × %2 formats (%3 points from the cache)")
                          .arg(m_table->rows.size())
                          .arg(m_table->formats.size())
                          .arg(m_table->cachedPoints));
    rebuildOptimizer();
    updateRange();
    // Start at the plan's current size, so the first preview is comparable to it.
    const std::uint64_t currentFile = m_document->plannedBytes() + m_table->fileOverheadBytes;
    const double current = m_kind == TargetKind::BitsPerWeight
                               ? m_table->bitsPerWeight(currentFile)
                               : static_cast<double>(currentFile) / kGigabyte;
    setTarget(std::clamp(current, m_low, m_high));
    solve();
    emit measurementFinished(true, QString());
}

void OptimizerPanel::documentChanged() {
    if (m_table && m_document->model() != m_tableModel) {
        // Another model: the table and everything derived from it are void.
        m_table.reset();
        m_tableModel = nullptr;
        m_optimizer.reset();
        m_result.reset();
        m_presets.clear();
        m_applied.clear();
        m_appliedIndex = -1;
        m_plot->setTable(nullptr);
        m_status->clear();
        updateRange();
        updatePreview();
        updateMeasureButton();
        return;
    }
    if (!m_table) {
        // The document tells about a newly opened model only through planChanged: the panel
        // was built before any model and would keep saying there is none.
        updatePreview();
        updatePlotHint();
        updateMeasureButton();
        return;
    }
    // An undone Apply leaves nothing to protect.
    if (m_appliedIndex >= 0 && m_document->undoStack()->index() < m_appliedIndex) {
        m_applied.clear();
        m_appliedIndex = -1;
    }
    std::map<std::string, core::GgmlType> pinned;
    if (m_keepEdits->isChecked() && !m_applied.empty()) {
        const auto& tensors = m_document->model()->tensors();
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            const auto applied = m_applied.find(tensors[i].name);
            if (applied != m_applied.end() && applied->second != m_document->typeOf(i)) {
                pinned[tensors[i].name] = m_document->typeOf(i);
            }
        }
    }
    if (pinned != m_options.pinned) {
        m_options.pinned = std::move(pinned);
        rebuildOptimizer();
        updateRange();
        solve();
    }
}

void OptimizerPanel::rebuildOptimizer() {
    m_optimizer.reset();
    if (m_table) {
        m_optimizer = std::make_unique<core::PlanOptimizer>(*m_table, m_options);
    }
}

void OptimizerPanel::updateRange() {
    const bool ready = m_optimizer != nullptr;
    for (QWidget* w : {static_cast<QWidget*>(m_slider), static_cast<QWidget*>(m_spin),
                       static_cast<QWidget*>(m_kindCombo)}) {
        w->setEnabled(ready);
    }
    m_applyButton->setEnabled(ready && m_result && m_result->feasible);
    if (!ready) {
        return;
    }
    const double lowBytes = static_cast<double>(m_optimizer->minBytes());
    const double highBytes = static_cast<double>(m_optimizer->maxBytes());
    if (m_kind == TargetKind::BitsPerWeight) {
        m_low = m_table->bitsPerWeight(m_optimizer->minBytes());
        m_high = m_table->bitsPerWeight(m_optimizer->maxBytes());
        m_spin->setDecimals(3);
        m_spin->setSuffix(tr(" bpw"));
    } else {
        m_low = lowBytes / kGigabyte;
        m_high = highBytes / kGigabyte;
        // Enough decimals that one slider step is visible, for tiny test models as for 70B.
        const double step = std::max((m_high - m_low) / kSliderSteps, 1e-9);
        m_spin->setDecimals(std::clamp(static_cast<int>(std::ceil(-std::log10(step))), 2, 9));
        m_spin->setSuffix(tr(" GB"));
    }
    const QSignalBlocker block(m_spin);
    m_spin->setRange(m_low, m_high);
    m_spin->setSingleStep(std::max((m_high - m_low) / 100.0, 1e-9));
}

void OptimizerPanel::setTargetKind(TargetKind kind) {
    if (kind == m_kind) {
        return;
    }
    // Keep the same budget in the new unit.
    const double bytes = m_kind == TargetKind::BitsPerWeight && m_table
                             ? target() * static_cast<double>(m_table->totalParameters) / 8.0
                             : target() * kGigabyte;
    m_kind = kind;
    {
        const QSignalBlocker block(m_kindCombo);
        m_kindCombo->setCurrentIndex(kind == TargetKind::BitsPerWeight ? 0 : 1);
    }
    updateRange();
    if (m_table) {
        setTarget(kind == TargetKind::BitsPerWeight
                      ? m_table->bitsPerWeight(static_cast<std::uint64_t>(bytes))
                      : bytes / kGigabyte);
    }
}

void OptimizerPanel::setTarget(double value) {
    // valueChanged moves the slider and solves; an unchanged value still solves once.
    if (m_spin->value() == value) {
        solve();
    } else {
        m_spin->setValue(value);
    }
}

double OptimizerPanel::target() const {
    return m_spin->value();
}

double OptimizerPanel::sliderToTarget(int position) const {
    return m_low + (m_high - m_low) * position / kSliderSteps;
}

int OptimizerPanel::targetToSlider(double value) const {
    if (m_high <= m_low) {
        return 0;
    }
    return static_cast<int>(std::lround((value - m_low) / (m_high - m_low) * kSliderSteps));
}

void OptimizerPanel::sliderMoved(int position) {
    const QSignalBlocker block(m_spin);
    m_spin->setValue(sliderToTarget(position));
    solve();
}

void OptimizerPanel::solve() {
    if (!m_optimizer) {
        m_result.reset();
        updatePreview();
        return;
    }
    // The spin box rounds its range to its decimals; the ends of the slider must still be the
    // smallest and largest plans, not a hair outside them.
    const double value = std::clamp(m_spin->value(), m_low, m_high);
    const core::OptimizerTarget target =
        m_kind == TargetKind::BitsPerWeight
            ? core::OptimizerTarget::bitsPerWeight(value)
            : core::OptimizerTarget::bytes(
                  static_cast<std::uint64_t>(std::llround(value * kGigabyte)));
    m_result = m_optimizer->solve(target);
    std::map<std::string, core::GgmlType> chosen;
    for (std::size_t i = 0; i < m_result->choices.size(); ++i) {
        chosen[m_table->rows[i].name] = m_result->choices[i].type;
    }
    m_plot->setChosen(std::move(chosen));
    m_applyButton->setEnabled(m_result->feasible);
    updatePreview();
    emit resultChanged();
}

void OptimizerPanel::updatePreview() {
    if (!m_result) {
        m_preview->setText(m_document->model() ? tr("Measure the sensitivities to optimize.")
                                               : tr("No model"));
        return;
    }
    const QLocale locale;
    const core::OptimizerResult& r = *m_result;
    // totalBytes allows every tensor the most alignment padding: the file is at most that.
    QString text = tr("Predicted file: at most %1, %2 bits/weight, error %3")
                       .arg(locale.formattedDataSize(static_cast<qint64>(r.totalBytes)))
                       .arg(locale.toString(r.bitsPerWeight, 'f', 3))
                       .arg(locale.toString(r.objective, 'g', 4));
    if (!r.feasible) {
        text += QLatin1Char('\n') + tr("The target is below the smallest possible plan.");
    }
    if (!m_options.pinned.empty()) {
        text += QLatin1Char('\n') + tr("%n tensor(s) kept as edited.", nullptr,
                                       static_cast<int>(m_options.pinned.size()));
    }
    // The preset whose size is closest to the result, with the optimizer's error at exactly
    // the preset's size: the like-for-like comparison.
    const PresetScore* nearest = nullptr;
    for (const PresetScore& preset : m_presets) {
        const auto distance = [&r](const PresetScore& p) {
            return std::abs(static_cast<double>(p.bytes) - static_cast<double>(r.totalBytes));
        };
        if (nearest == nullptr || distance(preset) < distance(*nearest)) {
            nearest = &preset;
        }
    }
    if (nearest != nullptr && m_optimizer) {
        const core::OptimizerResult same =
            m_optimizer->solve(core::OptimizerTarget::bytes(nearest->bytes));
        text +=
            QLatin1Char('\n') +
            tr("Preset %1: %2 bits/weight, error %3 (optimized at that size: %4)")
                .arg(nearest->name)
                .arg(locale.toString(m_table->bitsPerWeight(nearest->bytes), 'f', 3))
                .arg(locale.toString(nearest->objective, 'g', 4))
                .arg(same.feasible ? locale.toString(same.objective, 'g', 4) : tr("not reachable"));
    }
    m_preview->setText(text);
}

void OptimizerPanel::updatePlotHint() {
    // An empty frame with a made-up axis tells nothing: say what would fill it instead.
    const bool empty = m_plot->isEmpty();
    m_plot->setVisible(!empty);
    m_plotHint->setVisible(empty);
    if (!m_document->model()) {
        m_plotHint->setText(tr("Open a model to optimize its plan."));
    } else if (!m_table) {
        m_plotHint->setText(tr("After measuring, the plot shows how a tensor's error falls with "
                               "its bits per weight."));
    } else {
        m_plotHint->setText(tr("Select a cell of the grid to plot its tensor's error against "
                               "its bits per weight."));
    }
}

void OptimizerPanel::updateMeasureButton() {
    m_measureButton->setEnabled(m_document->model() != nullptr && !m_job->isRunning());
}

bool OptimizerPanel::apply() {
    if (!m_result || !m_result->feasible || !m_table) {
        return false;
    }
    const core::QuantPlan plan = m_result->toPlan(*m_table);
    const QLocale locale;
    const QString label =
        tr("Optimize to %1 bits/weight").arg(locale.toString(m_result->bitsPerWeight, 'f', 2));
    m_document->applyPlan(plan, label);
    m_applied.clear();
    for (const core::PlannedTensor& t : plan.tensors()) {
        m_applied[t.name] = t.type;
    }
    m_appliedIndex = m_document->undoStack()->index();
    documentChanged();
    return true;
}

void OptimizerPanel::showTensor(std::size_t tensor) {
    const core::Model* model = m_document->model();
    if (model == nullptr || tensor >= model->tensors().size()) {
        return;
    }
    m_plot->setTensors({model->tensors()[tensor].name});
}

} // namespace qs::ui
