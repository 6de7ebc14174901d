// parallelFor (core/jobs/parallel_for.h), the one parallel loop of core (issue 17): every index
// once, cancel checked between chunks, the first error returned and the rest skipped.
#include "core/jobs/parallel_for.h"
#include "core/jobs/thread_pool.h"
#include "core/jobs/threads.h"

#include <QTest>

#include <atomic>
#include <string>
#include <vector>

using namespace qs::core;

class TestParallelFor : public QObject {
    Q_OBJECT

private slots:
    void effectiveThreadsDefaultsToTheHardware() {
        QCOMPARE(effectiveThreads(3), 3);
        QCOMPARE(effectiveThreads(1), 1);
        QVERIFY(effectiveThreads(0) >= 1);
        QCOMPARE(effectiveThreads(-4), effectiveThreads(0));
    }

    void everyIndexOnce_data() {
        QTest::addColumn<int>("threads");
        QTest::addColumn<qint64>("count");
        QTest::addColumn<qint64>("chunk");
        for (int threads : {1, 3, 0}) {
            for (qint64 count : {0, 1, 7, 1000}) {
                for (qint64 chunk : {1, 3, 64, 5000}) {
                    QTest::addRow("%d threads, %lld in chunks of %lld", threads, count, chunk)
                        << threads << count << chunk;
                }
            }
        }
    }

    void everyIndexOnce() {
        QFETCH(int, threads);
        QFETCH(qint64, count);
        QFETCH(qint64, chunk);
        std::vector<std::atomic<int>> hits(static_cast<std::size_t>(count));
        std::atomic<int> calls{0};
        const Status s =
            parallelFor(threads, count, chunk, [&](std::int64_t begin, std::int64_t end) {
                // Chunks start on a multiple of `chunk` and only the last one is shorter.
                if (begin % chunk != 0 || (end - begin != chunk && end != count)) {
                    return Status(makeError(ErrorCode::Internal, "bad chunk"));
                }
                calls.fetch_add(1);
                for (std::int64_t i = begin; i < end; ++i) {
                    hits[static_cast<std::size_t>(i)].fetch_add(1);
                }
                return Status{};
            });
        QVERIFY(s.ok());
        QCOMPARE(calls.load(), static_cast<int>((count + chunk - 1) / chunk));
        for (const auto& h : hits) {
            QCOMPARE(h.load(), 1);
        }
    }

    // One thread runs the chunks in order: chunk 3's error is returned and 4.. never run.
    void firstErrorWinsAndTheRestIsSkipped() {
        std::vector<int> ran;
        const Status s = parallelFor(1, 100, 10, [&](std::int64_t begin, std::int64_t) {
            const int index = static_cast<int>(begin / 10);
            ran.push_back(index);
            if (index >= 3) {
                return Status(makeError(ErrorCode::Format, "chunk " + std::to_string(index)));
            }
            return Status{};
        });
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::Format);
        QCOMPARE(s.error().message, std::string("chunk 3"));
        QCOMPARE(ran, (std::vector<int>{0, 1, 2, 3}));
    }

    // On several threads every chunk fails: each thread stops at its first failure, so no more
    // chunks run than there are threads, and the error returned is one of theirs.
    void firstErrorWinsOnSeveralThreads() {
        constexpr int kThreads = 4;
        std::atomic<int> calls{0};
        const Status s = parallelFor(kThreads, 10000, 1, [&](std::int64_t begin, std::int64_t) {
            calls.fetch_add(1);
            return Status(makeError(ErrorCode::Io, "chunk " + std::to_string(begin)));
        });
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::Io);
        QVERIFY(s.error().message.rfind("chunk ", 0) == 0);
        QVERIFY(calls.load() >= 1);
        QVERIFY(calls.load() <= kThreads);
    }

    // Cancel requested inside chunk 2: chunk 2 finishes, 3.. are skipped, Cancelled with the
    // caller's message.
    void cancelIsCheckedBetweenChunks() {
        CancelToken cancel;
        std::vector<int> ran;
        const Status s = parallelFor(
            1, 100, 10,
            [&](std::int64_t begin, std::int64_t end) {
                const int index = static_cast<int>(begin / 10);
                if (index == 2) {
                    cancel.requestCancel();
                }
                ran.push_back(static_cast<int>(end - begin)); // the chunk ran to its end
                return Status{};
            },
            {&cancel, "quantization cancelled"});
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::Cancelled);
        QCOMPARE(s.error().message, std::string("quantization cancelled"));
        QCOMPARE(ran, (std::vector<int>{10, 10, 10}));
    }

    void cancelledBeforeTheLoopRunsNothing() {
        CancelToken cancel;
        cancel.requestCancel();
        for (int threads : {1, 4}) {
            std::atomic<int> calls{0};
            const Status s = parallelFor(threads, 1000, 1,
                                         [&](std::int64_t, std::int64_t) {
                                             calls.fetch_add(1);
                                             return Status{};
                                         },
                                         {&cancel});
            QVERIFY(!s.ok());
            QCOMPARE(s.error().code, ErrorCode::Cancelled);
            QCOMPARE(calls.load(), 0);
        }
        // An empty loop still reports a cancelled job.
        const Status empty =
            parallelFor(1, 0, 1, [](std::int64_t, std::int64_t) { return Status{}; }, {&cancel});
        QVERIFY(!empty.ok());
        QCOMPARE(empty.error().code, ErrorCode::Cancelled);
    }

    // Cancelled during the last chunk: nothing is skipped, but the job was cancelled.
    void cancelDuringTheLastChunkIsReported() {
        CancelToken cancel;
        const Status s = parallelFor(1, 30, 10,
                                     [&](std::int64_t begin, std::int64_t) {
                                         if (begin == 20) {
                                             cancel.requestCancel();
                                         }
                                         return Status{};
                                     },
                                     {&cancel});
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::Cancelled);
    }

    // Cancelled on several threads: Cancelled, and no chunk runs twice.
    void cancelOnSeveralThreads() {
        CancelToken cancel;
        std::vector<std::atomic<int>> hits(5000);
        const Status s =
            parallelFor(4, 5000, 1,
                        [&](std::int64_t begin, std::int64_t) {
                            if (hits[static_cast<std::size_t>(begin)].fetch_add(1) != 0) {
                                return Status(makeError(ErrorCode::Internal, "chunk ran twice"));
                            }
                            if (begin == 100) {
                                cancel.requestCancel();
                            }
                            return Status{};
                        },
                        {&cancel});
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::Cancelled);
    }

    // A pool that saw an error or a cancel runs the next loop whole.
    void poolIsReusableAfterAFailedLoop() {
        ParallelPool pool(3);
        CancelToken cancel;
        for (int round = 0; round < 20; ++round) {
            const Status failed = parallelFor(pool, 500, 7, [&](std::int64_t begin, std::int64_t) {
                return begin >= 70 ? Status(makeError(ErrorCode::Io, "stop")) : Status{};
            });
            QVERIFY(!failed.ok());
            QCOMPARE(failed.error().code, ErrorCode::Io);
            std::atomic<std::int64_t> sum{0};
            const Status ok = parallelFor(pool, 500, 7,
                                          [&](std::int64_t begin, std::int64_t end) {
                                              for (std::int64_t i = begin; i < end; ++i) {
                                                  sum.fetch_add(i);
                                              }
                                              return Status{};
                                          },
                                          {&cancel});
            QVERIFY(ok.ok());
            QCOMPARE(sum.load(), std::int64_t(500 * 499 / 2));
        }
    }
};

QTEST_APPLESS_MAIN(TestParallelFor)
#include "tst_parallel_for.moc"
