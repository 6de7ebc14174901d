#include "stall_limit.h"

#include "core/model/model.h"
#include "core/plan/llama_presets.h"
#include "ui/jobs/job_runner.h"
#include "ui/jobs/stall_monitor.h"
#include "ui/models/results_table_model.h"
#include "ui/plan/plan_document.h"
#include "ui/plots/error_plot.h"
#include "ui/widgets/log_dock.h"
#include "ui/windows/main_window.h"

#include <QFileInfo>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTest>

using namespace qs;

class TestRunPlan : public QObject {
    Q_OBJECT

    static void openSample(ui::MainWindow& w) {
        QSignalSpy opened(&w, &ui::MainWindow::modelOpened);
        w.openModel(QStringLiteral(QS_RESOURCES_DIR "/models/shakespeare-3M-f16.gguf"));
        QVERIFY(opened.wait(10000));
    }

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    // Runs Q4_K_M on the sample model while a 10 ms heartbeat timer measures how long the
    // GUI thread is ever kept from its event loop.
    void runStreamsResultsAndKeepsUiResponsive() {
        ui::MainWindow w;
        w.show();
        openSample(w);
        QVERIFY(w.planDocument()->applyPreset(*core::llamaPresetByName("Q4_K_M")).isEmpty());

        ui::UiStallMonitor stalls;
        QSignalSpy finished(&w, &ui::MainWindow::runFinished);
        QSignalSpy items(w.runJob(), &ui::JobRunner::itemReady);
        stalls.start();
        w.runPlan();
        QVERIFY(finished.wait(60000));
        stalls.stop();
        QCOMPARE(finished.first().at(0).toBool(), true);
        QCOMPARE(items.count(), int(w.model()->tensors().size()));
        QCOMPARE(w.results()->rowCount(), int(w.model()->tensors().size()));
        int measured = 0;
        for (const auto& r : w.results()->results()) {
            if (r.error) {
                ++measured;
                QVERIFY(r.error->relativeRmse > 0 && r.error->relativeRmse < 0.5);
            }
        }
        QCOMPARE(measured, 30); // the 30 weight matrices; norms stay F32
        // The error plot got a bar per layer plus the global tensors, one CSV line each.
        const QStringList csv = w.errorPlot()->csvText().split('\n', Qt::SkipEmptyParts);
        QVERIFY2(csv.size() >= 1 + 4 + 1, qPrintable(w.errorPlot()->csvText()));
        qInfo("during the run: %s", qPrintable(stalls.summary()));
        QVERIFY2(stalls.longestGapMs() < qs::test::kStallLimitMs, qPrintable(stalls.summary()));
    }

    void cancelMidwayStopsAndReportsIt() {
        ui::MainWindow w;
        openSample(w);
        QVERIFY(w.planDocument()->applyPreset(*core::llamaPresetByName("Q2_K")).isEmpty());
        QSignalSpy finished(&w, &ui::MainWindow::runFinished);
        connect(w.runJob(), &ui::JobRunner::itemReady, &w, [&w] { w.cancelRun(); });
        w.runPlan();
        const QString output = w.runOutputPath();
        QVERIFY(!output.isEmpty());
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.first().at(0).toBool(), false);
        QVERIFY(w.results()->rowCount() < int(w.model()->tensors().size()));
        // Nothing of the cancelled run stays on disk: neither the output nor its folder.
        QVERIFY(!QFileInfo::exists(output));
        QVERIFY(!QFileInfo::exists(QFileInfo(output).absolutePath()));
    }

    // A model with a NaN weight (the corpus of wrong inputs, tests/data/wrong): the run stops
    // with the file, tensor, row and column in the status line and the log dock, and leaves
    // no output.
    void nanWeightStopsTheRunAndSaysWhere() {
        ui::MainWindow w;
        QSignalSpy opened(&w, &ui::MainWindow::modelOpened);
        w.openModel(QStringLiteral(QS_TEST_DATA_DIR "/wrong/weights-f32-nan/model.gguf"));
        QVERIFY(opened.wait(10000));
        QVERIFY(w.planDocument()->applyPreset(*core::llamaPresetByName("Q8_0")).isEmpty());
        QSignalSpy finished(&w, &ui::MainWindow::runFinished);
        w.runPlan();
        const QString output = w.runOutputPath();
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.first().at(0).toBool(), false);
        const QString where = QStringLiteral("tensor blk.1.ffn_up.weight row 31 column 8 is nan");
        QVERIFY2(w.statusBar()->currentMessage().contains(where),
                 qPrintable(w.statusBar()->currentMessage()));
        auto* log = w.findChild<ui::LogDock*>();
        QVERIFY(log);
        // The log relay is queued to the GUI thread.
        QTRY_VERIFY2(log->text().contains(QStringLiteral("Run stopped")) &&
                         log->text().contains(where),
                     qPrintable(log->text()));
        QVERIFY(!QFileInfo::exists(output));
    }
};

QTEST_MAIN(TestRunPlan)
#include "tst_run_plan.moc"
