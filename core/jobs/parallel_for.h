#pragma once

#include "core/error.h"
#include "core/jobs/job_control.h"

#include <cstdint>
#include <functional>

namespace qs::core {

class ParallelPool;

// One chunk [begin, end) of a loop. An error stops the loop.
using ChunkBody = std::function<Status(std::int64_t begin, std::int64_t end)>;

// What stops a loop besides an error of a chunk.
struct LoopCancel {
    const CancelToken* token = nullptr; // null: the loop cannot be cancelled
    const char* message = "cancelled";  // of the ErrorCode::Cancelled error returned
};

// Runs body over [0, count) in chunks of `chunk` indices (the last one shorter), spread over
// the pool's threads, the caller's included. The token is checked before every chunk and once
// after the last, so a job cancelled while its last chunks ran is still reported cancelled.
// The first error recorded wins: the chunks not started yet are skipped (those running
// finish) and that error is returned; else Cancelled when the token was set; else success.
// Chunks run in no particular order: a body writes only its own chunk's results. Not
// re-entrant on one pool (ParallelPool::parallelFor).
Status parallelFor(ParallelPool& pool, std::int64_t count, std::int64_t chunk,
                   const ChunkBody& body, const LoopCancel& cancel = {});

// The same on effectiveThreads(threads) threads, at most one per chunk, started for this loop
// and joined before it returns: for loops that run once per tensor or per call, where starting
// a thread (tens of microseconds) is nothing next to the work. The forward pass, ~180 loops per
// token, keeps one ParallelPool instead.
Status parallelFor(int threads, std::int64_t count, std::int64_t chunk, const ChunkBody& body,
                   const LoopCancel& cancel = {});

} // namespace qs::core
