#include "core/eval/thread_pool.h"

#include <algorithm>

namespace qs::core {

ParallelPool::ParallelPool(int threads) {
    const int workers = std::max(threads, 1) - 1;
    m_workers.reserve(static_cast<std::size_t>(workers));
    for (int i = 0; i < workers; ++i) {
        m_workers.emplace_back([this] { workerLoop(); });
    }
}

ParallelPool::~ParallelPool() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    for (auto& worker : m_workers) {
        worker.join();
    }
}

int ParallelPool::defaultThreads() {
    return std::max(1u, std::thread::hardware_concurrency());
}

void ParallelPool::runPieces() {
    for (;;) {
        std::int64_t begin = 0;
        std::int64_t end = 0;
        {
            std::lock_guard lock(m_mutex);
            if (m_next >= m_count) {
                return;
            }
            begin = m_next;
            end = std::min(m_count, begin + m_grain);
            m_next = end;
        }
        (*m_body)(begin, end);
    }
}

void ParallelPool::workerLoop() {
    std::uint64_t seen = 0;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stop || m_generation != seen; });
            if (m_stop) {
                return;
            }
            seen = m_generation;
        }
        runPieces();
        {
            std::lock_guard lock(m_mutex);
            --m_busy;
        }
        m_done.notify_one();
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
    {
        std::lock_guard lock(m_mutex);
        m_body = &body;
        m_count = count;
        m_grain = grain;
        m_next = 0;
        m_busy = static_cast<int>(m_workers.size());
        ++m_generation;
    }
    m_wake.notify_all();
    runPieces();
    std::unique_lock lock(m_mutex);
    m_done.wait(lock, [&] { return m_busy == 0; });
    m_body = nullptr;
}

} // namespace qs::core
