#include "core/eval/kl_divergence.h"

#include "core/eval/llama_context.h"
#include "core/eval/logprob_file.h"
#include "core/fs/content_hash.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <vector>

namespace qs::core {

namespace {

struct Sums {
    double nll = 0, nll2 = 0, nllBase = 0, nllBase2 = 0, nllNllBase = 0;
    double kld = 0, kld2 = 0, pDiff = 0, pDiff2 = 0, pDiff4 = 0;
    std::int64_t sameTop = 0, count = 0;
};

// One position: the model's logits against one stored record. Returns (KLD, Δp). The float and
// double mix follows llama-perplexity so that figures agree to the printed digits.
std::pair<double, float> comparePosition(std::span<const float> logits, const std::uint16_t* record,
                                         std::int32_t token, Sums& s) {
    const std::size_t n = logits.size();
    float maxLogit = logits[0];
    std::size_t argmax = 0;
    for (std::size_t i = 1; i < n; ++i) {
        if (logits[i] > maxLogit) {
            maxLogit = logits[i];
            argmax = i;
        }
    }
    double sumExp = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        sumExp += std::exp(logits[i] - maxLogit);
    }
    const float logSumExp = static_cast<float>(std::log(sumExp));
    float scale = 0.0f;
    float minLogProb = 0.0f;
    std::memcpy(&scale, record, sizeof(float));
    std::memcpy(&minLogProb, record + 2, sizeof(float));
    const std::uint16_t* baseValues = record + 4;

    const float nll = maxLogit + logSumExp - logits[static_cast<std::size_t>(token)];
    const float nllBase = -(scale * baseValues[token] + minLogProb);
    s.nll += nll;
    s.nll2 += static_cast<double>(nll) * nll;
    s.nllBase += nllBase;
    s.nllBase2 += static_cast<double>(nllBase) * nllBase;
    s.nllNllBase += static_cast<double>(nll) * nllBase;

    const float logNorm = maxLogit + logSumExp;
    double kld = 0.0;
    std::size_t argmaxBase = 0;
    float maxBase = 0.0f;
    for (std::size_t i = 0; i < n; ++i) {
        const float logBase = scale * baseValues[i] + minLogProb;
        if (i == 0 || logBase > maxBase) {
            maxBase = logBase;
            argmaxBase = i;
        }
        // Reference probabilities below e^-16 were not stored; they add nothing.
        if (logBase > -16.f) {
            kld += std::exp(logBase) * (logBase - logits[i] + logNorm);
        }
    }
    s.kld += kld;
    s.kld2 += kld * kld;
    ++s.count;
    if (argmax == argmaxBase) {
        ++s.sameTop;
    }
    const float pDiff = std::exp(-nll) - std::exp(-nllBase);
    s.pDiff += pDiff;
    const double pDiff2 = static_cast<double>(pDiff) * pDiff;
    s.pDiff2 += pDiff2;
    s.pDiff4 += pDiff2 * pDiff2;
    return {kld, pDiff};
}

std::pair<double, double> meanAndError(double sum, double sum2, std::int64_t count) {
    if (count < 1) {
        return {0.0, 0.0};
    }
    const double mean = sum / static_cast<double>(count);
    double var = sum2 / static_cast<double>(count) - mean * mean;
    var = var > 0 && count > 10 ? std::sqrt(var / static_cast<double>(count - 1)) : 0.0;
    return {mean, var};
}

double percentile(const std::vector<float>& sorted, double fraction) {
    if (sorted.empty()) {
        return 0.0;
    }
    if (fraction <= 0) {
        return sorted.front();
    }
    if (fraction >= 1) {
        return sorted.back();
    }
    const double p = fraction * static_cast<double>(sorted.size() - 1);
    const std::size_t ip = static_cast<std::size_t>(p);
    const double frac = p - static_cast<double>(ip);
    return (1 - frac) * sorted[ip] + frac * sorted[std::min(ip + 1, sorted.size() - 1)];
}

double median(const std::vector<float>& sorted) {
    if (sorted.empty()) {
        return 0.0;
    }
    const std::size_t n = sorted.size();
    return n % 2 == 0 ? 0.5 * (sorted[n / 2] + sorted[n / 2 - 1]) : sorted[n / 2];
}

} // namespace

Result<KlDivergenceResult> computeKlDivergence(LlamaContext& context, LogProbReader& base,
                                               std::int32_t bos, int maxChunks, int batchSize,
                                               ProgressSink& progress, const CancelToken& cancel) {
    const LogProbHeader& h = base.header();
    const int ctx = static_cast<int>(h.contextLength);
    if (h.vocab != context.config().vocab) {
        return makeError(ErrorCode::InvalidArgument,
                         "KL divergence: the reference has a vocabulary of " +
                             std::to_string(h.vocab) + ", the model " +
                             std::to_string(context.config().vocab));
    }
    if (ctx > context.contextLength()) {
        return makeError(ErrorCode::InvalidArgument,
                         "KL divergence: the reference was computed with context " +
                             std::to_string(ctx) + ", larger than this context");
    }
    const auto start = std::chrono::steady_clock::now();
    const int chunks = maxChunks < 0 ? h.chunks : std::min(h.chunks, maxChunks);
    const int first = ctx / 2;
    const int scored = h.scoredPerChunk();
    const std::size_t vocab = static_cast<std::size_t>(h.vocab);
    Sums s;
    std::vector<float> kldValues;
    std::vector<float> pDiffValues;
    kldValues.reserve(static_cast<std::size_t>(chunks) * scored);
    pDiffValues.reserve(kldValues.capacity());
    std::vector<std::uint16_t> records;
    std::vector<float> logits;
    for (int chunk = 0; chunk < chunks; ++chunk) {
        if (cancel.isCancelled()) {
            return makeError(ErrorCode::Cancelled, "KL divergence cancelled");
        }
        if (auto st = base.readChunk(records); !st) {
            return st.error();
        }
        const auto chunkTokens = std::span(h.tokens).subspan(static_cast<std::size_t>(chunk) * ctx,
                                                             static_cast<std::size_t>(ctx));
        if (auto st = evaluateChunk(context, chunkTokens, bos, batchSize, logits); !st) {
            return chunkError(st.error(), chunk, chunks);
        }
        for (int i = 0; i < scored; ++i) {
            const auto [kld, pDiff] = comparePosition(
                std::span<const float>(logits.data() + static_cast<std::size_t>(i) * vocab, vocab),
                records.data() + static_cast<std::size_t>(i) * h.recordValues(),
                chunkTokens[static_cast<std::size_t>(first + i + 1)], s);
            kldValues.push_back(static_cast<float>(kld));
            pDiffValues.push_back(pDiff);
        }
        progress.progress(static_cast<std::uint64_t>(chunk + 1), static_cast<std::uint64_t>(chunks),
                          "chunks", "KL divergence");
    }
    if (s.count == 0) {
        return makeError(ErrorCode::InvalidArgument, "KL divergence: the reference has no chunks");
    }
    std::sort(kldValues.begin(), kldValues.end());
    std::sort(pDiffValues.begin(), pDiffValues.end());

    KlDivergenceResult r;
    r.contextLength = ctx;
    r.chunks = chunks;
    r.count = s.count;
    const auto logPpl = meanAndError(s.nll, s.nll2, s.count);
    const auto logPplBase = meanAndError(s.nllBase, s.nllBase2, s.count);
    r.ppl = std::exp(logPpl.first);
    r.pplError = r.ppl * logPpl.second;
    r.basePpl = std::exp(logPplBase.first);
    r.basePplError = r.basePpl * logPplBase.second;
    const double n = static_cast<double>(s.count);
    const double covariance =
        s.count < 10 ? 0.0 : (s.nllNllBase / n - (s.nll / n) * (s.nllBase / n)) / (n - 1);
    r.pplCorrelation = logPpl.second * logPplBase.second > 0
                           ? covariance / (logPpl.second * logPplBase.second)
                           : 0.0;
    r.lnPplRatio = logPpl.first - logPplBase.first;
    r.lnPplRatioError =
        std::sqrt(std::max(0.0, logPpl.second * logPpl.second +
                                    logPplBase.second * logPplBase.second - 2 * covariance));

    const auto kl = meanAndError(s.kld, s.kld2, s.count);
    r.kldMean = kl.first;
    r.kldMeanError = kl.second;
    r.kldMax = kldValues.back();
    r.kldP999 = percentile(kldValues, 0.999);
    r.kldP99 = percentile(kldValues, 0.99);
    r.kldP95 = percentile(kldValues, 0.95);
    r.kldP90 = percentile(kldValues, 0.90);
    r.kldMedian = median(kldValues);
    r.kldP10 = percentile(kldValues, 0.10);
    r.kldP5 = percentile(kldValues, 0.05);
    r.kldP1 = percentile(kldValues, 0.01);
    r.kldMin = kldValues.front();

    const auto pd = meanAndError(s.pDiff, s.pDiff2, s.count);
    r.deltaPMean = pd.first;
    r.deltaPMeanError = pd.second;
    const auto mse = meanAndError(s.pDiff2, s.pDiff4, s.count);
    r.deltaPRms = std::sqrt(mse.first);
    r.deltaPRmsError = r.deltaPRms > 0 ? 0.5 / r.deltaPRms * mse.second : 0.0;
    r.deltaPMax = pDiffValues.back();
    r.deltaPP99 = percentile(pDiffValues, 0.99);
    r.deltaPMedian = median(pDiffValues);
    r.deltaPP1 = percentile(pDiffValues, 0.01);
    r.deltaPMin = pDiffValues.front();

    r.sameTop = static_cast<double>(s.sameTop) / n;
    r.sameTopError = s.count > 1 ? std::sqrt(r.sameTop * (1 - r.sameTop) / (n - 1)) : 0.0;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

std::string referenceCachePath(const std::string& cacheDir, std::uint64_t modelHash,
                               std::uint64_t textHash, int contextLength) {
    return (std::filesystem::path(cacheDir) / (hashHex(modelHash) + "-" + hashHex(textHash) + "-c" +
                                               std::to_string(contextLength) + ".kld"))
        .string();
}

Result<bool> ensureReferenceLogProbs(const std::string& path, LlamaContext& reference,
                                     std::span<const std::int32_t> tokens, std::int32_t bos,
                                     const PerplexityOptions& options, ProgressSink& progress,
                                     const CancelToken& cancel, PerplexityResult* basePerplexity) {
    const int chunks = perplexityChunkCount(tokens.size(), options);
    const std::size_t ctx = static_cast<std::size_t>(options.contextLength);
    if (chunks <= 0) {
        return makeError(ErrorCode::InvalidArgument,
                         "reference: the text is shorter than one chunk of " + std::to_string(ctx));
    }
    if (auto existing = LogProbReader::open(path)) {
        const LogProbHeader& h = existing->header();
        const std::size_t usable = std::min<std::size_t>(h.tokens.size(), chunks * ctx);
        if (h.contextLength == ctx && h.vocab == reference.config().vocab && h.chunks >= chunks &&
            std::equal(h.tokens.begin(), h.tokens.begin() + static_cast<std::ptrdiff_t>(usable),
                       tokens.begin())) {
            std::error_code ec;
            const auto size = std::filesystem::file_size(path, ec);
            const std::uint64_t expected =
                20 + h.tokens.size() * 4 +
                static_cast<std::uint64_t>(h.chunks) * h.scoredPerChunk() * h.recordValues() * 2;
            if (!ec && size == expected) {
                return true;
            }
        }
    }
    std::error_code ec;
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
        std::filesystem::create_directories(parent, ec);
    }
    LogProbHeader header;
    header.contextLength = static_cast<std::uint32_t>(ctx);
    header.vocab = reference.config().vocab;
    header.chunks = chunks;
    header.tokens.assign(tokens.begin(),
                         tokens.begin() + static_cast<std::ptrdiff_t>(chunks * ctx));
    auto writer = LogProbWriter::create(path, header);
    if (!writer) {
        return writer.error();
    }
    auto ppl = computePerplexity(reference, tokens, bos, options, progress, cancel, &*writer);
    if (!ppl) {
        return ppl.error();
    }
    if (auto st = writer->commit(); !st) {
        return st.error();
    }
    if (basePerplexity) {
        *basePerplexity = std::move(*ppl);
    }
    return false;
}

} // namespace qs::core
