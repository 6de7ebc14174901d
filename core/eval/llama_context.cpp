#include "core/eval/llama_context.h"

#include "core/eval/activation_rounding.h"
#include "core/eval/cpu_matmul.h"
#include "core/eval/vec_dot.h"
#include "core/quant/data_validation.h"
#include "core/quant/half.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <string>

namespace qs::core {

namespace {

// checkFinite's stages besides a block's index.
constexpr int kEmbeddingStage = -1, kLogitsStage = -2;

// x[t * b.size() + i] += b[i] for every token t; nothing when the model has no such bias.
void addBias(float* x, const std::vector<float>& b, std::int64_t n) {
    const std::size_t width = b.size();
    for (std::int64_t t = 0; t < n && width > 0; ++t) {
        float* row = x + static_cast<std::size_t>(t) * width;
        for (std::size_t i = 0; i < width; ++i) {
            row[i] += b[i];
        }
    }
}

// ggml's GELU on the CPU (GGML_GELU_FP16): a table over every f16 input of the tanh
// approximation rounded to f16, used for |x| < 10; below -10 it is 0, above 10 x itself.
float geluTanhAsGgml(float x) {
    static const std::vector<std::uint16_t> table = [] {
        std::vector<std::uint16_t> t(1u << 16);
        constexpr float kSqrt2OverPi = 0.79788456080286535587989211986876f;
        constexpr float kCoefA = 0.044715f;
        for (std::uint32_t h = 0; h < t.size(); ++h) {
            const float v = fp16ToFp32(static_cast<std::uint16_t>(h));
            const float g =
                0.5f * v * (1.0f + std::tanh(kSqrt2OverPi * v * (1.0f + kCoefA * v * v)));
            t[h] = fp32ToFp16(g);
        }
        return t;
    }();
    if (x <= -10.0f) {
        return 0.0f;
    }
    if (x >= 10.0f) {
        return x;
    }
    return fp16ToFp32(table[fp32ToFp16(x)]);
}

// gate[i] = act(gate[i]) * up[i]: SwiGLU or GeGLU (tanh), as the family says.
void gatedActivation(GatedActivation activation, float* gate, const float* up, std::size_t n) {
    if (activation == GatedActivation::GeluTanh) {
        for (std::size_t i = 0; i < n; ++i) {
            gate[i] = geluTanhAsGgml(gate[i]) * up[i];
        }
        return;
    }
    for (std::size_t i = 0; i < n; ++i) {
        const float g = gate[i];
        gate[i] = g / (1.0f + std::exp(-g)) * up[i]; // silu(gate) * up
    }
}

} // namespace

LlamaContext::LlamaContext(std::shared_ptr<const LlamaWeights> weights, int contextLength,
                           int threads, ComputeBackend* backend)
    : m_weights(std::move(weights))
    , m_contextLength(contextLength)
    , m_pool(threads)
    , m_backend(backend) {
    const LlamaConfig& c = config();
    setSequenceCount(1);
    // GGUF/llama.cpp RoPE: pair i of a head turns by pos * base^(-2i/ropeDims) (times the
    // linear scaling factor, divided by the pair's frequency factor when the model has them).
    // The angle is built by repeated float multiplication as ggml's rope cache does, so the
    // tables agree with llama.cpp to the last bit of the angle.
    const int pairs = c.ropeDims / 2;
    auto build = [&](RopeTable& table, float base, float scale) {
        table.cos.resize(static_cast<std::size_t>(contextLength) * pairs);
        table.sin.resize(table.cos.size());
        const float thetaScale = std::pow(base, -2.0f / static_cast<float>(c.ropeDims));
        for (int pos = 0; pos < contextLength; ++pos) {
            float theta = static_cast<float>(pos);
            for (int i = 0; i < pairs; ++i) {
                const float factor =
                    c.ropeFactors.empty() ? 1.0f : c.ropeFactors[static_cast<std::size_t>(i)];
                const float angle = scale * (theta / factor);
                table.cos[static_cast<std::size_t>(pos) * pairs + i] = std::cos(angle);
                table.sin[static_cast<std::size_t>(pos) * pairs + i] = std::sin(angle);
                theta *= thetaScale;
            }
        }
    };
    build(m_rope, c.ropeFreqBase, c.ropeFreqScale);
    if (c.slidingWindow > 0) {
        build(m_ropeSwa, c.ropeFreqBaseSwa, c.ropeFreqScaleSwa);
    }
}

void LlamaContext::setSequenceCount(int sequences) {
    const LlamaConfig& c = config();
    const std::size_t kvDim = static_cast<std::size_t>(c.kvHeads) * c.headDim;
    const std::size_t count = static_cast<std::size_t>(std::max(sequences, 1));
    m_keyCache.assign(static_cast<std::size_t>(c.layers) * count * m_contextLength * kvDim, 0.0f);
    m_valueCache.assign(m_keyCache.size(), 0.0f);
    m_positions.assign(count, 0);
    m_sequence = 0;
}

void LlamaContext::selectSequence(int sequence) {
    assert(sequence >= 0 && sequence < sequenceCount());
    m_sequence = std::clamp(sequence, 0, sequenceCount() - 1);
}

std::size_t LlamaContext::cacheOffset(int layer, int pos) const {
    const std::size_t kvDim = static_cast<std::size_t>(config().kvHeads) * config().headDim;
    const std::size_t slot =
        static_cast<std::size_t>(layer) * m_positions.size() + static_cast<std::size_t>(m_sequence);
    return (slot * m_contextLength + static_cast<std::size_t>(pos)) * kvDim;
}

const RepackedMatrix* LlamaContext::repacked(const WeightMatrix& w) {
    auto it = m_repacked.find(w.data);
    if (it != m_repacked.end()) {
        const RepackedMatrix* r = it->second.get();
        // The same bytes seen as another matrix (never in practice) are not the copy's.
        const bool same = r && r->source().type == w.type && r->source().nRows == w.nRows &&
                          r->source().nCols == w.nCols;
        return same ? r : nullptr;
    }
    // F16 too, although its copy is the costliest (the 1.1B model's 2.2 GB: ~3.3 s before the
    // first token here, most of it the kernel zeroing fresh huge pages): prompts then run twice
    // as fast (pp 52.7 against 25-26 tok/s) and decode reads huge pages, not the page cache's
    // 4 KiB ones (tg 15.6-20.5 against 14.1-15.1; docs/benchmarks.md).
    std::unique_ptr<RepackedMatrix> r = RepackedMatrix::build(m_pool, w);
    // The token embedding is also read row by row for lookups (tied output): keep its pages.
    if (r && w.data != m_weights->tokenEmbedding().data) {
        m_weights->releasePages(w);
    }
    return m_repacked.emplace(w.data, std::move(r)).first->second.get();
}

std::size_t LlamaContext::repackedBytes() const {
    std::size_t total = 0;
    for (const auto& [data, r] : m_repacked) {
        total += r ? r->bytes() : 0;
    }
    return total;
}

Status LlamaContext::matmul(const WeightMatrix& w, const float* x, std::int64_t n, float* y) {
    // The fused kernels convert x to exactly the values roundActivations gives, once per input.
    if (m_llamaCppNumerics && !m_backend) {
        if (const RepackedMatrix* r = m_repackWeights ? repacked(w) : nullptr) {
            cpuMatmulRepacked(m_pool, *r, x, n, y);
            return {};
        }
        if (cpuMatmulQuantized(m_pool, w, x, n, y)) {
            return {};
        }
    }
    const GgmlType activationType = activationTypeFor(w.type);
    if (m_llamaCppNumerics && activationType != GgmlType::F32) {
        const std::size_t size = static_cast<std::size_t>(n * w.nCols);
        if (m_rounded.size() < size) {
            m_rounded.resize(size);
        }
        std::copy(x, x + size, m_rounded.begin());
        for (std::int64_t t = 0; t < n; ++t) {
            roundActivations(activationType, m_rounded.data() + t * w.nCols, w.nCols);
        }
        x = m_rounded.data();
    }
    if (!m_backend) {
        cpuMatmul(m_pool, w, x, n, y);
        return {};
    }
    // The whole batch in one call: a device backend then reads each weight once per batch.
    return m_backend->matmul(w, x, n, y);
}

Status LlamaContext::matmulShared(std::span<const Product> products, const float* x,
                                  std::int64_t n) {
    constexpr std::size_t kMaxProducts = 3; // Q, K and V
    if (m_llamaCppNumerics && !m_backend && m_repackWeights && products.size() <= kMaxProducts) {
        RepackedProduct repackedProducts[kMaxProducts];
        bool all = true;
        for (std::size_t k = 0; k < products.size() && all; ++k) {
            const RepackedMatrix* r = repacked(*products[k].w);
            all = r && activationTypeFor(r->source().type) ==
                           activationTypeFor(products.front().w->type);
            repackedProducts[k] = {r, products[k].y};
        }
        if (all) {
            cpuMatmulRepacked(m_pool, std::span(repackedProducts, products.size()), x, n);
            return {};
        }
    }
    for (const Product& p : products) {
        if (auto st = matmul(*p.w, x, n, p.y); !st) {
            return st;
        }
    }
    return {};
}

void LlamaContext::rmsNorm(const float* x, const std::vector<float>& gain, float* out,
                           std::int64_t rows, int width) {
    const float eps = config().rmsEpsilon;
    for (std::int64_t t = 0; t < rows; ++t) {
        const float* xt = x + t * width;
        float* ot = out + t * width;
        // As ggml: each square rounded in f32, the sum kept in double.
        double sum = 0.0;
        for (int i = 0; i < width; ++i) {
            sum += static_cast<double>(xt[i] * xt[i]);
        }
        const float scale = 1.0f / std::sqrt(static_cast<float>(sum / width) + eps);
        for (int i = 0; i < width; ++i) {
            ot[i] = xt[i] * scale * gain[static_cast<std::size_t>(i)];
        }
    }
}

void LlamaContext::applyRope(float* v, std::int64_t n, int heads, int pos0, bool sliding) {
    const LlamaConfig& c = config();
    const int pairs = c.ropeDims / 2;
    const RopeTable& rope = sliding ? m_ropeSwa : m_rope;
    // Interleaved pairs (2i, 2i+1) for llama; NeoX pairs (i, i + ropeDims/2).
    const bool neox = c.ropeLayout == RopeLayout::NeoX;
    const int stride = neox ? 1 : 2;
    const int partner = neox ? pairs : 1;
    for (std::int64_t t = 0; t < n; ++t) {
        const std::size_t table = static_cast<std::size_t>(pos0 + t) * pairs;
        for (int h = 0; h < heads; ++h) {
            float* head = v + (t * heads + h) * c.headDim;
            for (int i = 0; i < pairs; ++i) {
                const float cs = rope.cos[table + i];
                const float sn = rope.sin[table + i];
                float* a = head + i * stride;
                float* b = a + partner;
                const float x0 = *a;
                const float x1 = *b;
                *a = x0 * cs - x1 * sn;
                *b = x0 * sn + x1 * cs;
            }
        }
    }
}

void LlamaContext::attention(int layer, std::int64_t n, int pos0) {
    const LlamaConfig& c = config();
    const int headDim = c.headDim;
    const std::size_t kvDim = static_cast<std::size_t>(c.kvHeads) * headDim;
    const int group = c.heads / c.kvHeads;
    const float* keys = m_keyCache.data() + cacheOffset(layer, 0);
    const float* values = m_valueCache.data() + cacheOffset(layer, 0);
    // With scaleQueryFirst the scale is already in Q (evaluate()).
    const float scale = c.scaleQueryFirst ? 1.0f : c.attentionScale;
    // A sliding-window layer sees the `window` latest positions, the token itself included
    // (llama.cpp's LLAMA_SWA_TYPE_STANDARD masks p when query - p >= window).
    const int window = c.isSliding(layer) ? c.slidingWindow : 0;
    const std::int64_t items = n * c.heads;
    m_pool.parallelFor(
        items, std::max<std::int64_t>(1, items / (m_pool.threads() * 4)),
        [&](std::int64_t begin, std::int64_t end) {
            thread_local std::vector<float> scores;
            for (std::int64_t item = begin; item < end; ++item) {
                const std::int64_t t = item / c.heads;
                const int h = static_cast<int>(item % c.heads);
                const int kvHead = h / group;
                const int last = pos0 + static_cast<int>(t); // causal: positions first..last
                const int first = window > 0 ? std::max(0, last - window + 1) : 0;
                const float* q = m_q.data() + (t * c.heads + h) * headDim;
                scores.resize(static_cast<std::size_t>(last) + 1);
                scaledDotProducts(q, keys + first * kvDim + kvHead * headDim, kvDim,
                                  last - first + 1, headDim, scale, scores.data() + first);
                float maxScore = -INFINITY;
                for (int p = first; p <= last; ++p) {
                    maxScore = std::max(maxScore, scores[static_cast<std::size_t>(p)]);
                }
                double sum = 0.0;
                for (int p = first; p <= last; ++p) {
                    const float e = std::exp(scores[static_cast<std::size_t>(p)] - maxScore);
                    scores[static_cast<std::size_t>(p)] = e;
                    sum += e;
                }
                const float inv = static_cast<float>(1.0 / sum);
                float* out = m_att.data() + (t * c.heads + h) * headDim;
                std::fill(out, out + headDim, 0.0f);
                weightedSum(out, values + first * kvDim + kvHead * headDim, kvDim,
                            scores.data() + first, inv, last - first + 1, headDim);
            }
        });
}

Status LlamaContext::expertFfn(int layer, const LlamaLayerWeights& lw, std::int64_t n) {
    const LlamaConfig& c = config();
    const auto un = static_cast<std::size_t>(n);
    const std::size_t dim = static_cast<std::size_t>(c.dim);
    const std::size_t hidden = static_cast<std::size_t>(c.expertHidden);
    const int k = c.expertsUsed;
    const std::size_t slots = un * static_cast<std::size_t>(k);
    auto ensure = [](auto& v, std::size_t size) {
        if (v.size() < size) {
            v.resize(size);
        }
    };
    ensure(m_routerLogits, un * static_cast<std::size_t>(c.experts));
    ensure(m_slotWeights, slots);
    ensure(m_slotExpert, slots);
    ensure(m_slotOut, slots * dim);

    if (m_observer) {
        m_observer->linearInput(layer, LlamaLinear::FfnGateInp, m_xb.data(), n,
                                static_cast<std::int64_t>(dim));
    }
    if (auto st = matmul(lw.router, m_xb.data(), n, m_routerLogits.data()); !st) {
        return st;
    }
    // Routing as llama.cpp's build_moe_ffn with softmax gating and norm_w: the softmax over
    // all experts (sum in double, as ggml's soft_max), the k most probable (ties: lower index
    // first), their probabilities divided by their sum (clamped below at f16's smallest normal).
    std::vector<int> order(static_cast<std::size_t>(c.experts));
    for (std::size_t t = 0; t < un; ++t) {
        float* logits = m_routerLogits.data() + t * static_cast<std::size_t>(c.experts);
        float maxLogit = -INFINITY;
        for (int e = 0; e < c.experts; ++e) {
            maxLogit = std::max(maxLogit, logits[e]);
        }
        double sum = 0.0;
        for (int e = 0; e < c.experts; ++e) {
            logits[e] = std::exp(logits[e] - maxLogit);
            sum += logits[e];
        }
        const auto inv = static_cast<float>(1.0 / sum);
        for (int e = 0; e < c.experts; ++e) {
            logits[e] *= inv;
        }
        for (int e = 0; e < c.experts; ++e) {
            order[static_cast<std::size_t>(e)] = e;
        }
        std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int a, int b) {
            return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
        });
        double weightSum = 0.0;
        for (int j = 0; j < k; ++j) {
            weightSum += logits[order[static_cast<std::size_t>(j)]];
        }
        const float denominator = std::max(static_cast<float>(weightSum), 6.103515625e-5f);
        for (int j = 0; j < k; ++j) {
            const std::size_t slot = t * static_cast<std::size_t>(k) + static_cast<std::size_t>(j);
            const int e = order[static_cast<std::size_t>(j)];
            m_slotExpert[slot] = e;
            float w = logits[e] / denominator;
            if (c.expertWeightsScale != 0.0f && c.expertWeightsScale != 1.0f) {
                w *= c.expertWeightsScale;
            }
            m_slotWeights[slot] = w;
        }
    }

    // Each expert once, on the rows routed to it (in batch order), its output scattered back
    // to the (token, slot) it came from and weighted there.
    // The slots of each expert in batch order, gathered in one pass (counting sort).
    std::vector<std::size_t> firstSlot(static_cast<std::size_t>(c.experts) + 1, 0);
    for (std::size_t slot = 0; slot < slots; ++slot) {
        ++firstSlot[static_cast<std::size_t>(m_slotExpert[slot]) + 1];
    }
    for (int e = 0; e < c.experts; ++e) {
        firstSlot[static_cast<std::size_t>(e) + 1] += firstSlot[static_cast<std::size_t>(e)];
    }
    std::vector<std::size_t> bySlot(slots);
    std::vector<std::size_t> next(firstSlot.begin(), firstSlot.end() - 1);
    for (std::size_t slot = 0; slot < slots; ++slot) {
        bySlot[next[static_cast<std::size_t>(m_slotExpert[slot])]++] = slot;
    }
    for (int e = 0; e < c.experts; ++e) {
        const std::span<const std::size_t> routed(
            bySlot.data() + firstSlot[static_cast<std::size_t>(e)],
            firstSlot[static_cast<std::size_t>(e) + 1] - firstSlot[static_cast<std::size_t>(e)]);
        if (routed.empty()) {
            continue;
        }
        const auto rows = static_cast<std::int64_t>(routed.size());
        ensure(m_expertIn, routed.size() * dim);
        ensure(m_expertGate, routed.size() * hidden);
        ensure(m_expertUp, routed.size() * hidden);
        ensure(m_expertOut, routed.size() * dim);
        for (std::size_t r = 0; r < routed.size(); ++r) {
            const std::size_t token = routed[r] / static_cast<std::size_t>(k);
            std::copy_n(m_xb.data() + token * dim, dim, m_expertIn.data() + r * dim);
        }
        const auto eu = static_cast<std::size_t>(e);
        if (m_observer) {
            m_observer->expertInput(layer, LlamaLinear::FfnGateExps, e, c.experts,
                                    m_expertIn.data(), rows, static_cast<std::int64_t>(dim));
            m_observer->expertInput(layer, LlamaLinear::FfnUpExps, e, c.experts, m_expertIn.data(),
                                    rows, static_cast<std::int64_t>(dim));
        }
        const Product gateUp[] = {{&lw.gateExps[eu], m_expertGate.data()},
                                  {&lw.upExps[eu], m_expertUp.data()}};
        if (auto st = matmulShared(gateUp, m_expertIn.data(), rows); !st) {
            return st;
        }
        gatedActivation(c.activation, m_expertGate.data(), m_expertUp.data(),
                        routed.size() * hidden);
        if (m_observer) {
            m_observer->expertInput(layer, LlamaLinear::FfnDownExps, e, c.experts,
                                    m_expertGate.data(), rows, static_cast<std::int64_t>(hidden));
        }
        if (auto st = matmul(lw.downExps[eu], m_expertGate.data(), rows, m_expertOut.data()); !st) {
            return st;
        }
        for (std::size_t r = 0; r < routed.size(); ++r) {
            const float w = m_slotWeights[routed[r]];
            const float* from = m_expertOut.data() + r * dim;
            float* to = m_slotOut.data() + routed[r] * dim;
            for (std::size_t i = 0; i < dim; ++i) {
                to[i] = from[i] * w;
            }
        }
    }
    // The slots of a token added in slot order (ggml adds the k views one after another).
    for (std::size_t t = 0; t < un; ++t) {
        float* out = m_tmp.data() + t * dim;
        const float* first = m_slotOut.data() + t * static_cast<std::size_t>(k) * dim;
        std::copy_n(first, dim, out);
        for (int j = 1; j < k; ++j) {
            const float* y = first + static_cast<std::size_t>(j) * dim;
            for (std::size_t i = 0; i < dim; ++i) {
                out[i] += y[i];
            }
        }
    }
    return {};
}

Status LlamaContext::evaluate(std::span<const std::int32_t> tokens, std::int64_t firstLogit,
                              std::vector<float>& logits) {
    const LlamaConfig& c = config();
    const auto n = static_cast<std::int64_t>(tokens.size());
    if (n == 0) {
        logits.clear();
        return {};
    }
    if (position() + n > m_contextLength) {
        return makeError(ErrorCode::InvalidArgument, "evaluate: " + std::to_string(position() + n) +
                                                         " positions exceed the context of " +
                                                         std::to_string(m_contextLength));
    }
    if (firstLogit < 0 || firstLogit > n) {
        return makeError(ErrorCode::InvalidArgument, "evaluate: firstLogit out of range");
    }
    for (const std::int32_t token : tokens) {
        if (token < 0 || token >= c.vocab) {
            return makeError(ErrorCode::InvalidArgument, "evaluate: token id " +
                                                             std::to_string(token) +
                                                             " is outside the vocabulary");
        }
    }
    const int pos0 = position();
    prepareBatch(n);
    if (auto st = embedBatch(tokens, pos0); !st) {
        return st;
    }
    for (int layer = 0; layer < c.layers; ++layer) {
        if (auto st = runBlock(layer, tokens, pos0); !st) {
            return st;
        }
    }
    const LlamaWeights& w = *m_weights;
    const std::size_t dim = static_cast<std::size_t>(c.dim);
    m_positions[static_cast<std::size_t>(m_sequence)] += static_cast<int>(n);

    const std::int64_t outputs = n - firstLogit;
    logits.resize(static_cast<std::size_t>(outputs) * c.vocab);
    if (outputs > 0) {
        rmsNorm(m_x.data() + firstLogit * dim, w.outputNorm(), m_xb.data(), outputs);
        if (auto st = matmul(w.output(), m_xb.data(), outputs, logits.data()); !st) {
            return st;
        }
        if (c.finalLogitSoftcap > 0.0f) {
            // As ggml: scale by 1/cap, tanh, scale by cap (gemma3 without sliding windows).
            const float inv = 1.0f / c.finalLogitSoftcap;
            for (float& v : logits) {
                v = std::tanh(v * inv) * c.finalLogitSoftcap;
            }
        }
        if (auto st = checkFinite(logits.data(), firstLogit, static_cast<std::size_t>(outputs),
                                  static_cast<std::size_t>(c.vocab), kLogitsStage, tokens, pos0);
            !st) {
            return st;
        }
    }
    return {};
}

Status LlamaContext::checkFinite(const float* values, std::int64_t firstToken, std::size_t rows,
                                 std::size_t width, int stage, std::span<const std::int32_t> tokens,
                                 int pos0) const {
    // A NaN or infinity never turns back into a number: stop at the first place one appears
    // and say where, rather than report a perplexity of nan. One scan of the residual stream
    // per block costs nothing beside the block's matrix products. `rows` rows of `width`
    // values, row r belonging to batch entry firstToken + r. `stage` is the block whose output
    // is checked, or kEmbeddingStage / kLogitsStage; the message is built only when something
    // is wrong (this runs once per block in every decode step).
    const auto bad = findNonFinite(values, rows * width);
    if (!bad) {
        return {};
    }
    const auto entry = static_cast<std::size_t>(firstToken) + *bad / width;
    const std::string where = stage == kEmbeddingStage ? std::string("the token embedding")
                              : stage == kLogitsStage
                                  ? std::string("the logits")
                                  : "the output of block " + std::to_string(stage);
    return makeError(ErrorCode::Format, "non-finite activation (" + nonFiniteName(values[*bad]) +
                                            ") in " + where + " for the token at position " +
                                            std::to_string(pos0 + entry) + " (id " +
                                            std::to_string(tokens[entry]) + ")");
}

void LlamaContext::prepareBatch(std::int64_t n) {
    const LlamaConfig& c = config();
    const std::size_t dim = static_cast<std::size_t>(c.dim);
    const std::size_t qDim = static_cast<std::size_t>(c.heads) * c.headDim;
    const std::size_t kvDim = static_cast<std::size_t>(c.kvHeads) * c.headDim;
    const std::size_t un = static_cast<std::size_t>(n);
    auto ensure = [](std::vector<float>& v, std::size_t size) {
        if (v.size() < size) {
            v.resize(size);
        }
    };
    ensure(m_x, un * dim);
    ensure(m_xb, un * std::max(dim, qDim));
    ensure(m_q, un * qDim);
    ensure(m_k, un * kvDim);
    ensure(m_v, un * kvDim);
    ensure(m_att, un * qDim);
    ensure(m_gate, un * c.hidden);
    ensure(m_up, un * c.hidden);
    ensure(m_tmp, un * dim);
}

Status LlamaContext::embedBatch(std::span<const std::int32_t> tokens, int pos0) {
    const LlamaConfig& c = config();
    const LlamaWeights& w = *m_weights;
    const auto n = static_cast<std::int64_t>(tokens.size());
    const std::size_t dim = static_cast<std::size_t>(c.dim);
    const std::size_t un = static_cast<std::size_t>(n);
    for (std::int64_t t = 0; t < n; ++t) {
        cpuDequantizeRow(w.tokenEmbedding(), tokens[static_cast<std::size_t>(t)],
                         m_x.data() + t * dim);
    }
    if (c.embeddingScale != 1.0f) {
        for (std::size_t i = 0; i < un * dim; ++i) {
            m_x[i] *= c.embeddingScale;
        }
    }
    return checkFinite(m_x.data(), 0, un, dim, kEmbeddingStage, tokens, pos0);
}

Status LlamaContext::runBlock(int layer, std::span<const std::int32_t> tokens, int pos0) {
    const LlamaConfig& c = config();
    const LlamaWeights& w = *m_weights;
    const auto n = static_cast<std::int64_t>(tokens.size());
    const std::size_t dim = static_cast<std::size_t>(c.dim);
    const std::size_t qDim = static_cast<std::size_t>(c.heads) * c.headDim;
    const std::size_t kvDim = static_cast<std::size_t>(c.kvHeads) * c.headDim;
    const std::size_t un = static_cast<std::size_t>(n);
#define QS_MATMUL(...)                                                                             \
    do {                                                                                           \
        if (auto st = matmul(__VA_ARGS__); !st) {                                                  \
            return st;                                                                             \
        }                                                                                          \
    } while (false)
#define QS_OBSERVE(linear, x, columns)                                                             \
    do {                                                                                           \
        if (m_observer) {                                                                          \
            m_observer->linearInput(layer, LlamaLinear::linear, x, n,                              \
                                    static_cast<std::int64_t>(columns));                           \
        }                                                                                          \
    } while (false)
    const LlamaLayerWeights& lw = w.layers()[static_cast<std::size_t>(layer)];
    rmsNorm(m_x.data(), lw.attnNorm, m_xb.data(), n);
    QS_OBSERVE(AttnQ, m_xb.data(), dim);
    QS_OBSERVE(AttnK, m_xb.data(), dim);
    QS_OBSERVE(AttnV, m_xb.data(), dim);
    const Product qkv[] = {{&lw.wq, m_q.data()}, {&lw.wk, m_k.data()}, {&lw.wv, m_v.data()}};
    if (auto st = matmulShared(qkv, m_xb.data(), n); !st) {
        return st;
    }
    addBias(m_q.data(), lw.bq, n);
    addBias(m_k.data(), lw.bk, n);
    addBias(m_v.data(), lw.bv, n);
    if (!lw.qNorm.empty()) {
        rmsNorm(m_q.data(), lw.qNorm, m_q.data(), n * c.heads, c.headDim);
        rmsNorm(m_k.data(), lw.kNorm, m_k.data(), n * c.kvHeads, c.headDim);
    }
    const bool sliding = c.isSliding(layer);
    applyRope(m_q.data(), n, c.heads, pos0, sliding);
    applyRope(m_k.data(), n, c.kvHeads, pos0, sliding);
    if (c.scaleQueryFirst) {
        for (std::size_t i = 0; i < un * qDim; ++i) {
            m_q[i] *= c.attentionScale;
        }
    }
    if (m_llamaCppNumerics) {
        roundToHalf(m_q.data(), n * static_cast<std::int64_t>(qDim));
        roundToHalf(m_k.data(), n * static_cast<std::int64_t>(kvDim));
        roundToHalf(m_v.data(), n * static_cast<std::int64_t>(kvDim));
    }
    const std::size_t cacheBase = cacheOffset(layer, pos0);
    std::memcpy(m_keyCache.data() + cacheBase, m_k.data(), un * kvDim * sizeof(float));
    std::memcpy(m_valueCache.data() + cacheBase, m_v.data(), un * kvDim * sizeof(float));
    attention(layer, n, pos0);
    QS_OBSERVE(AttnOutput, m_att.data(), qDim);
    QS_MATMUL(lw.wo, m_att.data(), n, m_tmp.data());
    if (!lw.postAttnNorm.empty()) {
        rmsNorm(m_tmp.data(), lw.postAttnNorm, m_tmp.data(), n);
    }
    for (std::size_t i = 0; i < un * dim; ++i) {
        m_x[i] += m_tmp[i];
    }

    rmsNorm(m_x.data(), lw.ffnNorm, m_xb.data(), n);
    if (c.experts > 0) {
        if (auto st = expertFfn(layer, lw, n); !st) {
            return st;
        }
    } else {
        QS_OBSERVE(FfnGate, m_xb.data(), dim);
        QS_OBSERVE(FfnUp, m_xb.data(), dim);
        const Product gateUp[] = {{&lw.gate, m_gate.data()}, {&lw.up, m_up.data()}};
        if (auto st = matmulShared(gateUp, m_xb.data(), n); !st) {
            return st;
        }
        gatedActivation(c.activation, m_gate.data(), m_up.data(), un * c.hidden);
        QS_OBSERVE(FfnDown, m_gate.data(), c.hidden);
        QS_MATMUL(lw.down, m_gate.data(), n, m_tmp.data());
    }
    if (!lw.postFfnNorm.empty()) {
        rmsNorm(m_tmp.data(), lw.postFfnNorm, m_tmp.data(), n);
    }
    for (std::size_t i = 0; i < un * dim; ++i) {
        m_x[i] += m_tmp[i];
    }
    if (auto st = checkFinite(m_x.data(), 0, un, dim, layer, tokens, pos0); !st) {
        return st;
    }
#undef QS_OBSERVE
#undef QS_MATMUL
    return {};
}

Status LlamaContext::checkBlockBatch(std::span<const std::int32_t> tokens,
                                     const std::vector<float>& hidden, const char* what) const {
    const LlamaConfig& c = config();
    const auto n = static_cast<std::int64_t>(tokens.size());
    if (n == 0 || n > m_contextLength) {
        return makeError(ErrorCode::InvalidArgument,
                         std::string(what) + ": " + std::to_string(n) +
                             " tokens; a batch holds 1 to the context of " +
                             std::to_string(m_contextLength));
    }
    if (hidden.size() != static_cast<std::size_t>(n) * static_cast<std::size_t>(c.dim)) {
        return makeError(ErrorCode::InvalidArgument, std::string(what) +
                                                         ": the hidden states are not tokens x " +
                                                         std::to_string(c.dim) + " values");
    }
    return {};
}

Status LlamaContext::embed(std::span<const std::int32_t> tokens, std::vector<float>& hidden) {
    const LlamaConfig& c = config();
    for (const std::int32_t token : tokens) {
        if (token < 0 || token >= c.vocab) {
            return makeError(ErrorCode::InvalidArgument, "embed: token id " +
                                                             std::to_string(token) +
                                                             " is outside the vocabulary");
        }
    }
    hidden.resize(tokens.size() * static_cast<std::size_t>(c.dim));
    if (auto st = checkBlockBatch(tokens, hidden, "embed"); !st) {
        return st;
    }
    prepareBatch(static_cast<std::int64_t>(tokens.size()));
    if (auto st = embedBatch(tokens, 0); !st) {
        return st;
    }
    std::copy_n(m_x.data(), hidden.size(), hidden.data());
    return {};
}

Status LlamaContext::evaluateBlock(int layer, std::span<const std::int32_t> tokens,
                                   std::vector<float>& hidden) {
    if (layer < 0 || layer >= config().layers) {
        return makeError(ErrorCode::InvalidArgument,
                         "evaluateBlock: no block " + std::to_string(layer));
    }
    if (auto st = checkBlockBatch(tokens, hidden, "evaluateBlock"); !st) {
        return st;
    }
    prepareBatch(static_cast<std::int64_t>(tokens.size()));
    std::copy_n(hidden.data(), hidden.size(), m_x.data());
    if (auto st = runBlock(layer, tokens, 0); !st) {
        return st;
    }
    std::copy_n(m_x.data(), hidden.size(), hidden.data());
    return {};
}

} // namespace qs::core
