#pragma once

#include "core/error.h"
#include "core/eval/perplexity.h"
#include "core/jobs/job_control.h"

#include <cstdint>
#include <string>

namespace qs::core {

class LlamaContext;
class LogProbReader;

// llama-perplexity --kl-divergence's statistics of a model against a stored reference
// distribution (logprob_file.h), on the reference file's own tokens. Δp is the change of the
// probability of the true next token; percentiles interpolate linearly between sorted values.
struct KlDivergenceResult {
    int contextLength = 0;
    int chunks = 0;
    std::int64_t count = 0; // scored positions

    double ppl = 0.0, pplError = 0.0;         // Mean PPL(Q)
    double basePpl = 0.0, basePplError = 0.0; // Mean PPL(base), from the stored distribution
    double lnPplRatio = 0.0, lnPplRatioError = 0.0;
    double pplCorrelation = 0.0; // Cor(ln PPL(Q), ln PPL(base))

    double kldMean = 0.0, kldMeanError = 0.0;
    double kldMax = 0.0, kldP999 = 0.0, kldP99 = 0.0, kldP95 = 0.0, kldP90 = 0.0;
    double kldMedian = 0.0, kldP10 = 0.0, kldP5 = 0.0, kldP1 = 0.0, kldMin = 0.0;

    double deltaPMean = 0.0, deltaPMeanError = 0.0; // fractions, not percent
    double deltaPRms = 0.0, deltaPRmsError = 0.0;
    double deltaPMax = 0.0, deltaPP99 = 0.0, deltaPMedian = 0.0, deltaPP1 = 0.0, deltaPMin = 0.0;

    double sameTop = 0.0, sameTopError = 0.0; // top-1 agreement, fraction
    double seconds = 0.0;
};

// Runs `context` over the chunks of `base` (at most maxChunks; -1 = all) with llama-perplexity's
// chunking and BOS substitution, comparing each scored position with the stored distribution.
Result<KlDivergenceResult> computeKlDivergence(LlamaContext& context, LogProbReader& base,
                                               std::int32_t bos, int maxChunks, int batchSize,
                                               ProgressSink& progress, const CancelToken& cancel);

// Where the reference distribution of (model, text, ctx) lives in `cacheDir`:
// "<model hash>-<text hash>-c<ctx>.kld", the hashes being contentHash64 of the model file and
// of the evaluated text.
std::string referenceCachePath(const std::string& cacheDir, std::uint64_t modelHash,
                               std::uint64_t textHash, int contextLength);

// Makes sure `path` holds the reference distribution of `reference` over `tokens` with at least
// the chunks `options` asks for: a file already there with the same context, vocabulary and
// tokens is reused, otherwise it is computed (a plain perplexity run, returned in
// `basePerplexity` when not null and computed) and written atomically. Returns true when
// the cached file was reused.
Result<bool> ensureReferenceLogProbs(const std::string& path, LlamaContext& reference,
                                     std::span<const std::int32_t> tokens, std::int32_t bos,
                                     const PerplexityOptions& options, ProgressSink& progress,
                                     const CancelToken& cancel,
                                     PerplexityResult* basePerplexity = nullptr);

} // namespace qs::core
