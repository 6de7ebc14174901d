#include "core/io/model_reader.h"
#include "core/model/model.h"
#include "core/workflows/calibrated_export.h"
#include "ui/dialogs/export_dialog.h"
#include "ui/jobs/job_runner.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace qs;

namespace {

// A GPTQ export small enough for a test: 2 samples of 32 tokens.
void useTinyCalibration(ui::ExportDialog& dialog) {
    dialog.findChild<QSpinBox*>(QStringLiteral("nsamplesSpin"))->setValue(2);
    dialog.findChild<QSpinBox*>(QStringLiteral("seqlenSpin"))->setValue(32);
}

QStringList entriesOf(const QString& dir) {
    return QDir(dir).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden |
                               QDir::System);
}

} // namespace

class TestExportDialog : public QObject {
    Q_OBJECT

    std::shared_ptr<const core::Model> m_model;

private slots:
    void initTestCase() {
        auto opened = core::openModel(QS_RESOURCES_DIR "/models/shakespeare-3M-f16.gguf");
        QVERIFY(opened.ok());
        m_model = std::make_shared<const core::Model>(std::move(opened).value());
    }

    void exportsPresetWithMetadataAndReopens() {
        QTemporaryDir dir;
        ui::ExportDialog dialog(m_model, core::QuantPlan());
        auto* source = dialog.findChild<QComboBox*>(QStringLiteral("sourceCombo"));
        source->setCurrentIndex(source->findData(QStringLiteral("Q8_0")));
        dialog.findChild<QLineEdit*>(QStringLiteral("nameEdit"))
            ->setText(QStringLiteral("tiny bard"));
        dialog.findChild<QLineEdit*>(QStringLiteral("authorEdit"))
            ->setText(QStringLiteral("Quantscope tests"));
        const QString out = dir.filePath(QStringLiteral("bard-Q8_0.gguf"));
        dialog.setOutputPath(out);
        QSignalSpy exported(&dialog, &ui::ExportDialog::exported);
        QVERIFY(dialog.startExport(false));
        QVERIFY(exported.wait(30000));

        auto reopened = core::openModel(out.toStdString());
        QVERIFY2(reopened.ok(), reopened.ok() ? "" : reopened.error().message.c_str());
        QCOMPARE(reopened->metadata().string("general.name"), std::string("tiny bard"));
        QCOMPARE(reopened->metadata().string("general.author"), std::string("Quantscope tests"));
        QCOMPARE(reopened->metadata().integer("general.file_type").value_or(-1), 7); // Q8_0
        QCOMPARE(reopened->findTensor("blk.0.attn_q.weight")->type, core::GgmlType::Q8_0);
        QCOMPARE(reopened->findTensor("blk.0.attn_norm.weight")->type, core::GgmlType::F32);
        QCOMPARE(reopened->tensors().size(), m_model->tensors().size());
    }

    // Issue 20: "Calibrated" rounding writes the preset's types and sizes with other bytes in
    // the block linears; it needs a calibration text.
    void calibratedRoundingKeepsTypesAndSizes() {
        QTemporaryDir dir;
        auto exportQ4 = [&](const QString& name, bool calibrated, const QString& text) {
            auto dialog = std::make_unique<ui::ExportDialog>(m_model, core::QuantPlan());
            auto* source = dialog->findChild<QComboBox*>(QStringLiteral("sourceCombo"));
            source->setCurrentIndex(source->findData(QStringLiteral("Q4_K_M")));
            dialog->findChild<QCheckBox*>(QStringLiteral("calibratedRoundingCheck"))
                ->setChecked(calibrated);
            dialog->findChild<QLineEdit*>(QStringLiteral("roundingTextEdit"))->setText(text);
            dialog->findChild<QSpinBox*>(QStringLiteral("roundingSamplesSpin"))->setValue(2);
            dialog->setOutputPath(dir.filePath(name));
            return dialog;
        };
        auto missing = exportQ4(QStringLiteral("x.gguf"), true, QString());
        QVERIFY(!missing->startExport(false));
        QVERIFY(missing->lastMessage().contains(QStringLiteral("calibration text")));

        const QString text = QStringLiteral(QS_RESOURCES_DIR "/text/shakespeare-val-a.txt");
        for (bool calibrated : {false, true}) {
            auto dialog =
                exportQ4(calibrated ? QStringLiteral("cal.gguf") : QStringLiteral("plain.gguf"),
                         calibrated, text);
            QSignalSpy exported(dialog.get(), &ui::ExportDialog::exported);
            QVERIFY(dialog->startExport(false));
            QVERIFY2(exported.wait(120000), qPrintable(dialog->lastMessage()));
        }
        auto plain = core::openModel(dir.filePath(QStringLiteral("plain.gguf")).toStdString());
        auto cal = core::openModel(dir.filePath(QStringLiteral("cal.gguf")).toStdString());
        QVERIFY(plain.ok() && cal.ok());
        QCOMPARE(cal->tensors().size(), plain->tensors().size());
        bool differs = false;
        for (const auto& t : plain->tensors()) {
            const auto* c = cal->findTensor(t.name);
            QVERIFY(c);
            QCOMPARE(c->type, t.type);
            QCOMPARE(c->byteSize, t.byteSize);
            std::vector<std::byte> a(t.byteSize), b(c->byteSize);
            QVERIFY(plain->readTensorData(t, a).ok() && cal->readTensorData(*c, b).ok());
            differs = differs || a != b;
        }
        QVERIFY(differs);
    }

    void refusesToOverwriteTheInput() {
        ui::ExportDialog dialog(m_model, core::QuantPlan());
        dialog.setOutputPath(QString::fromStdString(m_model->path()));
        QVERIFY(!dialog.startExport(false));
        QVERIFY(dialog.lastMessage().contains(QStringLiteral("overwrite")));
    }

    void cancelLeavesNoFile() {
        QTemporaryDir dir;
        core::QuantPlan plan;
        for (const auto& t : m_model->tensors()) {
            if (t.dims.size() == 2) {
                plan.set(t.name, core::GgmlType::Q2_K);
            }
        }
        ui::ExportDialog dialog(m_model, plan);
        dialog.setOutputPath(dir.filePath(QStringLiteral("cancelled.gguf")));
        QSignalSpy failed(dialog.job(), &ui::JobRunner::failed);
        connect(dialog.job(), &ui::JobRunner::progressChanged, dialog.job(),
                &ui::JobRunner::requestCancel);
        QVERIFY(dialog.startExport(false));
        QVERIFY(failed.wait(30000));
        QVERIFY(dialog.lastMessage().contains(QStringLiteral("cancel")));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 0);
    }

    void gptqPageWritesAFolderThatOpens() {
        QTemporaryDir dir;
        ui::ExportDialog dialog(m_model, core::QuantPlan());
        dialog.setTarget(ui::ExportDialog::Target::Gptq);
        QVERIFY(dialog.findChild<QWidget*>(QStringLiteral("calibratedPage"))->isVisibleTo(&dialog));
        // The bundled calibration text is the default.
        const QString calib = dialog.findChild<QLineEdit*>(QStringLiteral("calibEdit"))->text();
        QVERIFY2(QFileInfo(calib).isFile(), qPrintable(calib));
        auto* bits = dialog.findChild<QComboBox*>(QStringLiteral("bitsCombo"));
        QCOMPARE(bits->currentData().toInt(), 4);
        QVERIFY(bits->isEnabled());
        auto* format = dialog.findChild<QComboBox*>(QStringLiteral("checkpointFormatCombo"));
        format->setCurrentIndex(format->findData(QStringLiteral("gptq_v2")));
        dialog.findChild<QCheckBox*>(QStringLiteral("actOrderCheck"))->setChecked(true);
        useTinyCalibration(dialog);
        QVERIFY(dialog.findChild<QLabel*>(QStringLiteral("expectedSizeLabel"))
                    ->text()
                    .contains(QStringLiteral("Expected size")));

        // A non-empty folder is replaced (confirmation skipped), only once the new one is done.
        const QString out = dir.filePath(QStringLiteral("bard-gptq"));
        QVERIFY(QDir().mkpath(out));
        QFile old(out + QStringLiteral("/old.txt"));
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.close();
        dialog.setOutputPath(out);
        QSignalSpy exported(&dialog, &ui::ExportDialog::exported);
        QSignalSpy progress(dialog.job(), &ui::JobRunner::progressChanged);
        QVERIFY2(dialog.startExport(false), qPrintable(dialog.lastMessage()));
        QVERIFY2(exported.wait(120000), qPrintable(dialog.lastMessage()));
        QCOMPARE(exported.first().at(0).toString(), out);
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.first().at(2).toString(), QStringLiteral("linears")); // real units

        QVERIFY(!QFile::exists(out + QStringLiteral("/old.txt")));
        QCOMPARE(entriesOf(dir.path()), QStringList{QStringLiteral("bard-gptq")}); // no temp left
        auto reopened = core::openModel(out.toStdString());
        QVERIFY2(reopened.ok(), reopened.ok() ? "" : reopened.error().message.c_str());
        QCOMPARE(reopened->tensors().size(), m_model->tensors().size());
        QVERIFY(reopened->findTensor("blk.0.attn_q.weight") != nullptr);
        QFile config(out + QStringLiteral("/config.json"));
        QVERIFY(config.open(QIODevice::ReadOnly));
        const QJsonObject quant = QJsonDocument::fromJson(config.readAll())
                                      .object()
                                      .value(QStringLiteral("quantization_config"))
                                      .toObject();
        QCOMPARE(quant.value(QStringLiteral("checkpoint_format")).toString(),
                 QStringLiteral("gptq_v2"));
        QCOMPARE(quant.value(QStringLiteral("desc_act")).toBool(), true);
        QCOMPARE(quant.value(QStringLiteral("bits")).toInt(), 4);

        // The expected size matches the weights written (headers aside).
        core::CalibratedExportOptions options;
        options.checkpoint.format = "gptq_v2";
        QVERIFY(core::normalizeCalibratedOptions(options).ok());
        const double expected =
            static_cast<double>(core::expectedCheckpointBytes(*m_model, options));
        const double written = QFileInfo(out + QStringLiteral("/model.safetensors")).size();
        QVERIFY2(std::abs(written - expected) < 0.02 * expected,
                 qPrintable(QStringLiteral("%1 vs %2").arg(written).arg(expected)));
    }

    void calibratedCancelLeavesNothing() {
        QTemporaryDir dir;
        ui::ExportDialog dialog(m_model, core::QuantPlan());
        dialog.setTarget(ui::ExportDialog::Target::Gptq);
        useTinyCalibration(dialog);
        dialog.setOutputPath(dir.filePath(QStringLiteral("cancelled-gptq")));
        QSignalSpy failed(dialog.job(), &ui::JobRunner::failed);
        connect(dialog.job(), &ui::JobRunner::progressChanged, dialog.job(),
                &ui::JobRunner::requestCancel);
        QVERIFY(dialog.startExport(false));
        QVERIFY(failed.wait(120000));
        QVERIFY2(dialog.lastMessage().contains(QStringLiteral("cancel")),
                 qPrintable(dialog.lastMessage()));
        QCOMPARE(entriesOf(dir.path()), QStringList());
    }

    void dampingStaysInsideWhatLoadersAccept() {
        // AutoGPTQ, GPTQModel, transformers and optimum refuse damp_percent outside (0, 1).
        ui::ExportDialog dialog(m_model, core::QuantPlan());
        auto* damp = dialog.findChild<QDoubleSpinBox*>(QStringLiteral("dampSpin"));
        QVERIFY(damp);
        QVERIFY(damp->minimum() > 0.0);
        QVERIFY(damp->maximum() < 100.0);
    }

    void calibratedPagesValidate() {
        ui::ExportDialog dialog(m_model, core::QuantPlan());
        dialog.setTarget(ui::ExportDialog::Target::Awq);
        auto* bits = dialog.findChild<QComboBox*>(QStringLiteral("bitsCombo"));
        QCOMPARE(bits->currentData().toInt(), 4);
        QVERIFY(!bits->isEnabled()); // AWQ is 4-bit only
        // AWQ has zero points; the GPTQ page keeps its own (symmetric by default) choice.
        auto* symmetric = dialog.findChild<QCheckBox*>(QStringLiteral("symmetricCheck"));
        QVERIFY(!symmetric->isChecked());
        dialog.setTarget(ui::ExportDialog::Target::Gptq);
        QVERIFY(symmetric->isChecked());
        dialog.setTarget(ui::ExportDialog::Target::Awq);
        QVERIFY(!symmetric->isChecked());
        QVERIFY(dialog.findChild<QLineEdit*>(QStringLiteral("outputEdit"))
                    ->text()
                    .endsWith(QStringLiteral("-awq")));
        // The folder holding the input is never an output.
        dialog.setOutputPath(QFileInfo(QString::fromStdString(m_model->path())).absolutePath());
        QVERIFY(!dialog.startExport(false));
        QVERIFY2(dialog.lastMessage().contains(QStringLiteral("overwrite")),
                 qPrintable(dialog.lastMessage()));
        // AWQ needs groups.
        QTemporaryDir dir;
        dialog.setOutputPath(dir.filePath(QStringLiteral("awq")));
        auto* group = dialog.findChild<QComboBox*>(QStringLiteral("groupCombo"));
        group->setCurrentIndex(group->findData(-1));
        QVERIFY(!dialog.startExport(false));
        QVERIFY2(dialog.lastMessage().contains(QStringLiteral("group")),
                 qPrintable(dialog.lastMessage()));
        QCOMPARE(entriesOf(dir.path()), QStringList());
        // Back to GGUF: the file path comes back.
        dialog.setTarget(ui::ExportDialog::Target::Gguf);
        QVERIFY(dialog.findChild<QLineEdit*>(QStringLiteral("outputEdit"))
                    ->text()
                    .endsWith(QStringLiteral(".gguf")));
    }
};

QTEST_MAIN(TestExportDialog)
#include "tst_export_dialog.moc"
