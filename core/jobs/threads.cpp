#include "core/jobs/threads.h"

#include <algorithm>
#include <thread>

namespace qs::core {

// Temporary stand-in until the shared parallel primitive lands in core/jobs: the same rule as
// ParallelPool::defaultThreads (a request of 0 or less means every hardware thread).
int effectiveThreads(int requested) {
    if (requested > 0) {
        return requested;
    }
    return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

} // namespace qs::core
