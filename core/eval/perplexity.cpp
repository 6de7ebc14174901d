#include "core/eval/perplexity.h"

#include "core/eval/llama_context.h"
#include "core/eval/logprob_file.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace qs::core {

namespace {

// -log softmax(logits)[token], computed as llama-perplexity does: max in float, the sum of
// exponentials in double.
double negativeLogLikelihood(std::span<const float> logits, std::int32_t token) {
    const float maxLogit = *std::max_element(logits.begin(), logits.end());
    double sumExp = 0.0;
    for (const float l : logits) {
        sumExp += std::exp(l - maxLogit);
    }
    return -(logits[static_cast<std::size_t>(token)] - maxLogit - std::log(sumExp));
}

} // namespace

int perplexityChunkCount(std::size_t tokenCount, const PerplexityOptions& options) {
    if (options.contextLength <= 0) {
        return 0;
    }
    const int all = static_cast<int>(tokenCount / static_cast<std::size_t>(options.contextLength));
    return options.maxChunks < 0 ? all : std::min(all, options.maxChunks);
}

Status evaluateChunk(LlamaContext& context, std::span<const std::int32_t> chunk, std::int32_t bos,
                     int batchSize, std::vector<float>& logits) {
    const auto n = static_cast<std::int64_t>(chunk.size());
    const std::int64_t first = n / 2;
    const std::size_t vocab = static_cast<std::size_t>(context.config().vocab);
    std::vector<std::int32_t> input(chunk.begin(), chunk.end());
    if (bos >= 0) {
        input[0] = bos;
    }
    context.clear();
    logits.clear();
    logits.reserve(static_cast<std::size_t>(n - first) * vocab);
    std::vector<float> batchLogits;
    const std::int64_t step = std::max(1, batchSize);
    for (std::int64_t begin = 0; begin < n; begin += step) {
        const std::int64_t end = std::min(n, begin + step);
        const std::int64_t firstLogit = std::clamp<std::int64_t>(first - begin, 0, end - begin);
        auto st = context.evaluate(std::span(input).subspan(static_cast<std::size_t>(begin),
                                                            static_cast<std::size_t>(end - begin)),
                                   firstLogit, batchLogits);
        if (!st) {
            return st;
        }
        logits.insert(logits.end(), batchLogits.begin(), batchLogits.end());
    }
    return {};
}

Error chunkError(const Error& error, int chunk, int chunks) {
    if (error.code == ErrorCode::Cancelled) {
        return error;
    }
    return makeError(error.code, "chunk " + std::to_string(chunk + 1) + " of " +
                                     std::to_string(chunks) + ": " + error.message);
}

Result<PerplexityResult> computePerplexity(LlamaContext& context,
                                           std::span<const std::int32_t> tokens, std::int32_t bos,
                                           const PerplexityOptions& options, ProgressSink& progress,
                                           const CancelToken& cancel, LogProbWriter* reference) {
    const int ctx = options.contextLength;
    if (ctx < 4 || ctx > context.contextLength()) {
        return makeError(ErrorCode::InvalidArgument, "perplexity: context " + std::to_string(ctx) +
                                                         " must lie in 4.." +
                                                         std::to_string(context.contextLength()));
    }
    const int chunks = perplexityChunkCount(tokens.size(), options);
    if (static_cast<int>(tokens.size()) < 2 * ctx || chunks <= 0) {
        return makeError(ErrorCode::InvalidArgument,
                         "perplexity: the text has " + std::to_string(tokens.size()) +
                             " tokens; a context of " + std::to_string(ctx) + " needs at least " +
                             std::to_string(2 * ctx));
    }
    const auto start = std::chrono::steady_clock::now();
    const std::size_t vocab = static_cast<std::size_t>(context.config().vocab);
    const int first = ctx / 2;
    const int scored = ctx - 1 - first;
    PerplexityResult result;
    result.contextLength = ctx;
    result.chunks = chunks;
    double nll = 0.0;
    double nll2 = 0.0;
    std::int64_t count = 0;
    std::vector<float> logits;
    std::vector<std::uint16_t> records;
    if (reference) {
        records.resize(static_cast<std::size_t>(scored) * reference->header().recordValues());
    }
    for (int chunk = 0; chunk < chunks; ++chunk) {
        if (cancel.isCancelled()) {
            return makeError(ErrorCode::Cancelled, "perplexity cancelled");
        }
        const auto chunkTokens =
            tokens.subspan(static_cast<std::size_t>(chunk) * ctx, static_cast<std::size_t>(ctx));
        if (auto st = evaluateChunk(context, chunkTokens, bos, options.batchSize, logits); !st) {
            return chunkError(st.error(), chunk, chunks);
        }
        for (int i = 0; i < scored; ++i) {
            const std::span<const float> row(logits.data() + static_cast<std::size_t>(i) * vocab,
                                             vocab);
            const std::int32_t next = chunkTokens[static_cast<std::size_t>(first + i + 1)];
            const double v =
                reference
                    ? compressLogProbs(row, next,
                                       records.data() + static_cast<std::size_t>(i) *
                                                            reference->header().recordValues())
                    : negativeLogLikelihood(row, next);
            nll += v;
            nll2 += v * v;
        }
        if (reference) {
            if (auto st = reference->writeRecords(records); !st) {
                return st.error();
            }
        }
        count += scored;
        result.runningPpl.push_back(std::exp(nll / static_cast<double>(count)));
        progress.progress(static_cast<std::uint64_t>(chunk + 1), static_cast<std::uint64_t>(chunks),
                          "chunks", "perplexity");
    }
    const double mean = nll / static_cast<double>(count);
    const double variance = nll2 / static_cast<double>(count) - mean * mean;
    result.meanNll = mean;
    result.ppl = std::exp(mean);
    result.pplError =
        variance > 0 ? std::sqrt(variance / static_cast<double>(count - 1)) * result.ppl : 0.0;
    result.scoredTokens = count;
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace qs::core
