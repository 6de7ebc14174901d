#include "core/eval/throughput.h"

#include "core/eval/llama_context.h"

#include <chrono>
#include <cmath>
#include <vector>

namespace qs::core {

namespace {

ThroughputFigure summarize(const std::vector<double>& rates) {
    ThroughputFigure f;
    if (rates.empty()) {
        return f;
    }
    double sum = 0.0;
    for (const double r : rates) {
        sum += r;
    }
    f.tokensPerSecond = sum / static_cast<double>(rates.size());
    if (rates.size() > 1) {
        double var = 0.0;
        for (const double r : rates) {
            var += (r - f.tokensPerSecond) * (r - f.tokensPerSecond);
        }
        f.stddev = std::sqrt(var / static_cast<double>(rates.size() - 1));
    }
    return f;
}

} // namespace

Result<ThroughputResult> measureThroughput(LlamaContext& context, const ThroughputOptions& options,
                                           const CancelToken& cancel) {
    if (options.promptTokens < 0 || options.genTokens < 0 ||
        std::max(options.promptTokens, options.genTokens) > context.contextLength()) {
        return makeError(ErrorCode::InvalidArgument,
                         "throughput: token counts must fit the context of " +
                             std::to_string(context.contextLength()));
    }
    const int vocab = context.config().vocab;
    std::vector<std::int32_t> prompt(static_cast<std::size_t>(options.promptTokens));
    std::uint32_t state = 12345;
    for (auto& t : prompt) {
        state = state * 1664525u + 1013904223u;
        t = static_cast<std::int32_t>(state % static_cast<std::uint32_t>(vocab));
    }
    std::vector<float> logits;
    std::vector<double> ppRates;
    std::vector<double> tgRates;
    using Clock = std::chrono::steady_clock;
    for (int run = 0; run < options.warmupRuns + options.repeats; ++run) {
        if (cancel.isCancelled()) {
            return makeError(ErrorCode::Cancelled, "throughput cancelled");
        }
        const bool timed = run >= options.warmupRuns;
        if (options.promptTokens > 0) {
            context.clear();
            const auto t0 = Clock::now();
            // Logits of the last token only, as a real prompt needs.
            if (auto st = context.evaluate(prompt, options.promptTokens - 1, logits); !st) {
                return st.error();
            }
            const double s = std::chrono::duration<double>(Clock::now() - t0).count();
            if (timed && s > 0) {
                ppRates.push_back(options.promptTokens / s);
            }
        }
        if (options.genTokens > 0) {
            context.clear();
            std::int32_t token = prompt.empty() ? 1 : prompt[0];
            const auto t0 = Clock::now();
            for (int i = 0; i < options.genTokens; ++i) {
                if (auto st = context.evaluate(std::span(&token, 1), 0, logits); !st) {
                    return st.error();
                }
                token = static_cast<std::int32_t>((token + 1) % vocab);
            }
            const double s = std::chrono::duration<double>(Clock::now() - t0).count();
            if (timed && s > 0) {
                tgRates.push_back(options.genTokens / s);
            }
        }
    }
    ThroughputResult r;
    r.promptProcessing = summarize(ppRates);
    r.generation = summarize(tgRates);
    r.threads = context.threads();
    return r;
}

} // namespace qs::core
