#include "ui/dialogs/export_dialog.h"

#include "ui_export_dialog.h"

#include "core/export/quantize_model.h"
#include "core/model/model.h"
#include "core/plan/model_plan.h"
#include "core/quant/imatrix.h"
#include "ui/jobs/job_runner.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>

namespace qs::ui {
namespace {

constexpr const char* kCurrentPlan = "";

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
        m_ui->buttons->addButton(tr("&Open exported file"), QDialogButtonBox::ActionRole);
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
    m_ui->outputEdit->setText(input.absolutePath() + QLatin1Char('/') + input.completeBaseName() +
                              QStringLiteral("-quantscope.gguf"));

    connect(m_ui->sourceCombo, &QComboBox::currentIndexChanged, this,
            &ExportDialog::updateExpectedSize);
    connect(m_ui->imatrixEdit, &QLineEdit::textChanged, this, &ExportDialog::updateExpectedSize);
    connect(m_ui->outputBrowse, &QPushButton::clicked, this, [this] {
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
    connect(m_exportButton, &QPushButton::clicked, this, [this] { startExport(true); });
    connect(m_cancelButton, &QPushButton::clicked, m_job, &JobRunner::requestCancel);
    connect(m_openButton, &QPushButton::clicked, this, [this] {
        emit openRequested(m_writtenPath);
        accept();
    });
    connect(m_job, &JobRunner::progressChanged, this,
            [this](quint64 done, quint64 total, const QString&, const QString& what) {
                m_ui->progressBar->setMaximum(static_cast<int>(total));
                m_ui->progressBar->setValue(static_cast<int>(done));
                m_ui->messageLabel->setText(
                    tr("Writing %1 (%2 of %3 tensors)").arg(what).arg(done).arg(total));
            });
    connect(m_job, &JobRunner::succeeded, this, [this] { finished(true, {}); });
    connect(m_job, &JobRunner::failed, this,
            [this](int, const QString& message) { finished(false, message); });
    updateExpectedSize();
}

ExportDialog::~ExportDialog() = default;

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
    const std::uint32_t fileType = preset ? static_cast<std::uint32_t>(preset->ftype) : 0;

    m_exportButton->setEnabled(false);
    m_cancelButton->setEnabled(true);
    m_openButton->setVisible(false);
    m_ui->progressBar->setVisible(true);
    m_ui->progressBar->setValue(0);
    m_writtenPath = output;
    m_job->start(tr("Export"), [model, plan, outputPath, imatrixPath,
                                fileType](core::CancelToken& cancel, core::ProgressSink& progress,
                                          const JobRunner::ItemSink&) {
        core::QuantizeOptions options;
        options.fileType = fileType;
        options.measureError = false;
        std::optional<core::ImportanceMatrix> imatrix;
        if (!imatrixPath.empty()) {
            auto read = core::readImatrix(imatrixPath);
            if (!read) {
                return core::Status(read.error());
            }
            imatrix = std::move(read).value();
            options.imatrix = &*imatrix;
            options.imatrixFileName = imatrixPath;
        }
        auto report = core::quantizeModel(*model, plan, outputPath, options, cancel, progress);
        return report ? core::Status() : core::Status(report.error());
    });
    return true;
}

void ExportDialog::finished(bool ok, const QString& message) {
    m_exportButton->setEnabled(true);
    m_cancelButton->setEnabled(false);
    m_ui->progressBar->setVisible(false);
    if (ok) {
        const QFileInfo written(m_writtenPath);
        m_ui->messageLabel->setText(
            tr("Exported %1 (%2).")
                .arg(written.fileName(), QLocale().formattedDataSize(written.size())));
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
