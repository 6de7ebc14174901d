#include "core/compute/compute_backend.h"
#include "core/io/imatrix.h"
#include "core/model/model.h"
#include "core/plan/llama_presets.h"
#include "ui/compare/compare_view.h"
#include "ui/compare/comparison_table_model.h"
#include "ui/dialogs/settings_dialog.h"
#include "ui/jobs/job_runner.h"
#include "ui/models/results_table_model.h"
#include "ui/plan/plan_document.h"
#include "ui/settings/app_settings.h"
#include "ui/settings/translations.h"
#include "ui/windows/main_window.h"
#include "ui/windows/session.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>
#include <QUndoStack>

using namespace qs;

// Plan and session files, the settings dialog, the tensor tree's format menu and the
// importance matrix, through the main window.
class TestSession : public QObject {
    Q_OBJECT

    static constexpr const char* kShakespeare = QS_RESOURCES_DIR "/models/shakespeare-3M-f16.gguf";
    static constexpr const char* kStories = QS_RESOURCES_DIR "/models/stories260K-f32.gguf";

    static void open(ui::MainWindow& w, const char* path) {
        QSignalSpy opened(&w, &ui::MainWindow::modelOpened);
        w.openModel(QString::fromUtf8(path));
        QVERIFY(opened.wait(10000));
    }

    static std::size_t tensorIndex(const ui::MainWindow& w, const char* name) {
        const auto* t = w.model()->findTensor(name);
        return static_cast<std::size_t>(t - w.model()->tensors().data());
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void planFromAnotherModelAppliesMatchingNamesAndUndoes() {
        QTemporaryDir dir;
        const QString planPath = dir.filePath(QStringLiteral("stories-q8.json"));
        {
            ui::MainWindow stories;
            open(stories, kStories);
            QVERIFY(
                stories.planDocument()->applyPreset(*core::llamaPresetByName("Q8_0")).isEmpty());
            QString error;
            QVERIFY2(stories.savePlan(planPath, &error), qPrintable(error));
        }
        ui::MainWindow w;
        open(w, kShakespeare); // 4 layers; the stories plan has 5
        const auto q0 = tensorIndex(w, "blk.0.attn_q.weight");
        QCOMPARE(w.planDocument()->typeOf(q0), core::GgmlType::F16);
        QString message;
        QVERIFY2(w.loadPlan(planPath, &message), qPrintable(message));
        QCOMPARE(w.planDocument()->typeOf(q0), core::GgmlType::Q8_0);
        QVERIFY2(message.contains(QStringLiteral("not in this model")), qPrintable(message));
        QVERIFY(message.contains(QStringLiteral("blk.4.")));
        QCOMPARE(w.planDocument()->undoStack()->count(), 1);
        w.planDocument()->undoStack()->undo();
        QCOMPARE(w.planDocument()->typeOf(q0), core::GgmlType::F16);

        QVERIFY(
            !w.loadPlan(QStringLiteral(QS_RESOURCES_DIR "/text/shakespeare-val-a.txt"), &message));
        QVERIFY(!message.isEmpty());
    }

    void sessionRoundTripsPlanResultsAndComparison() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("work.qsession.json"));
        std::vector<core::GgmlType> plannedTypes;
        int resultRows = 0;
        {
            ui::MainWindow w;
            open(w, kStories);
            QVERIFY(w.planDocument()->applyPreset(*core::llamaPresetByName("Q8_0")).isEmpty());
            QVERIFY(w.planDocument()->setTypes({tensorIndex(w, "blk.1.ffn_up.weight")},
                                               core::GgmlType::F16) == 1);
            QSignalSpy finished(&w, &ui::MainWindow::runFinished);
            w.runPlan();
            QVERIFY(finished.wait(60000));
            QVERIFY(finished.first().at(0).toBool());
            resultRows = w.results()->rowCount();
            QVERIFY(resultRows > 0);
            core::VariantResult row;
            row.name = "Q4_K_M";
            row.fileBytes = 12345;
            row.kld.ppl = 7.5;
            row.kld.kldMean = 0.02;
            w.compareView()->showResults({row});
            w.compareView()->setCheckedPresets({QStringLiteral("Q4_K_M")});
            plannedTypes = w.planDocument()->types();
            QString error;
            QVERIFY2(w.saveSession(path, &error), qPrintable(error));
        }
        ui::MainWindow w;
        QSignalSpy loaded(&w, &ui::MainWindow::sessionLoaded);
        QString error;
        QVERIFY2(w.loadSession(path, &error), qPrintable(error));
        QVERIFY(loaded.wait(10000));
        QVERIFY(w.currentModelPath().endsWith(QStringLiteral("stories260K-f32.gguf")));
        QVERIFY(w.planDocument()->types() == plannedTypes);
        QCOMPARE(w.results()->rowCount(), resultRows);
        QVERIFY(w.results()->results()[0].error.has_value() ||
                w.results()->results()[1].error.has_value());
        QCOMPARE(w.compareView()->table()->rowCount(), 1);
        QCOMPARE(w.compareView()->table()->variants()[0].kld.ppl, 7.5);
        QCOMPARE(w.compareView()->checkedPresets(), QStringList{QStringLiteral("Q4_K_M")});
        // Loading the session is undoable like any plan edit.
        QCOMPARE(w.planDocument()->undoStack()->count(), 1);
    }

    void sessionRejectsOtherJson() {
        auto s = ui::sessionFromJson(R"({"format": "quantscope-plan", "version": 1})", "x.json");
        QVERIFY(!s.ok());
        QVERIFY(QString::fromStdString(s.error().message).contains(QStringLiteral("x.json")));
        QVERIFY(!ui::sessionFromJson("not json", "y.json").ok());
    }

    // Issue 22: translations load at start-up only; the dialog says so exactly when the chosen
    // language differs from the one the window shows (English here: no translation installed).
    void settingsDialogSaysALanguageChangeNeedsARestart() {
        QCOMPARE(ui::runningLanguage(), QStringLiteral("en"));
        QCOMPARE(ui::resolveLanguage(QStringLiteral("de_AT")), QStringLiteral("de"));
        QCOMPARE(ui::resolveLanguage(QStringLiteral("zh_CN")), QStringLiteral("zh_CN"));
        QCOMPARE(ui::resolveLanguage(QStringLiteral("fr")), QStringLiteral("en"));
        ui::AppSettings start;
        start.language = QStringLiteral("en");
        ui::SettingsDialog dialog(start, {});
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto* language = dialog.findChild<QComboBox*>(QStringLiteral("languageCombo"));
        auto* note = dialog.findChild<QLabel*>(QStringLiteral("languageRestartNote"));
        QVERIFY(note != nullptr);
        QVERIFY(!note->isVisible());
        language->setCurrentIndex(language->findData(QStringLiteral("de")));
        QVERIFY(note->isVisible());
        QVERIFY(note->text().contains(QStringLiteral("restart")));
        language->setCurrentIndex(language->findData(QStringLiteral("zh_CN")));
        QVERIFY(note->isVisible());
        language->setCurrentIndex(language->findData(QStringLiteral("en")));
        QVERIFY(!note->isVisible());
        // A saved choice that differs from the running language shows the note at once.
        start.language = QStringLiteral("de");
        ui::SettingsDialog pending(start, {});
        pending.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pending));
        QVERIFY(pending.findChild<QLabel*>(QStringLiteral("languageRestartNote"))->isVisible());
    }

    void settingsDialogEditsAndWindowAppliesBackend() {
        ui::AppSettings start;
        start.backend = QStringLiteral("cpu");
        ui::SettingsDialog dialog(start, {QStringLiteral("Fake GPU"), QStringLiteral("Other")});
        auto* backend = dialog.findChild<QComboBox*>(QStringLiteral("backendCombo"));
        auto* device = dialog.findChild<QComboBox*>(QStringLiteral("deviceCombo"));
        QVERIFY(!device->isEnabled());
        backend->setCurrentIndex(backend->findData(QStringLiteral("vulkan")));
        QVERIFY(device->isEnabled());
        QCOMPARE(device->count(), 3); // preferred + 2 devices
        device->setCurrentIndex(device->findData(1));
        dialog.findChild<QSpinBox*>(QStringLiteral("threadsSpin"))->setValue(3);
        dialog.findChild<QLineEdit*>(QStringLiteral("cacheDirEdit"))
            ->setText(QStringLiteral("/tmp/qs-cache"));
        auto* language = dialog.findChild<QComboBox*>(QStringLiteral("languageCombo"));
        language->setCurrentIndex(language->findData(QStringLiteral("de")));
        const ui::AppSettings edited = dialog.settings();
        QCOMPARE(edited.backend, QStringLiteral("vulkan"));
        QCOMPARE(edited.deviceIndex, 1);
        QCOMPARE(edited.threads, 3);
        QCOMPARE(edited.cacheDir, QStringLiteral("/tmp/qs-cache"));
        QCOMPARE(edited.language, QStringLiteral("de"));
        edited.save();
        const ui::AppSettings reread = ui::AppSettings::load();
        QCOMPARE(reread.deviceIndex, 1);
        QCOMPARE(reread.language, QStringLiteral("de"));
        QVERIFY(reread.effectiveEvalText().endsWith(QStringLiteral("shakespeare-val-a.txt")));

        ui::MainWindow w;
        QString askedBackend;
        int askedDevice = -2;
        w.setBackendFactory(
            {QStringLiteral("Fake GPU")}, [&](const QString& name, int index, QString* note) {
                askedBackend = name;
                askedDevice = index;
                *note = QStringLiteral("chosen by the test");
                return std::shared_ptr<core::ComputeBackend>(core::makeCpuBackend());
            });
        w.applySettings(reread);
        QCOMPARE(askedBackend, QStringLiteral("vulkan"));
        QCOMPARE(askedDevice, 1);
        QCOMPARE(w.backendText(), QString::fromStdString(core::makeCpuBackend()->name()));
        auto* label = w.findChild<QLabel*>(QStringLiteral("backendLabel"));
        QCOMPARE(label->toolTip(), QStringLiteral("chosen by the test"));
        QSettings().clear();
    }

    // The compiled German and Chinese catalogues are embedded and translate window strings.
    void translationsAreEmbedded() {
        for (const auto& [locale, expected] :
             {std::pair{QStringLiteral("de_DE"), QStringLiteral("&Vergleich")},
              std::pair{QStringLiteral("zh_CN"), QStringLiteral("比较(&O)")}}) {
            QTranslator translator;
            QVERIFY2(translator.load(QLocale(locale), QStringLiteral("quantscope"),
                                     QStringLiteral("_"), QStringLiteral(":/i18n")),
                     qPrintable(locale));
            QCOMPARE(translator.translate("qs::ui::MainWindow", "C&ompare"), expected);
        }
    }

    void tensorTreeMenuOverridesOneTensorUndoably() {
        ui::MainWindow w;
        open(w, kShakespeare);
        const auto v1 = tensorIndex(w, "blk.1.attn_v.weight");
        QMenu* menu = w.tensorFormatMenu(v1, &w);
        auto* q5 = menu->findChild<QAction*>(QStringLiteral("Q5_K"));
        QVERIFY(q5);
        QVERIFY(menu->findChild<QAction*>(QStringLiteral("F16"))->isChecked());
        q5->trigger();
        QCOMPARE(w.planDocument()->typeOf(v1), core::GgmlType::Q5_K);
        QCOMPARE(w.planDocument()->typeOf(tensorIndex(w, "blk.0.attn_v.weight")),
                 core::GgmlType::F16);
        w.planDocument()->undoStack()->undo();
        QCOMPARE(w.planDocument()->typeOf(v1), core::GgmlType::F16);

        QMenu* normMenu = w.tensorFormatMenu(tensorIndex(w, "blk.0.attn_norm.weight"), &w);
        QCOMPARE(normMenu->actions().size(), 1);
        QVERIFY(!normMenu->actions().first()->isEnabled());
    }

    void collectsLoadsAndUsesImportanceMatrix() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("stories-imatrix.gguf"));
        {
            ui::MainWindow w;
            open(w, kStories);
            QVERIFY(!w.imatrix());
            QSignalSpy changed(&w, &ui::MainWindow::imatrixChanged);
            QVERIFY(w.collectImatrix(QStringLiteral(QS_RESOURCES_DIR "/text/shakespeare-val-a.txt"),
                                     path, 64, 2));
            QVERIFY(changed.wait(60000));
            QVERIFY(w.imatrix());
            QCOMPARE(w.imatrix()->chunkCount, 2);
            QCOMPARE(w.imatrix()->entries.size(), std::size_t(5 * 7)); // 7 linears x 5 layers
            QVERIFY(w.findChild<QLabel*>(QStringLiteral("imatrixLabel"))
                        ->text()
                        .contains(QStringLiteral("stories-imatrix.gguf")));
        }
        ui::MainWindow w;
        open(w, kStories);
        QSignalSpy changed(&w, &ui::MainWindow::imatrixChanged);
        w.loadImatrix(path);
        QVERIFY(changed.wait(10000));
        QCOMPARE(w.imatrix()->entries.size(), std::size_t(35));
        QCOMPARE(w.imatrixPath(), path);

        // Runs use it: the quantized matrices report importance-weighted quantization.
        QVERIFY(w.planDocument()->applyPreset(*core::llamaPresetByName("Q4_K_M")).isEmpty());
        QSignalSpy finished(&w, &ui::MainWindow::runFinished);
        w.runPlan();
        QVERIFY(finished.wait(60000));
        QVERIFY(finished.first().at(0).toBool());
        int weighted = 0;
        for (const auto& r : w.results()->results()) {
            weighted += r.usedImportance ? 1 : 0;
        }
        QVERIFY(weighted > 0);

        QSignalSpy failed(&w, &ui::MainWindow::imatrixFailed);
        w.loadImatrix(QStringLiteral("/nonexistent/imatrix.gguf"));
        QVERIFY(failed.wait(10000));
        QCOMPARE(w.imatrixPath(), path); // the loaded one stays
    }
};

QTEST_MAIN(TestSession)
#include "tst_session.moc"
