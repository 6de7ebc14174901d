#include "core/io/model_reader.h"
#include "core/model/model.h"
#include "ui/dialogs/export_dialog.h"
#include "ui/jobs/job_runner.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace qs;

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
};

QTEST_MAIN(TestExportDialog)
#include "tst_export_dialog.moc"
