// libFuzzer entry point for the safetensors reader: every input must parse or fail cleanly.
// Build with -DQS_FUZZ=ON and clang; seed with tests/data/io/hostile and resources/models.
#include "core/io/safetensors_reader.h"

#include <cstdio>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The reader works on mapped files, so each input goes through a private file.
    static const std::string path = "/tmp/qs_fuzz_st_" + std::to_string(::getpid());
    if (FILE* f = std::fopen(path.c_str(), "wb")) {
        std::fwrite(data, 1, size, f);
        std::fclose(f);
        (void)qs::core::readSafetensors(path);
    }
    return 0;
}
