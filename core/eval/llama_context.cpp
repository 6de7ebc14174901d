#include "core/eval/llama_context.h"

#include "core/eval/activation_rounding.h"
#include "core/eval/cpu_matmul.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

namespace qs::core {

LlamaContext::LlamaContext(std::shared_ptr<const LlamaWeights> weights, int contextLength,
                           int threads, ComputeBackend* backend)
    : m_weights(std::move(weights))
    , m_contextLength(contextLength)
    , m_pool(threads)
    , m_backend(backend) {
    const LlamaConfig& c = config();
    const std::size_t kvDim = static_cast<std::size_t>(c.kvHeads) * c.headDim;
    m_keyCache.assign(static_cast<std::size_t>(c.layers) * contextLength * kvDim, 0.0f);
    m_valueCache.assign(m_keyCache.size(), 0.0f);
    // GGUF/llama.cpp interleaved-pair RoPE: pair i of a head turns by pos * base^(-2i/ropeDims).
    // The angle is built by repeated float multiplication as ggml's rope does, so the tables
    // agree with llama.cpp to the last bit of the angle.
    const int pairs = c.ropeDims / 2;
    m_ropeCos.resize(static_cast<std::size_t>(contextLength) * pairs);
    m_ropeSin.resize(m_ropeCos.size());
    const float thetaScale = std::pow(c.ropeFreqBase, -2.0f / static_cast<float>(c.ropeDims));
    for (int pos = 0; pos < contextLength; ++pos) {
        float theta = static_cast<float>(pos);
        for (int i = 0; i < pairs; ++i) {
            m_ropeCos[static_cast<std::size_t>(pos) * pairs + i] = std::cos(theta);
            m_ropeSin[static_cast<std::size_t>(pos) * pairs + i] = std::sin(theta);
            theta *= thetaScale;
        }
    }
}

Status LlamaContext::matmul(const WeightMatrix& w, const float* x, std::int64_t n, float* y) {
    // The fused kernels convert x to exactly the values roundActivations gives, once per input.
    if (m_llamaCppNumerics && !m_backend && cpuMatmulQuantized(m_pool, w, x, n, y)) {
        return {};
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
    for (std::int64_t t = 0; t < n; ++t) {
        if (auto st = m_backend->matvec(w, x + t * w.nCols, y + t * w.nRows); !st) {
            return st;
        }
    }
    return {};
}

void LlamaContext::rmsNorm(const float* x, const std::vector<float>& gain, float* out,
                           std::int64_t n) {
    const int dim = config().dim;
    const float eps = config().rmsEpsilon;
    for (std::int64_t t = 0; t < n; ++t) {
        const float* xt = x + t * dim;
        float* ot = out + t * dim;
        double sum = 0.0; // ggml accumulates the mean square in double
        for (int i = 0; i < dim; ++i) {
            sum += static_cast<double>(xt[i]) * xt[i];
        }
        const float scale = 1.0f / std::sqrt(static_cast<float>(sum / dim) + eps);
        for (int i = 0; i < dim; ++i) {
            ot[i] = xt[i] * scale * gain[static_cast<std::size_t>(i)];
        }
    }
}

void LlamaContext::applyRope(float* v, std::int64_t n, int heads, int pos0) {
    const LlamaConfig& c = config();
    const int pairs = c.ropeDims / 2;
    for (std::int64_t t = 0; t < n; ++t) {
        const std::size_t table = static_cast<std::size_t>(pos0 + t) * pairs;
        for (int h = 0; h < heads; ++h) {
            float* head = v + (t * heads + h) * c.headDim;
            for (int i = 0; i < pairs; ++i) {
                const float cs = m_ropeCos[table + i];
                const float sn = m_ropeSin[table + i];
                const float a = head[2 * i];
                const float b = head[2 * i + 1];
                head[2 * i] = a * cs - b * sn;
                head[2 * i + 1] = a * sn + b * cs;
            }
        }
    }
}

void LlamaContext::attention(int layer, std::int64_t n, int pos0) {
    const LlamaConfig& c = config();
    const int headDim = c.headDim;
    const std::size_t kvDim = static_cast<std::size_t>(c.kvHeads) * headDim;
    const int group = c.heads / c.kvHeads;
    const float* keys =
        m_keyCache.data() + static_cast<std::size_t>(layer) * m_contextLength * kvDim;
    const float* values =
        m_valueCache.data() + static_cast<std::size_t>(layer) * m_contextLength * kvDim;
    const float scale = 1.0f / std::sqrt(static_cast<float>(headDim));
    const std::int64_t items = n * c.heads;
    m_pool.parallelFor(
        items, std::max<std::int64_t>(1, items / (m_pool.threads() * 4)),
        [&](std::int64_t begin, std::int64_t end) {
            thread_local std::vector<float> scores;
            for (std::int64_t item = begin; item < end; ++item) {
                const std::int64_t t = item / c.heads;
                const int h = static_cast<int>(item % c.heads);
                const int kvHead = h / group;
                const int last = pos0 + static_cast<int>(t); // causal: positions 0..last
                const float* q = m_q.data() + (t * c.heads + h) * headDim;
                scores.resize(static_cast<std::size_t>(last) + 1);
                float maxScore = -INFINITY;
                for (int p = 0; p <= last; ++p) {
                    const float s =
                        dotProduct(q, keys + p * kvDim + kvHead * headDim, headDim) * scale;
                    scores[static_cast<std::size_t>(p)] = s;
                    maxScore = std::max(maxScore, s);
                }
                double sum = 0.0;
                for (int p = 0; p <= last; ++p) {
                    const float e = std::exp(scores[static_cast<std::size_t>(p)] - maxScore);
                    scores[static_cast<std::size_t>(p)] = e;
                    sum += e;
                }
                const float inv = static_cast<float>(1.0 / sum);
                float* out = m_att.data() + (t * c.heads + h) * headDim;
                std::fill(out, out + headDim, 0.0f);
                for (int p = 0; p <= last; ++p) {
                    const float wgt = scores[static_cast<std::size_t>(p)] * inv;
                    const float* v = values + p * kvDim + kvHead * headDim;
                    for (int d = 0; d < headDim; ++d) {
                        out[d] += wgt * v[d];
                    }
                }
            }
        });
}

Status LlamaContext::evaluate(std::span<const std::int32_t> tokens, std::int64_t firstLogit,
                              std::vector<float>& logits) {
    const LlamaConfig& c = config();
    const auto n = static_cast<std::int64_t>(tokens.size());
    if (n == 0) {
        logits.clear();
        return {};
    }
    if (m_position + n > m_contextLength) {
        return makeError(ErrorCode::InvalidArgument, "evaluate: " + std::to_string(m_position + n) +
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
    const LlamaWeights& w = *m_weights;
    const int pos0 = m_position;
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

    for (std::int64_t t = 0; t < n; ++t) {
        cpuDequantizeRow(w.tokenEmbedding(), tokens[static_cast<std::size_t>(t)],
                         m_x.data() + t * dim);
    }

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
    const int blocks = m_blockLimit > 0 ? std::min(m_blockLimit, c.layers) : c.layers;
    for (int layer = 0; layer < blocks; ++layer) {
        const LlamaLayerWeights& lw = w.layers()[static_cast<std::size_t>(layer)];
        rmsNorm(m_x.data(), lw.attnNorm, m_xb.data(), n);
        QS_OBSERVE(AttnQ, m_xb.data(), dim);
        QS_MATMUL(lw.wq, m_xb.data(), n, m_q.data());
        QS_OBSERVE(AttnK, m_xb.data(), dim);
        QS_MATMUL(lw.wk, m_xb.data(), n, m_k.data());
        QS_OBSERVE(AttnV, m_xb.data(), dim);
        QS_MATMUL(lw.wv, m_xb.data(), n, m_v.data());
        applyRope(m_q.data(), n, c.heads, pos0);
        applyRope(m_k.data(), n, c.kvHeads, pos0);
        if (m_llamaCppNumerics) {
            roundActivations(GgmlType::F16, m_q.data(), n * static_cast<std::int64_t>(qDim));
            roundActivations(GgmlType::F16, m_k.data(), n * static_cast<std::int64_t>(kvDim));
            roundActivations(GgmlType::F16, m_v.data(), n * static_cast<std::int64_t>(kvDim));
        }
        const std::size_t cacheBase =
            (static_cast<std::size_t>(layer) * m_contextLength + pos0) * kvDim;
        std::memcpy(m_keyCache.data() + cacheBase, m_k.data(), un * kvDim * sizeof(float));
        std::memcpy(m_valueCache.data() + cacheBase, m_v.data(), un * kvDim * sizeof(float));
        attention(layer, n, pos0);
        QS_OBSERVE(AttnOutput, m_att.data(), qDim);
        QS_MATMUL(lw.wo, m_att.data(), n, m_tmp.data());
        for (std::size_t i = 0; i < un * dim; ++i) {
            m_x[i] += m_tmp[i];
        }

        rmsNorm(m_x.data(), lw.ffnNorm, m_xb.data(), n);
        QS_OBSERVE(FfnGate, m_xb.data(), dim);
        QS_MATMUL(lw.gate, m_xb.data(), n, m_gate.data());
        QS_OBSERVE(FfnUp, m_xb.data(), dim);
        QS_MATMUL(lw.up, m_xb.data(), n, m_up.data());
        for (std::size_t i = 0; i < un * c.hidden; ++i) {
            const float g = m_gate[i];
            m_gate[i] = g / (1.0f + std::exp(-g)) * m_up[i]; // SwiGLU: silu(gate) * up
        }
        QS_OBSERVE(FfnDown, m_gate.data(), c.hidden);
        QS_MATMUL(lw.down, m_gate.data(), n, m_tmp.data());
        for (std::size_t i = 0; i < un * dim; ++i) {
            m_x[i] += m_tmp[i];
        }
    }
    m_position += static_cast<int>(n);

    const std::int64_t outputs = n - firstLogit;
    logits.resize(static_cast<std::size_t>(outputs) * c.vocab);
    if (outputs > 0) {
        rmsNorm(m_x.data() + firstLogit * dim, w.outputNorm(), m_xb.data(), outputs);
        QS_MATMUL(w.output(), m_xb.data(), outputs, logits.data());
    }
#undef QS_OBSERVE
#undef QS_MATMUL
    return {};
}

} // namespace qs::core
