#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace qs::core {

// A fixed set of worker threads for data-parallel loops of the forward pass. The calling thread
// works too, so a pool of N threads has N-1 workers. Not re-entrant: one loop at a time.
class ParallelPool {
public:
    explicit ParallelPool(int threads);
    ~ParallelPool();
    ParallelPool(const ParallelPool&) = delete;
    ParallelPool& operator=(const ParallelPool&) = delete;

    int threads() const { return static_cast<int>(m_workers.size()) + 1; }

    // Calls body(begin, end) over [0, count) in pieces of at most `grain`, spread over all
    // threads; returns when every piece is done.
    void parallelFor(std::int64_t count, std::int64_t grain,
                     const std::function<void(std::int64_t, std::int64_t)>& body);

    // Threads to use when the user did not say: the hardware's count.
    static int defaultThreads();

private:
    void workerLoop();
    void runPieces();

    std::vector<std::thread> m_workers;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_done;
    const std::function<void(std::int64_t, std::int64_t)>* m_body = nullptr;
    std::int64_t m_count = 0;
    std::int64_t m_grain = 1;
    std::int64_t m_next = 0; // next unclaimed index (under m_mutex)
    int m_busy = 0;          // workers still inside the current loop
    std::uint64_t m_generation = 0;
    bool m_stop = false;
};

} // namespace qs::core
