#include "core/eval/thread_pool.h"

#include <algorithm>
#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace qs::core {

namespace {

// How long an idle thread polls before it sleeps: longer than the serial work between two
// matrix products of a decode step (norms, RoPE, SwiGLU: microseconds), short enough that an
// idle pool costs nothing measurable.
constexpr auto kSpinTime = std::chrono::microseconds(200);

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#endif
}

// Polls `done` for up to kSpinTime; true when it became true.
template <typename Done>
bool spinUntil(Done done) {
    const auto deadline = std::chrono::steady_clock::now() + kSpinTime;
    for (;;) {
        for (int i = 0; i < 64; ++i) {
            if (done()) {
                return true;
            }
            cpuRelax();
        }
        if (std::chrono::steady_clock::now() > deadline) {
            return done();
        }
    }
}

constexpr std::uint32_t loopOf(std::uint64_t ticket) {
    return static_cast<std::uint32_t>(ticket >> 32);
}

} // namespace

ParallelPool::ParallelPool(int threads) {
    const int workers = std::max(threads, 1) - 1;
    m_workers.reserve(static_cast<std::size_t>(workers));
    for (int i = 0; i < workers; ++i) {
        m_workers.emplace_back([this] { workerLoop(); });
    }
}

ParallelPool::~ParallelPool() {
    m_stop.store(true);
    // A new loop number with no pieces wakes every worker, which then sees m_stop.
    m_ticket.store((static_cast<std::uint64_t>(loopOf(m_ticket.load()) + 1) << 32) | 0xffffffffu);
    {
        std::lock_guard lock(m_mutex);
        m_wakeWorkers.notify_all();
    }
    for (auto& worker : m_workers) {
        worker.join();
    }
}

int ParallelPool::defaultThreads() {
    return std::max(1u, std::thread::hardware_concurrency());
}

void ParallelPool::runPieces(std::uint32_t loop) {
    std::uint64_t ticket = m_ticket.load(std::memory_order_acquire);
    for (;;) {
        if (loopOf(ticket) != loop) {
            return;
        }
        const std::int64_t begin = static_cast<std::int64_t>(ticket & 0xffffffffu);
        const std::int64_t count = m_count.load(std::memory_order_relaxed);
        if (begin >= count) {
            return;
        }
        const std::int64_t end = std::min(count, begin + m_grain.load(std::memory_order_relaxed));
        // Success means the loop is still `loop` and [begin, end) is ours, so the body and
        // count read above belong to it and stay valid until we report the piece done.
        if (!m_ticket.compare_exchange_weak(ticket,
                                            ticket + static_cast<std::uint64_t>(end - begin),
                                            std::memory_order_acq_rel, std::memory_order_acquire)) {
            continue;
        }
        (*m_body.load(std::memory_order_relaxed))(begin, end);
        if (m_done.fetch_add(end - begin) + (end - begin) == count && m_callerSleeping.load()) {
            std::lock_guard lock(m_mutex);
            m_wakeCaller.notify_one();
        }
        ticket = m_ticket.load(std::memory_order_acquire);
    }
}

void ParallelPool::workerLoop() {
    std::uint32_t seen = loopOf(m_ticket.load());
    for (;;) {
        // m_stop too: a worker that starts late may first read the destructor's ticket.
        auto newLoop = [&] {
            return loopOf(m_ticket.load(std::memory_order_acquire)) != seen || m_stop.load();
        };
        if (!spinUntil(newLoop)) {
            std::unique_lock lock(m_mutex);
            // Announce before the final check (both sequentially consistent): parallelFor
            // publishes its ticket, then reads this count, so one of the two sees the other.
            m_sleepingWorkers.fetch_add(1);
            m_wakeWorkers.wait(lock,
                               [&] { return loopOf(m_ticket.load()) != seen || m_stop.load(); });
            m_sleepingWorkers.fetch_sub(1);
        }
        if (m_stop.load()) {
            return;
        }
        seen = loopOf(m_ticket.load(std::memory_order_acquire));
        runPieces(seen);
    }
}

void ParallelPool::parallelFor(std::int64_t count, std::int64_t grain,
                               const std::function<void(std::int64_t, std::int64_t)>& body) {
    if (count <= 0) {
        return;
    }
    grain = std::max<std::int64_t>(grain, 1);
    if (m_workers.empty() || count <= grain) {
        body(0, count);
        return;
    }
    m_body.store(&body, std::memory_order_relaxed);
    m_count.store(count, std::memory_order_relaxed);
    m_grain.store(grain, std::memory_order_relaxed);
    m_done.store(0, std::memory_order_relaxed);
    const std::uint32_t loop = loopOf(m_ticket.load()) + 1;
    m_ticket.store(static_cast<std::uint64_t>(loop) << 32); // publishes the stores above
    if (m_sleepingWorkers.load() > 0) {
        std::lock_guard lock(m_mutex);
        m_wakeWorkers.notify_all();
    }
    runPieces(loop);
    auto finished = [&] {
        return m_done.load(std::memory_order_acquire) == count;
    };
    if (!spinUntil(finished)) {
        std::unique_lock lock(m_mutex);
        m_callerSleeping.store(true); // as for the workers: announce, then check
        m_wakeCaller.wait(lock, [&] { return m_done.load() == count; });
        m_callerSleeping.store(false);
    }
}

} // namespace qs::core
