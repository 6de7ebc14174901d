#include "core/jobs/parallel_for.h"

#include "core/jobs/thread_pool.h"
#include "core/jobs/threads.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>

namespace qs::core {

namespace {

std::int64_t chunkCount(std::int64_t count, std::int64_t chunk) {
    return count > 0 ? (count + chunk - 1) / chunk : 0;
}

bool cancelled(const LoopCancel& cancel) {
    return cancel.token && cancel.token->isCancelled();
}

} // namespace

Status parallelFor(ParallelPool& pool, std::int64_t count, std::int64_t chunk,
                   const ChunkBody& body, const LoopCancel& cancel) {
    chunk = std::max<std::int64_t>(chunk, 1);
    // Set once an error is recorded; read (relaxed) before each chunk, so the other threads
    // skip what is left instead of finishing a loop whose result is already lost.
    std::atomic<bool> stop{false};
    std::mutex errorMutex;
    std::optional<Error> firstError;
    const auto fail = [&](Error error) {
        std::lock_guard lock(errorMutex);
        if (!firstError) {
            firstError = std::move(error);
        }
        stop.store(true, std::memory_order_relaxed);
    };
    const std::function<void(std::int64_t, std::int64_t)> run = [&](std::int64_t first,
                                                                    std::int64_t last) {
        for (std::int64_t c = first; c < last; ++c) {
            if (stop.load(std::memory_order_relaxed)) {
                return;
            }
            if (cancelled(cancel)) {
                fail(makeError(ErrorCode::Cancelled, cancel.message));
                return;
            }
            const std::int64_t begin = c * chunk;
            if (Status s = body(begin, std::min(count, begin + chunk)); !s) {
                fail(s.error());
                return;
            }
        }
    };
    // Grain 1: a thread claims one chunk at a time, so uneven chunks balance out.
    pool.parallelFor(chunkCount(count, chunk), 1, run);
    // The pool has joined every chunk: firstError is no longer written.
    if (firstError) {
        return *firstError;
    }
    if (cancelled(cancel)) {
        return makeError(ErrorCode::Cancelled, cancel.message);
    }
    return {};
}

Status parallelFor(int threads, std::int64_t count, std::int64_t chunk, const ChunkBody& body,
                   const LoopCancel& cancel) {
    const std::int64_t chunks = chunkCount(count, std::max<std::int64_t>(chunk, 1));
    ParallelPool pool(
        static_cast<int>(std::clamp<std::int64_t>(chunks, 1, effectiveThreads(threads))));
    return parallelFor(pool, count, chunk, body, cancel);
}

} // namespace qs::core
