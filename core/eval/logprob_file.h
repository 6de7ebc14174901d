#pragma once

#include "core/error.h"

#include <cstdint>
#include <fstream>
#include <span>
#include <string>
#include <vector>

namespace qs::core {

// llama-perplexity's --kl-divergence-base file, bit-compatible in both directions:
//   "_logits_", u32 n_ctx, i32 n_vocab, i32 n_chunk, i32 tokens[n_ctx * n_chunk],
//   then per chunk, for each of its n_ctx - 1 - n_ctx/2 scored positions, one record of
//   nv = 2*((n_vocab+1)/2) + 4 uint16: float scale, float min_log_prob, then n_vocab log-probs
//   quantized to 16 bits over [max_logit - 16, max_logit] (lower values stored as 0).
// Storing the compressed distribution (not the logits) is what makes KLD figures agree with
// llama.cpp's: both compare against the same clamped, rounded reference.
struct LogProbHeader {
    std::uint32_t contextLength = 0;
    std::int32_t vocab = 0;
    std::int32_t chunks = 0;
    std::vector<std::int32_t> tokens; // contextLength * chunks, as tokenized (no BOS substitution)

    std::size_t recordValues() const { return 2 * ((static_cast<std::size_t>(vocab) + 1) / 2) + 4; }
    int scoredPerChunk() const {
        return static_cast<int>(contextLength) - 1 - static_cast<int>(contextLength) / 2;
    }
};

// Compresses one position's logits into `record` (recordValues() uint16) and returns the
// negative log-likelihood of `token`, exactly as llama-perplexity does when saving a base.
double compressLogProbs(std::span<const float> logits, std::int32_t token, std::uint16_t* record);

// Writes to `path + ".tmp"` and renames on commit(), so a cancelled run leaves no half file.
class LogProbWriter {
public:
    static Result<LogProbWriter> create(const std::string& path, const LogProbHeader& header);
    LogProbWriter(LogProbWriter&&) = default;
    LogProbWriter& operator=(LogProbWriter&&) = default;
    ~LogProbWriter();

    Status writeRecords(std::span<const std::uint16_t> records);
    Status commit();
    const LogProbHeader& header() const { return m_header; }

private:
    LogProbWriter() = default;
    std::string m_path;
    std::ofstream m_out;
    LogProbHeader m_header;
    bool m_committed = false;
};

// Streams a base file chunk by chunk (such files reach gigabytes for large vocabularies).
class LogProbReader {
public:
    static Result<LogProbReader> open(const std::string& path);
    const LogProbHeader& header() const { return m_header; }
    // The next chunk's scoredPerChunk() records.
    Status readChunk(std::vector<std::uint16_t>& records);

private:
    LogProbReader() = default;
    std::string m_path;
    std::ifstream m_in;
    LogProbHeader m_header;
    int m_chunksRead = 0;
};

} // namespace qs::core
