// libFuzzer entry point for the safetensors reader: every input must parse or fail cleanly.
// Build with -DQS_FUZZ=ON and clang (docs/CONTRIBUTING.md); seed with tests/data/io/hostile.
#include "core/io/safetensors_reader.h"

#include <string>
#include <sys/mman.h>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The reader works on mapped files: each input goes through an in-memory file (no disk
    // traffic, nothing left behind), opened by its /proc/self/fd path.
    static const int fd = ::memfd_create("qs_fuzz_safetensors", 0);
    static const std::string path = "/proc/self/fd/" + std::to_string(fd);
    if (fd < 0 || ::ftruncate(fd, 0) != 0 ||
        ::pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) {
        return 0;
    }
    (void)qs::core::readSafetensors(path);
    return 0;
}
