#include "ui/dialogs/export_dialog.h"

#include "ui_export_dialog.h"

#include "core/export/quantize_model.h"
#include "core/io/imatrix.h"
#include "core/model/model.h"
#include "core/paths.h"
#include "core/plan/model_plan.h"
#include "core/workflows/calibrated_export.h"
#include "core/workflows/calibrated_export_job.h"
#include "core/workflows/policy.h"
#include "core/workflows/quantize_plan.h"
#include "ui/jobs/job_runner.h"
#include "ui/jobs/thread_budget.h"

#include <QCheckBox>
#include <QDir>
#include <QDirIterator>
#include <QFileDialog>
#include <QFileInfo>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>

#include <algorithm>

namespace qs::ui {
namespace {

constexpr const char* kCurrentPlan = "";

// Bytes of the regular files under `folder` (the written checkpoint).
qint64 folderBytes(const QString& folder) {
    qint64 total = 0;
    QDirIterator it(folder, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        total += it.fileInfo().size();
    }
    return total;
}

// True when `path` is `folder` or lies inside it (both made canonical where they exist).
bool isInsideFolder(const QString& path, const QString& folder) {
    const QString file = QFileInfo(path).canonicalFilePath();
    QString dir = QFileInfo(folder).canonicalFilePath();
    if (dir.isEmpty()) {
        dir = QDir::cleanPath(QFileInfo(folder).absoluteFilePath());
    }
    return !file.isEmpty() && (file == dir || file.startsWith(dir + QLatin1Char('/')));
}

} // namespace

ExportDialog::ExportDialog(std::shared_ptr<const core::Model> model, core::QuantPlan currentPlan,
                           QWidget* parent)
    : QDialog(parent)
    , m_ui(std::make_unique<::Ui::ExportDialog>())
    , m_model(std::move(model))
    , m_currentPlan(std::move(currentPlan))
    , m_job(new JobRunner(this)) {
    m_ui->setupUi(this);
    m_exportButton = m_ui->buttons->addButton(tr("&Export"), QDialogButtonBox::AcceptRole);
    m_exportButton->setObjectName(QStringLiteral("exportButton"));
    m_cancelButton = m_ui->buttons->addButton(tr("&Cancel export"), QDialogButtonBox::RejectRole);
    m_cancelButton->setObjectName(QStringLiteral("cancelExportButton"));
    m_cancelButton->setEnabled(false);
    m_openButton =
        m_ui->buttons->addButton(tr("&Open exported model"), QDialogButtonBox::ActionRole);
    m_openButton->setObjectName(QStringLiteral("openExportedButton"));
    m_openButton->setVisible(false);
    m_ui->progressBar->setVisible(false);

    m_ui->sourceCombo->addItem(tr("Current plan"), QString::fromLatin1(kCurrentPlan));
    for (const auto& preset : core::allLlamaPresets()) {
        const QString name =
            QString::fromUtf8(preset.name.data(), static_cast<qsizetype>(preset.name.size()));
        m_ui->sourceCombo->addItem(tr("Preset %1").arg(name), name);
    }
    const QFileInfo input(QString::fromStdString(m_model->path()));
    // A Hugging Face folder's exports go beside the folder, a file's beside the file.
    const QString inputStem = input.isDir() ? input.fileName() : input.completeBaseName();
    m_folderStem = input.absolutePath() + QLatin1Char('/') + inputStem;
    m_ggufOutput = m_folderStem + QStringLiteral("-quantscope.gguf");
    m_folderOutput = m_folderStem + QStringLiteral("-gptq");
    m_ui->outputEdit->setText(m_ggufOutput);

    m_ui->formatCombo->addItem(tr("GGUF file (llama.cpp)"));
    m_ui->formatCombo->addItem(tr("GPTQ checkpoint folder (calibrated)"));
    m_ui->formatCombo->addItem(tr("AWQ checkpoint folder (calibrated, 4-bit)"));
    for (const int bits : {2, 3, 4, 8}) {
        m_ui->bitsCombo->addItem(QString::number(bits), bits);
    }
    m_ui->bitsCombo->setCurrentIndex(m_ui->bitsCombo->findData(4));
    for (const int group : {32, 64, 128}) {
        m_ui->groupCombo->addItem(QString::number(group), group);
    }
    m_ui->groupCombo->addItem(tr("one per row (-1)"), -1);
    m_ui->groupCombo->setCurrentIndex(m_ui->groupCombo->findData(128));
    m_ui->checkpointFormatCombo->addItem(tr("gptq (AutoGPTQ v1)"), QStringLiteral("gptq"));
    m_ui->checkpointFormatCombo->addItem(tr("gptq_v2"), QStringLiteral("gptq_v2"));
    m_ui->calibEdit->setText(QDir::cleanPath(QString::fromStdString(core::bundledResourcesDir()) +
                                             QStringLiteral("/text/shakespeare-val-a.txt")));
    if (const auto context = m_model->hparams().contextLength; context >= 2) {
        m_ui->seqlenSpin->setMaximum(static_cast<int>(context));
    }

    connect(m_ui->sourceCombo, &QComboBox::currentIndexChanged, this,
            &ExportDialog::updateExpectedSize);
    connect(m_ui->imatrixEdit, &QLineEdit::textChanged, this, &ExportDialog::updateExpectedSize);
    connect(m_ui->formatCombo, &QComboBox::currentIndexChanged, this,
            &ExportDialog::updateTargetPage);
    for (QComboBox* combo : {m_ui->bitsCombo, m_ui->groupCombo, m_ui->checkpointFormatCombo}) {
        connect(combo, &QComboBox::currentIndexChanged, this, &ExportDialog::updateExpectedSize);
    }
    connect(m_ui->calibBrowse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Calibration Text"), QFileInfo(m_ui->calibEdit->text()).absolutePath(),
            tr("Text files (*.txt *.raw);;All files (*)"));
        if (!path.isEmpty()) {
            m_ui->calibEdit->setText(path);
        }
    });
    connect(m_ui->outputBrowse, &QPushButton::clicked, this, [this] {
        if (target() != Target::Gguf) {
            const QString dir = QFileDialog::getExistingDirectory(
                this, tr("Output Folder"), QFileInfo(m_ui->outputEdit->text()).absolutePath());
            if (!dir.isEmpty()) {
                m_ui->outputEdit->setText(dir);
            }
            return;
        }
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export GGUF"), m_ui->outputEdit->text(), tr("GGUF files (*.gguf)"), nullptr,
            QFileDialog::DontConfirmOverwrite);
        if (!path.isEmpty()) {
            m_ui->outputEdit->setText(path);
        }
    });
    connect(m_ui->imatrixBrowse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Importance Matrix"), QString(),
                                                          tr("Importance matrices (*.gguf *.dat)"));
        if (!path.isEmpty()) {
            m_ui->imatrixEdit->setText(path);
        }
    });
    // Calibrated rounding: its text row is live only while it is asked for.
    auto updateRounding = [this] {
        const bool on = m_ui->calibratedRoundingCheck->isChecked();
        for (QWidget* w : {static_cast<QWidget*>(m_ui->roundingTextEdit),
                           static_cast<QWidget*>(m_ui->roundingSamplesSpin),
                           static_cast<QWidget*>(m_ui->roundingTextBrowse)}) {
            w->setEnabled(on);
        }
    };
    connect(m_ui->calibratedRoundingCheck, &QCheckBox::toggled, this, updateRounding);
    updateRounding();
    connect(m_ui->roundingTextBrowse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Calibration text"),
                                                          m_ui->roundingTextEdit->text(),
                                                          tr("Text files (*.txt);;All files (*)"));
        if (!path.isEmpty()) {
            m_ui->roundingTextEdit->setText(path);
        }
    });
    connect(m_exportButton, &QPushButton::clicked, this, [this] { startExport(true); });
    connect(m_cancelButton, &QPushButton::clicked, m_job, &JobRunner::requestCancel);
    connect(m_openButton, &QPushButton::clicked, this, [this] {
        emit openRequested(m_writtenPath);
        accept();
    });
    connect(m_job, &JobRunner::progressChanged, this,
            [this](quint64 done, quint64 total, const QString& unit, const QString& what) {
                m_ui->progressBar->setMaximum(static_cast<int>(total));
                m_ui->progressBar->setValue(static_cast<int>(done));
                if (target() == Target::Gguf) {
                    m_ui->messageLabel->setText(
                        tr("Writing %1 (%2 of %3 tensors)").arg(what).arg(done).arg(total));
                } else if (unit == QLatin1String("linears")) {
                    m_ui->messageLabel->setText(
                        tr("Quantizing %1 (%2 of %3 linears)").arg(what).arg(done).arg(total));
                } else {
                    m_ui->messageLabel->setText(
                        tr("Writing %1 (%2 of %3 %4)").arg(what).arg(done).arg(total).arg(unit));
                }
            });
    connect(m_job, &JobRunner::succeeded, this, [this] { finished(true, {}); });
    connect(m_job, &JobRunner::failed, this,
            [this](int, const QString& message) { finished(false, message); });
    updateTargetPage();
}

ExportDialog::~ExportDialog() = default;

void ExportDialog::setTarget(Target target) {
    m_ui->formatCombo->setCurrentIndex(static_cast<int>(target));
}

ExportDialog::Target ExportDialog::target() const {
    return static_cast<Target>(std::max(0, m_ui->formatCombo->currentIndex()));
}

void ExportDialog::updateTargetPage() {
    const bool gguf = target() == Target::Gguf;
    const bool gptq = target() == Target::Gptq;
    // Each kind keeps its own output path: a GGUF file name is no folder name.
    const QString current = m_ui->outputEdit->text();
    const bool wasFolder = m_ui->pages->currentWidget() == m_ui->calibratedPage;
    (wasFolder ? m_folderOutput : m_ggufOutput) = current;
    // The default folder name follows the method until the user edits it.
    const QString gptqDefault = m_folderStem + QStringLiteral("-gptq");
    const QString awqDefault = m_folderStem + QStringLiteral("-awq");
    if (m_folderOutput == gptqDefault || m_folderOutput == awqDefault) {
        m_folderOutput = gptq ? gptqDefault : awqDefault;
    }
    m_ui->pages->setCurrentWidget(gguf ? m_ui->ggufPage : m_ui->calibratedPage);
    m_ui->outputEdit->setText(gguf ? m_ggufOutput : m_folderOutput);
    m_ui->outputLabel->setText(gguf ? tr("Output file:") : tr("Output folder:"));
    // AWQ is 4-bit with zero points: show that, and give the GPTQ page back the user's choice.
    static const char* kGptqSymmetric = "gptqSymmetric";
    if (!gptq && !gguf) {
        m_ui->bitsCombo->setCurrentIndex(m_ui->bitsCombo->findData(4));
        if (!m_ui->symmetricCheck->property(kGptqSymmetric).isValid()) {
            m_ui->symmetricCheck->setProperty(kGptqSymmetric, m_ui->symmetricCheck->isChecked());
        }
        m_ui->symmetricCheck->setChecked(false);
    } else if (gptq && m_ui->symmetricCheck->property(kGptqSymmetric).isValid()) {
        m_ui->symmetricCheck->setChecked(m_ui->symmetricCheck->property(kGptqSymmetric).toBool());
        m_ui->symmetricCheck->setProperty(kGptqSymmetric, QVariant());
    }
    for (QWidget* w :
         {static_cast<QWidget*>(m_ui->bitsCombo), static_cast<QWidget*>(m_ui->actOrderCheck),
          static_cast<QWidget*>(m_ui->symmetricCheck), static_cast<QWidget*>(m_ui->dampSpin),
          static_cast<QWidget*>(m_ui->checkpointFormatCombo)}) {
        w->setEnabled(gptq);
    }
    setWindowTitle(gguf ? tr("Export GGUF") : (gptq ? tr("Export GPTQ") : tr("Export AWQ")));
    updateExpectedSize();
}

void ExportDialog::setOutputPath(const QString& path) {
    m_ui->outputEdit->setText(path);
}

void ExportDialog::setImatrixPath(const QString& path) {
    m_ui->imatrixEdit->setText(path);
}

QString ExportDialog::lastMessage() const {
    return m_ui->messageLabel->text();
}

core::QuantPlan ExportDialog::chosenPlan(QString* error) const {
    const QString presetName = m_ui->sourceCombo->currentData().toString();
    if (presetName.isEmpty()) {
        return m_currentPlan;
    }
    core::PresetOptions options;
    options.hasImatrix = !m_ui->imatrixEdit->text().trimmed().isEmpty();
    auto plan = core::buildLlamaPlanForModel(
        *m_model, *core::llamaPresetByName(presetName.toStdString()), options);
    if (!plan) {
        *error = QString::fromStdString(plan.error().message);
        return {};
    }
    return std::move(plan).value();
}

void ExportDialog::updateExpectedSize() {
    if (target() != Target::Gguf) {
        core::CalibratedExportOptions options;
        options.method =
            target() == Target::Awq ? core::CalibratedMethod::Awq : core::CalibratedMethod::Gptq;
        options.gptq.bits = m_ui->bitsCombo->currentData().toInt();
        options.gptq.groupSize = m_ui->groupCombo->currentData().toInt();
        options.checkpoint.format =
            m_ui->checkpointFormatCombo->currentData().toString().toStdString();
        if (auto st = core::normalizeCalibratedOptions(options); !st) {
            m_ui->expectedSizeLabel->setText(QString::fromStdString(st.error().message));
            return;
        }
        const quint64 bytes = core::expectedCheckpointBytes(*m_model, options);
        const double bpw =
            m_model->parameterCount() ? 8.0 * bytes / m_model->parameterCount() : 0.0;
        m_ui->expectedSizeLabel->setText(
            tr("Expected size: %1 (%2 bits per weight; other tensors in F16)")
                .arg(QLocale().formattedDataSize(static_cast<qint64>(bytes)))
                .arg(bpw, 0, 'f', 3));
        return;
    }
    QString error;
    const core::QuantPlan plan = chosenPlan(&error);
    if (!error.isEmpty()) {
        m_ui->expectedSizeLabel->setText(error);
        return;
    }
    const quint64 bytes = core::plannedTensorBytes(*m_model, plan);
    const double bpw = m_model->parameterCount() ? 8.0 * bytes / m_model->parameterCount() : 0.0;
    m_ui->expectedSizeLabel->setText(
        tr("Expected size: %1 (%2 bits per weight)")
            .arg(QLocale().formattedDataSize(static_cast<qint64>(bytes)))
            .arg(bpw, 0, 'f', 3));
}

bool ExportDialog::startExport(bool confirmOverwrite) {
    if (m_job->isRunning()) {
        return false;
    }
    const QString output = m_ui->outputEdit->text().trimmed();
    if (target() != Target::Gguf) {
        return startCalibratedExport(output, confirmOverwrite);
    }
    const QFileInfo outInfo(output);
    if (output.isEmpty() || outInfo.isDir()) {
        m_ui->messageLabel->setText(tr("Choose an output file."));
        return false;
    }
    for (const auto& source : m_model->sources()) {
        if (QFileInfo(QString::fromStdString(source->path())).canonicalFilePath() ==
            outInfo.canonicalFilePath()) {
            m_ui->messageLabel->setText(tr("The output would overwrite the model being read: "
                                           "choose another file."));
            return false;
        }
    }
    if (!outInfo.absoluteDir().exists()) {
        m_ui->messageLabel->setText(
            tr("The folder %1 does not exist.").arg(outInfo.absolutePath()));
        return false;
    }
    if (outInfo.exists() && confirmOverwrite &&
        QMessageBox::question(this, tr("Replace file?"),
                              tr("%1 exists. Replace it?").arg(outInfo.fileName())) !=
            QMessageBox::Yes) {
        return false;
    }
    QString error;
    const core::QuantPlan plan = chosenPlan(&error);
    if (!error.isEmpty()) {
        m_ui->messageLabel->setText(error);
        return false;
    }
    const QString presetName = m_ui->sourceCombo->currentData().toString();
    const core::LlamaPreset* preset =
        presetName.isEmpty() ? nullptr : core::llamaPresetByName(presetName.toStdString());
    const std::string imatrixPath = m_ui->imatrixEdit->text().trimmed().toStdString();
    const std::string name = m_ui->nameEdit->text().trimmed().toStdString();
    const std::string author = m_ui->authorEdit->text().trimmed().toStdString();

    // The metadata edits apply to a copy of the model description; tensor bytes stay mapped.
    auto model = std::make_shared<core::Model>(*m_model);
    if (!name.empty()) {
        model->metadata().set("general.name", core::MetaValue(name));
    }
    if (!author.empty()) {
        model->metadata().set("general.author", core::MetaValue(author));
    }
    const std::string outputPath = output.toStdString();
    core::QuantizePlanRequest request;
    request.options.fileType = core::planFileType(*m_model, plan, preset);
    request.options.measureError = false;
    request.options.threads = threads();
    request.imatrixPath = imatrixPath;
    if (m_ui->calibratedRoundingCheck->isChecked()) {
        const QString text = m_ui->roundingTextEdit->text().trimmed();
        if (!QFileInfo(text).isFile()) {
            m_ui->messageLabel->setText(
                text.isEmpty() ? tr("Choose a calibration text for calibrated "
                                    "rounding.")
                               : tr("The calibration text %1 does not exist.").arg(text));
            return false;
        }
        core::CalibratedGgufOptions calibrated;
        calibrated.calibrationText = text.toStdString();
        calibrated.calibration.nsamples = m_ui->roundingSamplesSpin->value();
        calibrated.calibration.seqlen = 256;
        calibrated.calibration.threads = static_cast<int>(request.options.threads);
        calibrated.rounding.threads = request.options.threads;
        request.calibrated = calibrated;
    }

    m_ui->formatCombo->setEnabled(false);
    m_exportButton->setEnabled(false);
    m_cancelButton->setEnabled(true);
    m_openButton->setVisible(false);
    m_ui->progressBar->setVisible(true);
    m_ui->progressBar->setValue(0);
    m_writtenPath = output;
    m_job->start(tr("Export"), [model, plan, outputPath, request](core::CancelToken& cancel,
                                                                  core::ProgressSink& progress,
                                                                  const JobRunner::ItemSink&) {
        auto report = core::quantizePlan(*model, plan, outputPath, request, cancel, progress);
        return report ? core::Status() : core::Status(report.error());
    });
    return true;
}

bool ExportDialog::startCalibratedExport(const QString& output, bool confirmOverwrite) {
    const QFileInfo outInfo(output);
    if (output.isEmpty()) {
        m_ui->messageLabel->setText(tr("Choose an output folder."));
        return false;
    }
    if (outInfo.exists() && !outInfo.isDir()) {
        m_ui->messageLabel->setText(tr("%1 is a file: choose a folder.").arg(output));
        return false;
    }
    for (const auto& source : m_model->sources()) {
        if (isInsideFolder(QString::fromStdString(source->path()), output)) {
            m_ui->messageLabel->setText(tr("The output would overwrite the model being read: "
                                           "choose another folder."));
            return false;
        }
    }
    if (!QFileInfo(outInfo.absolutePath()).isDir()) {
        m_ui->messageLabel->setText(
            tr("The folder %1 does not exist.").arg(outInfo.absolutePath()));
        return false;
    }
    core::CalibratedExportOptions options;
    options.method =
        target() == Target::Awq ? core::CalibratedMethod::Awq : core::CalibratedMethod::Gptq;
    options.gptq.bits = m_ui->bitsCombo->currentData().toInt();
    options.gptq.groupSize = m_ui->groupCombo->currentData().toInt();
    options.gptq.descAct = m_ui->actOrderCheck->isChecked();
    options.gptq.sym = m_ui->symmetricCheck->isChecked();
    options.gptq.dampPercent = m_ui->dampSpin->value() / 100.0;
    options.checkpoint.format = m_ui->checkpointFormatCombo->currentData().toString().toStdString();
    options.calibration.nsamples = m_ui->nsamplesSpin->value();
    options.calibration.seqlen = m_ui->seqlenSpin->value();
    options.calibrationText = m_ui->calibEdit->text().trimmed().toStdString();
    if (auto st = core::normalizeCalibratedOptions(options); !st) {
        m_ui->messageLabel->setText(QString::fromStdString(st.error().message));
        return false;
    }
    if (!QFileInfo(m_ui->calibEdit->text().trimmed()).isFile()) {
        m_ui->messageLabel->setText(
            tr("The calibration text %1 does not exist.").arg(m_ui->calibEdit->text().trimmed()));
        return false;
    }
    const bool nonEmpty =
        outInfo.isDir() && !QDir(output).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot |
                                                 QDir::Hidden | QDir::System);
    if (nonEmpty && confirmOverwrite &&
        QMessageBox::question(this, tr("Replace folder?"),
                              tr("The folder %1 is not empty. Replace it and everything in it "
                                 "once the export is complete?")
                                  .arg(outInfo.fileName())) != QMessageBox::Yes) {
        return false;
    }
    options.replaceExisting = nonEmpty;
    options.calibration.threads = static_cast<int>(threads());

    m_ui->formatCombo->setEnabled(false);
    m_exportButton->setEnabled(false);
    m_cancelButton->setEnabled(true);
    m_openButton->setVisible(false);
    m_ui->progressBar->setVisible(true);
    m_ui->progressBar->setValue(0);
    m_writtenPath = QDir::cleanPath(outInfo.absoluteFilePath());
    std::shared_ptr<const core::Model> model = m_model;
    const std::string outputPath = m_writtenPath.toStdString();
    m_job->start(
        target() == Target::Awq ? tr("AWQ export") : tr("GPTQ export"),
        [model, outputPath, options](core::CancelToken& cancel, core::ProgressSink& progress,
                                     const JobRunner::ItemSink&) {
            auto result = core::runCalibratedExport(*model, outputPath, options, cancel, progress);
            return result ? core::Status() : core::Status(result.error());
        });
    return true;
}

unsigned ExportDialog::threads() {
    return m_budget ? static_cast<unsigned>(m_budget->acquire(m_job)) : 0;
}

void ExportDialog::finished(bool ok, const QString& message) {
    m_ui->formatCombo->setEnabled(true);
    m_exportButton->setEnabled(true);
    m_cancelButton->setEnabled(false);
    m_ui->progressBar->setVisible(false);
    if (ok) {
        const QFileInfo written(m_writtenPath);
        const qint64 size = written.isDir() ? folderBytes(m_writtenPath) : written.size();
        m_ui->messageLabel->setText(
            tr("Exported %1 (%2).").arg(written.fileName(), QLocale().formattedDataSize(size)));
        m_openButton->setVisible(true);
        emit exported(m_writtenPath);
    } else {
        m_ui->messageLabel->setText(tr("Export failed: %1").arg(message));
    }
}

void ExportDialog::done(int result) {
    // Closing while writing cancels the export; the writer then removes its temporary file.
    if (m_job->isRunning()) {
        m_job->requestCancel();
    }
    QDialog::done(result);
}

} // namespace qs::ui
