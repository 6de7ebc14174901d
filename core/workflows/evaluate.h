#pragma once

#include "core/error.h"
#include "core/eval/kl_divergence.h"
#include "core/eval/perplexity.h"
#include "core/eval/throughput.h"
#include "core/jobs/job_control.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

// Evaluating one model on a text file, as `quantscope-cli eval` does: perplexity by
// llama-perplexity's procedure, or KL divergence against a reference model whose distribution
// is cached, then prompt and decode speed.
namespace qs::core {

class ComputeBackend;

struct EvaluateRequest {
    std::string modelPath;
    std::string tokenizerPath; // overrides the models' tokenizers; empty: their own
    std::string textPath;      // read with readEvalText
    PerplexityOptions perplexity;
    int threads = 0;                   // effectiveThreads(threads)
    ComputeBackend* backend = nullptr; // not owned; nullptr: the CPU kernels
    bool llamaCppNumerics = true;      // llama.cpp's CPU rounding of activations and KV cache
    // Non-empty: KL divergence against this model instead of plain perplexity.
    std::string kldBasePath;
    // Non-empty: KL divergence against a distribution saved by llama-perplexity
    // --kl-divergence-base (or this tool's cache). Its tokens and context are used, as
    // llama-perplexity --kl-divergence uses them: textPath may be empty, and a context given
    // explicitly (contextGiven) must equal the file's.
    std::string kldBaseFile;
    bool contextGiven = false;
    std::string cacheDir; // of the reference distribution; empty: temp folder's quantscope-kld
    bool measureSpeed = true;
    // Tokens of the timed prompt (llama-bench's pp) and decode steps (tg); 0: min(ctx, 128) and
    // min(ctx, 32). Both must fit the context.
    int speedPromptTokens = 0;
    int speedGenTokens = 0;
};

struct EvaluateResult {
    std::uint64_t fileBytes = 0;
    std::size_t tokens = 0; // of the whole text, BOS included (of the base file's tokens)
    int contextLength = 0;  // as evaluated
    int threads = 0;        // as the context runs them
    std::optional<PerplexityResult> perplexity;
    std::optional<KlDivergenceResult> kld;
    std::string kldCache;
    bool kldCacheReused = false;
    std::optional<ThroughputResult> speed;
    ThroughputOptions speedOptions; // the prompt and decode lengths measured
};

// Errors of the forward passes name the model they came from (cancellation stays as it is).
Result<EvaluateResult> evaluateModel(const EvaluateRequest& request, CancelToken& cancel,
                                     ProgressSink& progress);

} // namespace qs::core
