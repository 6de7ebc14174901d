#pragma once

// How long the GUI thread may go without returning to its event loop in the responsiveness
// tests. 100 ms is the limit a user notices; a build with ASan + UBSan (-O1, every memory
// access checked) runs the same GUI-thread work 3-10x slower, so there the limit is scaled
// by the same factor: the test still fails on a GUI thread that blocks on the job (seconds),
// and does not fail on instrumentation overhead.
namespace qs::test {
#ifdef QS_SANITIZED
inline constexpr double kStallLimitMs = 1000;
#else
inline constexpr double kStallLimitMs = 100;
#endif
} // namespace qs::test
