#pragma once

#include <cstdint>
#include <string>
#include <vector>

// Malformed model files, generated (never hand-edited) so that each one breaks exactly one
// rule of its format. `reader` says which parser the case targets: "gguf", "safetensors",
// "llama2c" or "tokenizer"; `expect` is a fragment the error message must contain.
struct HostileCase {
    std::string name;
    std::string reader;
    std::string expect;
    std::vector<std::uint8_t> bytes;
};

std::vector<HostileCase> hostileCorpus();
