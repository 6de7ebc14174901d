#include "core/model/model.h"
#include "core/plan/llama_presets.h"
#include "ui/jobs/job_runner.h"
#include "ui/models/results_table_model.h"
#include "ui/plan/plan_document.h"
#include "ui/plots/error_plot.h"
#include "ui/windows/main_window.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>

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

        QElapsedTimer sinceLastBeat;
        qint64 longestGapMs = 0;
        QTimer heartbeat;
        heartbeat.setInterval(10);
        connect(&heartbeat, &QTimer::timeout, this,
                [&] { longestGapMs = std::max(longestGapMs, sinceLastBeat.restart()); });
        QSignalSpy finished(&w, &ui::MainWindow::runFinished);
        QSignalSpy items(w.runJob(), &ui::JobRunner::itemReady);
        sinceLastBeat.start();
        heartbeat.start();
        w.runPlan();
        QVERIFY(finished.wait(60000));
        heartbeat.stop();
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
        qInfo("longest GUI-thread gap during the run: %lld ms", longestGapMs);
        QVERIFY2(longestGapMs < 100, qPrintable(QString::number(longestGapMs)));
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
};

QTEST_MAIN(TestRunPlan)
#include "tst_run_plan.moc"
