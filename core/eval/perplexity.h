#pragma once

#include "core/error.h"
#include "core/jobs/job_control.h"

#include <cstdint>
#include <span>
#include <vector>

namespace qs::core {

class LlamaContext;
class LogProbWriter;

struct PerplexityOptions {
    int contextLength = 512; // n_ctx of llama-perplexity (-c)
    int maxChunks = -1;      // --chunks; -1 = every whole chunk of the text
    int batchSize = 512;     // tokens per forward call; results do not depend on it
};

struct PerplexityResult {
    double ppl = 0.0;
    double pplError = 0.0; // llama-perplexity's "±": ppl * stddev(nll) / sqrt(count - 1)
    double meanNll = 0.0;
    int contextLength = 0;
    int chunks = 0;
    std::int64_t scoredTokens = 0;
    std::vector<double> runningPpl; // after each chunk, as llama-perplexity prints "[i]x"
    double seconds = 0.0;           // forward passes and scoring
};

// Perplexity by llama-perplexity's procedure. `tokens` is the whole text tokenized with BOS
// first (Tokenizer::encode(text, true)). The text is cut into n = tokens.size() / ctx chunks
// of ctx tokens (the tail is dropped); each chunk is evaluated from an empty cache with its
// first token replaced by `bos` (none when bos < 0), and only the second half is scored:
// the logits at positions ctx/2 .. ctx-2 predict the tokens at ctx/2+1 .. ctx-1, i.e.
// ctx - 1 - ctx/2 tokens per chunk. PPL = exp(mean NLL) over all scored tokens.
//
// With `reference` set, every scored position's distribution is also written to that
// llama-compatible base file (for KL divergence of other variants).
Result<PerplexityResult> computePerplexity(LlamaContext& context,
                                           std::span<const std::int32_t> tokens, std::int32_t bos,
                                           const PerplexityOptions& options, ProgressSink& progress,
                                           const CancelToken& cancel,
                                           LogProbWriter* reference = nullptr);

// Number of whole chunks computePerplexity will evaluate.
int perplexityChunkCount(std::size_t tokenCount, const PerplexityOptions& options);

// Evaluates one chunk (BOS substitution included) and returns the logits of positions
// ctx/2 .. ctx-1 (row-major, (ctx - ctx/2) * vocab). Shared by perplexity and KL divergence.
Status evaluateChunk(LlamaContext& context, std::span<const std::int32_t> chunk, std::int32_t bos,
                     int batchSize, std::vector<float>& logits);

// `error` of chunk `chunk` (0-based) of `chunks`, with the chunk named ("chunk 3 of 8: ...");
// a cancel stays as it is.
Error chunkError(const Error& error, int chunk, int chunks);

} // namespace qs::core
