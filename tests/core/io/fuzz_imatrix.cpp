// libFuzzer entry point for the importance-matrix readers: every input must parse or fail
// cleanly. readImatrix() picks the GGUF reader ("GGUF" magic) or the legacy .dat reader by the
// first 4 bytes, so one target covers both; the seeds (tests/data/io/fuzz_seeds/imatrix) hold
// small valid files of each format. Non-finite or negative numbers are Format errors, not
// crashes. Build with -DQS_FUZZ=ON and clang (docs/CONTRIBUTING.md).
#include "core/io/imatrix.h"
#include "core/logging.h"

#include <spdlog/spdlog.h>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The reader's warnings (zero counts with non-zero sums) would flood the fuzzer's output.
    static const bool quiet = (qs::core::coreLog().set_level(spdlog::level::off), true);
    (void)quiet;
    // Each input goes through an in-memory file (no disk traffic, nothing left behind), opened
    // by its /proc/self/fd path: the GGUF reader maps it, the .dat reader streams it.
    static const int fd = ::memfd_create("qs_fuzz_imatrix", 0);
    static const std::string path = "/proc/self/fd/" + std::to_string(fd);
    if (fd < 0 || ::ftruncate(fd, 0) != 0 ||
        ::pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) {
        return 0;
    }
    auto matrix = qs::core::readImatrix(path);
    if (matrix) {
        // What the quantizer reads next: every entry's weights, matrix by matrix.
        float sum = 0;
        for (const auto& e : matrix->entries) {
            for (std::int64_t m = 0; m < e.matrices; ++m) {
                for (const float w : e.matrixWeights(m)) {
                    sum += w;
                }
            }
        }
        volatile float sink = sum;
        (void)sink;
    }
    return 0;
}
