#include "core/logging.h"
#include "ui/jobs/job_runner.h"
#include "ui/widgets/log_dock.h"

#include <QSignalSpy>
#include <QTest>

#include <atomic>
#include <spdlog/spdlog.h>
#include <thread>

using namespace qs;
using qs::ui::JobRunner;

class TestJobRunner : public QObject {
    Q_OBJECT

private slots:
    void reportsProgressAndSuccessOnGuiThread() {
        JobRunner runner;
        QSignalSpy progress(&runner, &JobRunner::progressChanged);
        QSignalSpy ok(&runner, &JobRunner::succeeded);
        QSignalSpy finished(&runner, &JobRunner::finished);
        QVERIFY(runner.start("count", [](core::CancelToken&, core::ProgressSink& sink,
                                         const ui::JobRunner::ItemSink&) {
            for (std::uint64_t i = 1; i <= 10; ++i) {
                sink.progress(i, 10, "tensors", std::to_string(i));
            }
            return core::Status();
        }));
        QVERIFY(runner.isRunning());
        QVERIFY(finished.wait(5000));
        QCOMPARE(ok.count(), 1);
        QVERIFY(!runner.isRunning());
        // Coalesced, but the final report always arrives.
        QVERIFY(progress.count() >= 1);
        QCOMPARE(progress.last().at(0).toULongLong(), 10ull);
        QCOMPARE(progress.last().at(2).toString(), QStringLiteral("tensors"));
    }

    void itemsArriveInOrder() {
        JobRunner runner;
        QSignalSpy items(&runner, &JobRunner::itemReady);
        QSignalSpy finished(&runner, &JobRunner::finished);
        runner.start("items", [](core::CancelToken&, core::ProgressSink&,
                                 const ui::JobRunner::ItemSink& post) {
            for (int i = 0; i < 100; ++i) {
                post(i);
            }
            return core::Status();
        });
        QVERIFY(finished.wait(5000));
        QCOMPARE(items.count(), 100);
        for (int i = 0; i < 100; ++i) {
            QCOMPARE(items.at(i).at(0).value<QVariant>().toInt(), i);
        }
    }

    void cancelStopsTheJob() {
        JobRunner runner;
        QSignalSpy failed(&runner, &JobRunner::failed);
        std::atomic<bool> entered{false};
        runner.start("spin", [&entered](core::CancelToken& cancel, core::ProgressSink&,
                                        const ui::JobRunner::ItemSink&) {
            entered = true;
            while (!cancel.isCancelled()) {
                std::this_thread::yield();
            }
            return core::Status(core::makeError(core::ErrorCode::Cancelled, "spin cancelled"));
        });
        QTRY_VERIFY(entered.load());
        QVERIFY(
            !runner.start("second", [](core::CancelToken&, core::ProgressSink&,
                                       const ui::JobRunner::ItemSink&) { return core::Status(); }));
        runner.requestCancel();
        QVERIFY(failed.wait(5000));
        QCOMPARE(failed.first().at(0).toInt(), int(core::ErrorCode::Cancelled));
        QCOMPARE(failed.first().at(1).toString(), QStringLiteral("spin cancelled"));
    }

    void runnerDestroyedMidJobIsSafe() {
        std::atomic<bool> release{false};
        std::atomic<bool> done{false};
        {
            JobRunner runner;
            runner.start("orphan", [&](core::CancelToken& cancel, core::ProgressSink& sink,
                                       const ui::JobRunner::ItemSink&) {
                while (!release && !cancel.isCancelled()) {
                    std::this_thread::yield();
                }
                sink.progress(1, 1, "steps", "late");
                done = true;
                return core::Status();
            });
        }
        release = true;
        QTRY_VERIFY(done.load());
        QTest::qWait(0); // deliver anything queued; nothing may reach the dead runner
    }

    void logDockShowsModuleRecords() {
        ui::LogDock dock;
        core::moduleLogger(core::kLogCore)->warn("quantize finished with warnings");
        QTRY_VERIFY(dock.text().contains("core: quantize finished with warnings"));
    }
};

QTEST_MAIN(TestJobRunner)
#include "tst_job_runner.moc"
