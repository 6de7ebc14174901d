// The Workspace without a window (issue 17): open the bundled sample model, set a plan, run it
// to the end, check the results; the GUI's jobs share one thread budget.
#include "core/jobs/threads.h"
#include "core/model/model.h"
#include "core/plan/llama_presets.h"
#include "ui/jobs/job_runner.h"
#include "ui/jobs/thread_budget.h"
#include "ui/models/results_table_model.h"
#include "ui/plan/plan_document.h"
#include "ui/settings/app_settings.h"
#include "ui/windows/session.h"
#include "ui/workspace/workspace.h"

#include <QFileInfo>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace qs;

class TestWorkspace : public QObject {
    Q_OBJECT

    static QString sampleModel() {
        return QStringLiteral(QS_RESOURCES_DIR "/models/shakespeare-3M-f16.gguf");
    }

    static void open(ui::Workspace& ws) {
        QSignalSpy opened(&ws, &ui::Workspace::modelOpened);
        ws.openModel(sampleModel());
        QVERIFY(opened.wait(10000));
    }

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void opensRunsAndKeepsTheResults() {
        ui::Workspace ws;
        QVERIFY(!ws.model());
        QVERIFY(!ws.runPlan()); // nothing to run yet
        open(ws);
        QVERIFY(ws.model());
        QCOMPARE(ws.modelPath(), QFileInfo(sampleModel()).absoluteFilePath());
        QCOMPARE(ws.plan()->model(), ws.model().get());
        QVERIFY(!ws.changedPlan()); // every tensor keeps its stored type

        QVERIFY(ws.plan()->applyPreset(*core::llamaPresetByName("Q4_K_M")).isEmpty());
        QVERIFY(ws.changedPlan());
        QSignalSpy started(&ws, &ui::Workspace::runStarted);
        QSignalSpy added(&ws, &ui::Workspace::tensorResultAdded);
        QSignalSpy finished(&ws, &ui::Workspace::runFinished);
        QVERIFY(ws.runPlan());
        QVERIFY(ws.isRunning());
        QVERIFY(!ws.runPlan()); // one run at a time
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.first().at(0).toBool(), true);
        QCOMPARE(started.count(), 1);
        const int tensors = static_cast<int>(ws.model()->tensors().size());
        QCOMPARE(started.first().at(0).toInt(), tensors);
        QCOMPARE(added.count(), tensors);
        QCOMPARE(ws.results()->rowCount(), tensors);
        int measured = 0;
        for (const auto& r : ws.results()->results()) {
            if (r.error) {
                ++measured;
                QVERIFY(r.error->relativeRmse > 0 && r.error->relativeRmse < 0.5);
            }
        }
        QCOMPARE(measured, 30); // the 30 weight matrices; norms stay F32
        QVERIFY(QFileInfo(ws.runOutputPath()).size() > 0);
        QVERIFY(ws.threadBudget()->inUse() == 0); // the run gave its threads back
    }

    // Save a session, load it into another workspace: model, plan and results come back.
    void sessionRoundTrip() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.qsession.json"));
        ui::Workspace ws;
        open(ws);
        QVERIFY(ws.plan()->applyPreset(*core::llamaPresetByName("Q8_0")).isEmpty());
        QVERIFY(ws.saveSession(path, ui::Session()));

        ui::Workspace other;
        int restored = 0; // views restore their part of the session from this signal
        connect(&other, &ui::Workspace::sessionRestored, this, [&restored] { ++restored; });
        QSignalSpy loaded(&other, &ui::Workspace::sessionLoaded);
        QVERIFY(other.loadSession(path));
        QVERIFY(loaded.wait(10000));
        QCOMPARE(restored, 1);
        QCOMPARE(other.modelPath(), ws.modelPath());
        QCOMPARE(other.plan()->types(), ws.plan()->types());
        QCOMPARE(other.sessionPath(), path);
    }

    // Two jobs at once share the budget instead of each taking every core.
    void jobsShareOneThreadBudget() {
        ui::ThreadBudget budget;
        budget.setRequested(4);
        QCOMPARE(budget.total(), 4);
        ui::JobRunner first;
        ui::JobRunner second;
        ui::JobRunner third;
        QSignalSpy firstDone(&first, &ui::JobRunner::finished);
        QSignalSpy secondDone(&second, &ui::JobRunner::finished);
        auto waitForCancel = [](core::CancelToken& cancel, core::ProgressSink&,
                                const ui::JobRunner::ItemSink&) {
            while (!cancel.isCancelled()) {
                QThread::yieldCurrentThread();
            }
            return core::Status();
        };
        QCOMPARE(budget.acquire(&first), 4);
        QVERIFY(first.start(QStringLiteral("first"), waitForCancel));
        QCOMPARE(budget.inUse(), 4);
        // What is left: nothing, but a job never waits for another.
        QCOMPARE(budget.acquire(&second), 1);
        QVERIFY(second.start(QStringLiteral("second"), waitForCancel));
        QCOMPARE(budget.inUse(), 5);
        first.requestCancel();
        QVERIFY(firstDone.wait(10000));
        QCOMPARE(budget.inUse(), 1);
        QCOMPARE(budget.acquire(&third), 3);
        second.requestCancel();
        QVERIFY(secondDone.wait(10000));
        QCOMPARE(budget.inUse(), 0);

        // 0 means every hardware thread, as everywhere else.
        budget.setRequested(0);
        QCOMPARE(budget.total(), core::effectiveThreads(0));
    }

    // The settings' thread count is the workspace's budget.
    void settingsSetTheBudget() {
        ui::Workspace ws;
        ui::AppSettings settings;
        settings.threads = 3;
        ws.applySettings(settings);
        QCOMPARE(ws.threadBudget()->total(), 3);
    }
};

QTEST_MAIN(TestWorkspace)
#include "tst_workspace.moc"
