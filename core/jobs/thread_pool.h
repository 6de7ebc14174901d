#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace qs::core {

// A fixed set of worker threads for data-parallel loops: the forward pass keeps one for its
// matrix products, and parallelFor (parallel_for.h), the loop everything else uses, runs on
// one. The calling thread works too, so a pool of N threads has N-1 workers. Not re-entrant:
// one loop at a time. effectiveThreads (threads.h) says how many threads "automatic" is.
//
// A decode step runs ~180 short loops (one per matrix product), so a loop must start and end in
// well under a microsecond or two: pieces are claimed with one atomic compare-and-swap, idle
// workers spin briefly on the loop counter before they sleep on a condition variable, and
// the caller waits only for pieces in progress, never for a worker that has not woken up yet
// (on a busy machine that worker may not run for milliseconds).
class ParallelPool {
public:
    explicit ParallelPool(int threads);
    ~ParallelPool();
    ParallelPool(const ParallelPool&) = delete;
    ParallelPool& operator=(const ParallelPool&) = delete;

    int threads() const { return static_cast<int>(m_workers.size()) + 1; }

    // Calls body(begin, end) over [0, count) in pieces of at most `grain`, spread over all
    // threads; returns when every piece is done. count must be below 2^32.
    void parallelFor(std::int64_t count, std::int64_t grain,
                     const std::function<void(std::int64_t, std::int64_t)>& body);

private:
    // `seen`: the last loop number this worker need not run (the pool's first before any loop).
    void workerLoop(std::uint32_t seen);
    // Claims and runs pieces of loop `loop` until none is left or a newer loop has started.
    void runPieces(std::uint32_t loop);

    std::vector<std::thread> m_workers;
    // The current loop: its number in the high 32 bits, the next unclaimed index in the low
    // ones, so that a claim can never take a piece of a loop other than the one it read.
    std::atomic<std::uint64_t> m_ticket{0};
    // Written before a loop's ticket is published, constant until all its pieces are done.
    std::atomic<const std::function<void(std::int64_t, std::int64_t)>*> m_body{nullptr};
    std::atomic<std::int64_t> m_count{0};
    std::atomic<std::int64_t> m_grain{1};
    std::atomic<std::int64_t> m_done{0}; // indices of the current loop finished
    std::atomic<bool> m_stop{false};

    // Sleeping: only taken when a spin ran out, so the fast path never locks.
    std::mutex m_mutex;
    std::condition_variable m_wakeWorkers;
    std::condition_variable m_wakeCaller;
    std::atomic<int> m_sleepingWorkers{0};
    std::atomic<bool> m_callerSleeping{false};
};

} // namespace qs::core
