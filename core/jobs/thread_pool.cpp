#include "core/jobs/thread_pool.h"

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

// A ticket index at or past every count (counts are below 2^32): the loop takes no more pieces.
constexpr std::uint64_t kClosed = 0xffffffffu;

constexpr std::uint32_t loopOf(std::uint64_t ticket) {
    return static_cast<std::uint32_t>(ticket >> 32);
}

} // namespace

ParallelPool::ParallelPool(int threads) {
    const int workers = std::max(threads, 1) - 1;
    m_workers.reserve(static_cast<std::size_t>(workers));
    // The loop number before any loop: a worker that starts after the first loop was published
    // (the usual case for a pool made for one loop) must still take part in it.
    const std::uint32_t initial = loopOf(m_ticket.load());
    for (int i = 0; i < workers; ++i) {
        m_workers.emplace_back([this, initial] { workerLoop(initial); });
    }
}

ParallelPool::~ParallelPool() {
    m_stop.store(true);
    // A new loop number with no pieces wakes every worker, which then sees m_stop.
    m_ticket.store((static_cast<std::uint64_t>(loopOf(m_ticket.load()) + 1) << 32) | kClosed);
    {
        std::lock_guard lock(m_mutex);
        m_wakeWorkers.notify_all();
    }
    for (auto& worker : m_workers) {
        worker.join();
    }
}

void ParallelPool::runPieces(std::uint32_t loop) {
    std::uint64_t ticket = m_ticket.load(std::memory_order_acquire);
    for (;;) {
        if (loopOf(ticket) != loop) {
            return;
        }
        const std::int64_t begin = static_cast<std::int64_t>(ticket & 0xffffffffu);
        // Acquire: a count or grain already written for the next loop brings with it the
        // closing of this one (parallelFor), so the claim below fails instead of taking a
        // piece past this loop's end.
        const std::int64_t count = m_count.load(std::memory_order_acquire);
        if (begin >= count) {
            return;
        }
        const std::int64_t end = std::min(count, begin + m_grain.load(std::memory_order_acquire));
        const auto* body = m_body.load(std::memory_order_acquire);
        // Success means the ticket was still `loop`'s, unclosed, with [begin, end) free, so
        // the body and count read above belong to it and stay valid until we report the
        // piece done.
        if (!m_ticket.compare_exchange_weak(ticket,
                                            ticket + static_cast<std::uint64_t>(end - begin),
                                            std::memory_order_acq_rel, std::memory_order_acquire)) {
            continue;
        }
        (*body)(begin, end);
        if (m_done.fetch_add(end - begin) + (end - begin) == count && m_callerSleeping.load()) {
            std::lock_guard lock(m_mutex);
            m_wakeCaller.notify_one();
        }
        ticket = m_ticket.load(std::memory_order_acquire);
    }
}

void ParallelPool::workerLoop(std::uint32_t seen) {
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
    // Close the previous loop before its parameters change. Its ticket shows every piece
    // claimed, but a worker that read that ticket and then this loop's (larger) count would
    // otherwise see a free piece and claim it from the old ticket: a piece of no loop, run
    // with whichever body it read and counted in this loop's m_done (a caller waiting
    // forever, or indices past the old body's range).
    const std::uint32_t previous = loopOf(m_ticket.load());
    m_ticket.store((static_cast<std::uint64_t>(previous) << 32) | kClosed);
    // Release: whoever reads one of these also sees the ticket closed (runPieces).
    m_body.store(&body, std::memory_order_release);
    m_count.store(count, std::memory_order_release);
    m_grain.store(grain, std::memory_order_release);
    m_done.store(0, std::memory_order_relaxed);
    const std::uint32_t loop = previous + 1;
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
