#pragma once

namespace qs::core {

// The number of threads a job runs on when the user asked for `requested`: that number when it
// is positive, else every hardware thread. The one place that reads the hardware's count, so
// that "0 = automatic" means the same in the CLI, the GUI and every algorithm.
int effectiveThreads(int requested);

} // namespace qs::core
