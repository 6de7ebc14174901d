#include "core/jobs/threads.h"

#include <algorithm>
#include <thread>

namespace qs::core {

int effectiveThreads(int requested) {
    if (requested > 0) {
        return requested;
    }
    // hardware_concurrency() is 0 when the count cannot be read: run on one thread then.
    return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

} // namespace qs::core
