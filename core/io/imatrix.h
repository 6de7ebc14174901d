#pragma once

#include "core/error.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Importance matrices from llama-imatrix, in its GGUF format (general.type = "imatrix") and
// the legacy .dat format (formats.md §3.5). Each entry also carries the per-column weights
// exactly as llama-quantize derives them, ready for quantizeRows().
namespace qs::core {

enum class ImatrixFormat { Gguf, LegacyDat };

struct ImatrixEntry {
    std::string name;          // weight tensor name: "blk.0.attn_q.weight"
    std::int64_t columns = 0;  // ne0 of the weight (its row length)
    std::int64_t matrices = 1; // n_expert for MoE expert tensors, else 1
    // As stored: GGUF in_sum2 (sum of squared activations) per column and matrix, and the
    // token count per matrix; legacy .dat: mean * ncall per column and {ncall}.
    std::vector<float> sums;
    std::vector<float> counts;
    // llama-quantize's weights: sums / count as a float32 division per matrix; a matrix that
    // never saw input gets 1.0 (GGUF) or keeps its stored values (.dat, ncall == 0).
    std::vector<float> weights;

    // The weights of matrix (expert) m: `columns` values.
    std::span<const float> matrixWeights(std::int64_t m = 0) const;
};

struct ImportanceMatrix {
    ImatrixFormat format = ImatrixFormat::Gguf;
    std::vector<std::string> datasets; // text files the activations came from
    std::int64_t chunkCount = 0;
    std::int64_t chunkSize = 0; // GGUF only (0 for .dat)
    std::vector<ImatrixEntry> entries;

    const ImatrixEntry* find(std::string_view tensorName) const;
};

// Reads either format, chosen by the file's first bytes ("GGUF" magic or not). The numbers are
// checked as they are read: a NaN or infinite sum, count or derived weight is an error (as in
// llama-quantize: "imatrix contains non-finite value"), and so is a negative sum or count (a
// sum of squared activations cannot be negative); each error names the file, the entry, the
// matrix and the column.
Result<ImportanceMatrix> readImatrix(const std::string& path);
Result<ImportanceMatrix> readImatrixGguf(const std::string& path);
Result<ImportanceMatrix> readImatrixDat(const std::string& path);

} // namespace qs::core
