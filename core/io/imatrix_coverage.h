#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qs::core {

struct ImportanceMatrix;

// An expert of a mixture-of-experts tensor that calibration routed (almost) no tokens to: its
// importance weights are uniform (llama-quantize's weights of 1 for a zero count) or rest on
// a handful of tokens.
struct StarvedExpert {
    std::string tensor; // "blk.3.ffn_up_exps.weight"
    int expert = 0;
    std::int64_t tokens = 0;
};

// Every expert of every per-expert entry (llama-imatrix's GGUF counts) with fewer than
// `minTokens` tokens, in entry order then expert order.
std::vector<StarvedExpert> starvedExperts(const ImportanceMatrix& imatrix,
                                          std::int64_t minTokens = 1);

// "blk.3.ffn_up_exps.weight expert 5 (0 tokens), ..." — the first few, then how many more.
std::string describeStarvedExperts(const std::vector<StarvedExpert>& starved);

// Logs a warning naming the starved experts of `imatrix` (read from or written to `source`),
// if any; returns them.
std::vector<StarvedExpert> reportStarvedExperts(const ImportanceMatrix& imatrix,
                                                const std::string& source);

// What quantizing does with an expert that has no importance data (imatrix-missing):
enum class MissingImatrixPolicy {
    Uniform, // weights of 1, logged: what llama-quantize does (the default)
    Error,   // refuse, naming the tensor and the expert
};

} // namespace qs::core
