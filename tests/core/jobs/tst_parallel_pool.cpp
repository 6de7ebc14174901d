// ParallelPool (core/jobs/thread_pool.h): every index runs exactly once, whether workers are
// spinning, asleep or not started yet.
#include "core/jobs/thread_pool.h"

#include <QTest>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

using namespace qs::core;

class TestParallelPool : public QObject {
    Q_OBJECT

private slots:
    void everyIndexOnce_data() {
        QTest::addColumn<int>("threads");
        QTest::addColumn<int>("pauseMicroseconds"); // between loops: spinning vs sleeping
        for (int threads : {1, 2, 4}) {
            for (int pause : {0, 1000}) {
                QTest::addRow("%d threads, %d us", threads, pause) << threads << pause;
            }
        }
    }

    void everyIndexOnce() {
        QFETCH(int, threads);
        QFETCH(int, pauseMicroseconds);
        ParallelPool pool(threads);
        std::vector<std::atomic<int>> hits(1000);
        for (int loop = 0; loop < 50; ++loop) {
            const std::int64_t count = 1 + (loop * 37) % 1000;
            pool.parallelFor(count, 1 + loop % 7, [&](std::int64_t begin, std::int64_t end) {
                for (std::int64_t i = begin; i < end; ++i) {
                    hits[static_cast<std::size_t>(i)].fetch_add(1);
                }
            });
            for (std::int64_t i = 0; i < 1000; ++i) {
                QCOMPARE(hits[static_cast<std::size_t>(i)].exchange(0), i < count ? 1 : 0);
            }
            std::this_thread::sleep_for(std::chrono::microseconds(pauseMicroseconds));
        }
    }

    // Loops back to back whose counts grow and shrink, on more threads than this machine has
    // cores so that workers are preempted mid-claim. A worker that read the previous loop's
    // ticket (every piece claimed) and then the next loop's larger count once took a piece
    // from the old ticket: it ran after its loop had returned and was counted in the next
    // one, so an index ran twice or the caller waited forever (seen in ~1 of 10^6 loops
    // under load; this runs 2·10^5, so it finds such a race often, not always).
    void noPieceOutlivesItsLoop() {
        ParallelPool pool(6);
        constexpr std::int64_t kLargest = 64;
        std::vector<std::atomic<int>> hits(kLargest);
        const std::function<void(std::int64_t, std::int64_t)> body = [&](std::int64_t begin,
                                                                         std::int64_t end) {
            for (std::int64_t i = begin; i < end; ++i) {
                hits[static_cast<std::size_t>(i)].fetch_add(1, std::memory_order_relaxed);
            }
        };
        for (int loop = 0; loop < 200000; ++loop) {
            const std::int64_t count = loop % 2 ? kLargest : 1 + loop % 13;
            pool.parallelFor(count, 1, body);
            for (std::int64_t i = 0; i < kLargest; ++i) {
                const int seen = hits[static_cast<std::size_t>(i)].exchange(0);
                if (seen != (i < count ? 1 : 0)) {
                    QFAIL(qPrintable(QStringLiteral("loop %1 (count %2): index %3 ran %4 times")
                                         .arg(loop)
                                         .arg(count)
                                         .arg(i)
                                         .arg(seen)));
                }
            }
        }
    }

    // A pool destroyed before its workers first ran: they must still see the stop request
    // (they once read the destructor's wake-up as their starting point and slept forever).
    void destroyedBeforeWorkersStart() {
        for (int i = 0; i < 200; ++i) {
            ParallelPool pool(3);
            std::atomic<std::int64_t> sum{0};
            pool.parallelFor(10, 1, [&](std::int64_t begin, std::int64_t) { sum += begin; });
            QCOMPARE(sum.load(), std::int64_t{45});
        }
    }

    // A pool made for one loop (parallelFor's per-call pools: quantization, the CPU backend)
    // publishes that loop before its worker has started; the worker must still join it. It
    // did not (the worker took the loop it first saw as done), and quantizing ran on one
    // thread: 13.5 s instead of 7.5 s for a 1B model on 2 cores. Here the first piece waits
    // until a second thread has entered the loop, which only a worker can do.
    void lateWorkerJoinsTheFirstLoop() {
        for (int round = 0; round < 20; ++round) {
            qs::core::ParallelPool pool(2);
            std::atomic<int> entered{0};
            std::atomic<bool> sawSecondThread{false};
            const auto caller = std::this_thread::get_id();
            pool.parallelFor(64, 1, [&](std::int64_t, std::int64_t) {
                if (std::this_thread::get_id() != caller) {
                    sawSecondThread = true;
                }
                if (entered.fetch_add(1) == 0) {
                    const auto deadline =
                        std::chrono::steady_clock::now() + std::chrono::seconds(20);
                    while (!sawSecondThread && std::chrono::steady_clock::now() < deadline) {
                        std::this_thread::yield();
                    }
                }
            });
            QVERIFY2(sawSecondThread, "the pool's worker never took part in its first loop");
        }
    }
};

QTEST_APPLESS_MAIN(TestParallelPool)
#include "tst_parallel_pool.moc"
