#include "core/eval/imatrix_collector.h"

#include <algorithm>
#include <vector>

namespace qs::core {

namespace {

constexpr int kLinears = kLlamaLinearCount;

// sums[j] += x[j]^2 token after token in f32, as llama-imatrix's collect_imatrix does.
void addSquares(float* sums, const float* x, std::int64_t tokens, std::int64_t columns) {
    for (std::int64_t t = 0; t < tokens; ++t) {
        const float* row = x + t * columns;
        for (std::int64_t j = 0; j < columns; ++j) {
            const float v = row[j];
            sums[j] += v * v;
        }
    }
}

} // namespace

ImatrixCollector::ImatrixCollector(const LlamaConfig& config)
    : m_config(config)
    , m_layers(config.layers)
    , m_slots(static_cast<std::size_t>(config.layers) * kLinears) {}

void ImatrixCollector::linearInput(int layer, LlamaLinear linear, const float* x,
                                   std::int64_t tokens, std::int64_t columns) {
    if (layer < 0 || layer >= m_layers || !linearTensorName(m_config, layer, linear).first) {
        return; // a later slice of a fused tensor: its input was counted with the first
    }
    Slot& slot = m_slots[static_cast<std::size_t>(layer) * kLinears + static_cast<int>(linear)];
    if (slot.sums.empty()) {
        slot.sums.assign(static_cast<std::size_t>(columns), 0.0f);
        slot.counts.assign(1, 0);
    }
    addSquares(slot.sums.data(), x, tokens, columns);
    slot.counts[0] += tokens;
}

void ImatrixCollector::expertInput(int layer, LlamaLinear linear, int expert, int experts,
                                   const float* x, std::int64_t tokens, std::int64_t columns) {
    if (layer < 0 || layer >= m_layers || expert < 0 || expert >= experts) {
        return;
    }
    Slot& slot = m_slots[static_cast<std::size_t>(layer) * kLinears + static_cast<int>(linear)];
    if (slot.sums.empty()) {
        // One block of `columns` sums and one count per expert, as llama-imatrix stores
        // MUL_MAT_ID inputs: each expert averaged over the tokens routed to it.
        slot.sums.assign(static_cast<std::size_t>(columns) * static_cast<std::size_t>(experts),
                         0.0f);
        slot.counts.assign(static_cast<std::size_t>(experts), 0);
    }
    addSquares(slot.sums.data() + static_cast<std::size_t>(expert) * columns, x, tokens, columns);
    slot.counts[static_cast<std::size_t>(expert)] += tokens;
}

ImportanceMatrix ImatrixCollector::result(std::vector<std::string> datasets,
                                          std::int64_t chunkCount, std::int64_t chunkSize) const {
    ImportanceMatrix m;
    m.format = ImatrixFormat::Gguf;
    m.datasets = std::move(datasets);
    m.chunkCount = chunkCount;
    m.chunkSize = chunkSize;
    for (int layer = 0; layer < m_layers; ++layer) {
        for (int l = 0; l < kLinears; ++l) {
            const Slot& slot = m_slots[static_cast<std::size_t>(layer) * kLinears + l];
            if (slot.sums.empty()) {
                continue;
            }
            ImatrixEntry e;
            e.name = linearTensorName(m_config, layer, static_cast<LlamaLinear>(l)).name;
            e.matrices = static_cast<std::int64_t>(slot.counts.size());
            e.columns = static_cast<std::int64_t>(slot.sums.size()) / e.matrices;
            e.sums = slot.sums;
            e.counts.assign(slot.counts.begin(), slot.counts.end());
            e.weights.resize(e.sums.size());
            for (std::size_t i = 0; i < e.sums.size(); ++i) {
                const float count = e.counts[i / static_cast<std::size_t>(e.columns)];
                e.weights[i] = count == 0.0f ? 1.0f : e.sums[i] / count;
            }
            m.entries.push_back(std::move(e));
        }
    }
    std::sort(m.entries.begin(), m.entries.end(),
              [](const ImatrixEntry& a, const ImatrixEntry& b) { return a.name < b.name; });
    return m;
}

int imatrixChunkCount(std::size_t tokenCount, const ImatrixCollectOptions& options) {
    if (options.contextLength <= 0) {
        return 0;
    }
    int n = static_cast<int>(tokenCount / static_cast<std::size_t>(options.contextLength));
    if (options.maxChunks >= 0) {
        n = std::min(n, options.maxChunks);
    }
    return n;
}

Result<ImportanceMatrix> collectImatrix(LlamaContext& context, std::span<const std::int32_t> tokens,
                                        std::int32_t bos, const ImatrixCollectOptions& options,
                                        ProgressSink& progress, const CancelToken& cancel) {
    const int ctx = options.contextLength;
    if (ctx < 2 || ctx > context.contextLength()) {
        return makeError(ErrorCode::InvalidArgument, "imatrix: the chunk length must be 2.." +
                                                         std::to_string(context.contextLength()) +
                                                         ", not " + std::to_string(ctx));
    }
    const int chunks = imatrixChunkCount(tokens.size(), options);
    if (chunks < 1) {
        return makeError(ErrorCode::InvalidArgument,
                         "imatrix: the text has " + std::to_string(tokens.size()) +
                             " tokens, fewer than one chunk of " + std::to_string(ctx));
    }
    // As llama-imatrix: `sequences` chunks per batch, evaluated side by side in the row order
    // of llama.cpp's ubatches (ImatrixCollectOptions).
    const int sequences = std::clamp(options.batchSize / ctx, 1, chunks);
    const int ubatch = std::max(1, options.ubatchSize);
    ImatrixCollector collector(context.config());
    struct ContextReset {
        LlamaContext& c;
        ~ContextReset() {
            c.setActivationObserver(nullptr);
            c.setSequenceCount(1);
        }
    } reset{context};
    context.setActivationObserver(&collector);
    context.setSequenceCount(sequences);
    std::vector<std::int32_t> group(static_cast<std::size_t>(sequences) * ctx);
    std::vector<float> noLogits;
    for (int first = 0; first < chunks; first += sequences) {
        const int count = std::min(sequences, chunks - first);
        std::copy_n(tokens.begin() + static_cast<std::ptrdiff_t>(first) * ctx,
                    static_cast<std::ptrdiff_t>(count) * ctx, group.begin());
        for (int q = 0; q < count; ++q) {
            if (bos >= 0) {
                group[static_cast<std::size_t>(q) * ctx] = bos;
            }
            context.selectSequence(q);
            context.clear();
        }
        // Tokens of each sequence per ubatch; one sequence alone fills whole ubatches.
        const int step = std::max(1, ubatch / count);
        for (int start = 0; start < ctx; start += step) {
            const int n = std::min(step, ctx - start);
            for (int q = 0; q < count; ++q) {
                // A batch of a large model runs for minutes: cancel between forward calls.
                if (cancel.isCancelled()) {
                    return makeError(ErrorCode::Cancelled, "imatrix collection cancelled");
                }
                const auto part = std::span<const std::int32_t>(group).subspan(
                    static_cast<std::size_t>(q) * ctx + static_cast<std::size_t>(start),
                    static_cast<std::size_t>(n));
                context.selectSequence(q);
                if (auto st = context.evaluate(part, n, noLogits); !st) {
                    return st.error();
                }
            }
        }
        progress.progress(static_cast<std::uint64_t>(first + count),
                          static_cast<std::uint64_t>(chunks), "chunks", "imatrix");
    }
    std::vector<std::string> datasets;
    if (!options.datasetName.empty()) {
        datasets.push_back(options.datasetName);
    }
    return collector.result(std::move(datasets), chunks, ctx);
}

} // namespace qs::core
