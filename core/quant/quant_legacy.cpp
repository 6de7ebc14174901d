#include "core/quant/block_types.h"
#include "core/quant/half.h"
#include "core/quant/quant_kernels.h"
#include "core/quant/quant_search.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

// Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 (and Q8_1 dequantization). Without importance weights these are
// ggml's round-to-nearest reference quantizers; with weights, the weighted scale searches of
// quantize_row_q*_impl. Both paths must stay exactly in ggml's arithmetic order.
namespace qs::core::quant {
namespace {

// Blocks are independent, so the unweighted path runs over all rows as one stream of blocks.
void q4_0Reference(const float* x, BlockQ4_0* y, std::int64_t nBlocks) {
    for (std::int64_t i = 0; i < nBlocks; ++i, x += 32) {
        float amax = 0.0f;
        float max = 0.0f; // the signed value of largest magnitude
        for (int j = 0; j < 32; ++j) {
            if (amax < std::fabs(x[j])) {
                amax = std::fabs(x[j]);
                max = x[j];
            }
        }
        const float d = max / -8;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        y[i].d = fp32ToFp16(d);
        for (int j = 0; j < 16; ++j) {
            const auto xi0 = static_cast<std::int8_t>(truncToInt32(x[j] * id + 8.5f));
            const auto xi1 = static_cast<std::int8_t>(truncToInt32(x[j + 16] * id + 8.5f));
            const int q0 = std::min<int>(15, xi0);
            const int q1 = std::min<int>(15, xi1);
            y[i].qs[j] = static_cast<std::uint8_t>(q0 | (q1 << 4));
        }
    }
}

void q4_1Reference(const float* x, BlockQ4_1* y, std::int64_t nBlocks) {
    for (std::int64_t i = 0; i < nBlocks; ++i, x += 32) {
        float min = FLT_MAX;
        float max = -FLT_MAX;
        for (int j = 0; j < 32; ++j) {
            min = x[j] < min ? x[j] : min;
            max = x[j] > max ? x[j] : max;
        }
        const float d = (max - min) / 15;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        y[i].d = fp32ToFp16(d);
        y[i].m = fp32ToFp16(min);
        for (int j = 0; j < 16; ++j) {
            const auto xi0 = static_cast<std::int8_t>(truncToInt32((x[j] - min) * id + 0.5f));
            const auto xi1 = static_cast<std::int8_t>(truncToInt32((x[j + 16] - min) * id + 0.5f));
            const int q0 = std::min<int>(15, xi0);
            const int q1 = std::min<int>(15, xi1);
            y[i].qs[j] = static_cast<std::uint8_t>(q0 | (q1 << 4));
        }
    }
}

// Packs 32 five-bit levels: low nibbles like Q4_0, fifth bit of element j at bit j of qh.
template <typename Block>
void packFiveBit(Block& block, const std::uint8_t* levels) {
    std::uint32_t qh = 0;
    for (int j = 0; j < 16; ++j) {
        const std::uint8_t xi0 = levels[j];
        const std::uint8_t xi1 = levels[j + 16];
        block.qs[j] = static_cast<std::uint8_t>((xi0 & 0x0F) | ((xi1 & 0x0F) << 4));
        qh |= ((xi0 & 0x10u) >> 4) << (j + 0);
        qh |= ((xi1 & 0x10u) >> 4) << (j + 16);
    }
    std::memcpy(block.qh, &qh, sizeof(qh));
}

void q5_0Reference(const float* x, BlockQ5_0* y, std::int64_t nBlocks) {
    std::uint8_t levels[32];
    for (std::int64_t i = 0; i < nBlocks; ++i, x += 32) {
        float amax = 0.0f;
        float max = 0.0f;
        for (int j = 0; j < 32; ++j) {
            if (amax < std::fabs(x[j])) {
                amax = std::fabs(x[j]);
                max = x[j];
            }
        }
        const float d = max / -16;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        y[i].d = fp32ToFp16(d);
        for (int j = 0; j < 32; ++j) {
            const auto xi = static_cast<std::int8_t>(truncToInt32(x[j] * id + 16.5f));
            levels[j] = static_cast<std::uint8_t>(std::min<int>(31, xi));
        }
        packFiveBit(y[i], levels);
    }
}

void q5_1Reference(const float* x, BlockQ5_1* y, std::int64_t nBlocks) {
    std::uint8_t levels[32];
    for (std::int64_t i = 0; i < nBlocks; ++i, x += 32) {
        float min = FLT_MAX;
        float max = -FLT_MAX;
        for (int j = 0; j < 32; ++j) {
            min = x[j] < min ? x[j] : min;
            max = x[j] > max ? x[j] : max;
        }
        const float d = (max - min) / 31;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        y[i].d = fp32ToFp16(d);
        y[i].m = fp32ToFp16(min);
        for (int j = 0; j < 32; ++j) {
            // No clamp to 31 here, as in ggml: rounding never exceeds it for finite input.
            levels[j] = static_cast<std::uint8_t>(truncToInt32((x[j] - min) * id + 0.5f));
        }
        packFiveBit(y[i], levels);
    }
}

// sigma2 = mean of x^2 over the whole row: the legacy importance paths weight each value by
// qw * sqrt(sigma2 + x^2).
float rowSigma2(const float* x, std::int64_t nPerRow) {
    float sumX2 = 0;
    for (std::int64_t j = 0; j < nPerRow; ++j) {
        sumX2 += x[j] * x[j];
    }
    return sumX2 / static_cast<float>(nPerRow);
}

void importanceWeights(const float* xb, const float* qw, float sigma2, float* weight) {
    for (int j = 0; j < 32; ++j) {
        weight[j] = qw[j] * std::sqrt(sigma2 + xb[j] * xb[j]);
    }
}

} // namespace

void quantizeQ4_0(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                  const float* importance) {
    auto* y = static_cast<BlockQ4_0*>(dst);
    if (!importance) {
        q4_0Reference(src, y, nRows * nPerRow / 32);
        return;
    }
    float weight[32];
    std::int8_t L[32];
    for (std::int64_t row = 0; row < nRows; ++row, src += nPerRow) {
        const float sigma2 = rowSigma2(src, nPerRow);
        for (std::int64_t ib = 0; ib < nPerRow / 32; ++ib, ++y) {
            const float* xb = src + 32 * ib;
            importanceWeights(xb, importance + 32 * ib, sigma2, weight);
            const float d = makeQxQuants(32, 8, xb, L, 1, weight);
            y->d = fp32ToFp16(d);
            for (int j = 0; j < 16; ++j) {
                y->qs[j] = static_cast<std::uint8_t>(L[j] | (L[j + 16] << 4));
            }
        }
    }
}

void quantizeQ4_1(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                  const float* importance) {
    auto* y = static_cast<BlockQ4_1*>(dst);
    if (!importance) {
        q4_1Reference(src, y, nRows * nPerRow / 32);
        return;
    }
    float weight[32];
    std::uint8_t L[32], Laux[32];
    for (std::int64_t row = 0; row < nRows; ++row, src += nPerRow) {
        const float sigma2 = rowSigma2(src, nPerRow);
        for (std::int64_t ib = 0; ib < nPerRow / 32; ++ib, ++y) {
            const float* xb = src + 32 * ib;
            importanceWeights(xb, importance + 32 * ib, sigma2, weight);
            float min = 0;
            const float d =
                makeQkx3Quants(32, 15, xb, weight, L, &min, Laux, -0.9f, 0.05f, 36, false);
            y->d = fp32ToFp16(d);
            y->m = fp32ToFp16(-min);
            for (int j = 0; j < 16; ++j) {
                y->qs[j] = static_cast<std::uint8_t>(L[j] | (L[j + 16] << 4));
            }
        }
    }
}

void quantizeQ5_0(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                  const float* importance) {
    auto* y = static_cast<BlockQ5_0*>(dst);
    if (!importance) {
        q5_0Reference(src, y, nRows * nPerRow / 32);
        return;
    }
    float weight[32];
    std::int8_t L[32];
    std::uint8_t levels[32];
    for (std::int64_t row = 0; row < nRows; ++row, src += nPerRow) {
        const float sigma2 = rowSigma2(src, nPerRow);
        for (std::int64_t ib = 0; ib < nPerRow / 32; ++ib, ++y) {
            const float* xb = src + 32 * ib;
            importanceWeights(xb, importance + 32 * ib, sigma2, weight);
            const float d = makeQxQuants(32, 16, xb, L, 1, weight);
            y->d = fp32ToFp16(d);
            for (int j = 0; j < 32; ++j) {
                levels[j] = static_cast<std::uint8_t>(L[j]);
            }
            packFiveBit(*y, levels);
        }
    }
}

void quantizeQ5_1(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                  const float* importance) {
    auto* y = static_cast<BlockQ5_1*>(dst);
    if (!importance) {
        q5_1Reference(src, y, nRows * nPerRow / 32);
        return;
    }
    float weight[32];
    std::uint8_t L[32], Laux[32];
    for (std::int64_t row = 0; row < nRows; ++row, src += nPerRow) {
        const float sigma2 = rowSigma2(src, nPerRow);
        for (std::int64_t ib = 0; ib < nPerRow / 32; ++ib, ++y) {
            const float* xb = src + 32 * ib;
            importanceWeights(xb, importance + 32 * ib, sigma2, weight);
            float min = 0;
            const float d =
                makeQkx3Quants(32, 31, xb, weight, L, &min, Laux, -0.9f, 0.05f, 36, false);
            y->d = fp32ToFp16(d);
            y->m = fp32ToFp16(-min);
            packFiveBit(*y, L);
        }
    }
}

// Q8_0 ignores importance weights (ggml has no weighted Q8_0 search).
void quantizeQ8_0(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                  const float*) {
    auto* y = static_cast<BlockQ8_0*>(dst);
    const float* x = src;
    for (std::int64_t i = 0, nb = nRows * nPerRow / 32; i < nb; ++i, x += 32) {
        float amax = 0.0f;
        for (int j = 0; j < 32; ++j) {
            amax = std::max(amax, std::fabs(x[j]));
        }
        const float d = amax / 127;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        y[i].d = fp32ToFp16(d);
        for (int j = 0; j < 32; ++j) {
            y[i].qs[j] = static_cast<std::int8_t>(truncToInt32(std::round(x[j] * id)));
        }
    }
}

// The dequantizers copy each block's bytes to locals first: stores through float* could
// otherwise alias the uint8_t block fields, which keeps the compiler from vectorizing.
void dequantizeQ4_0(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockQ4_0*>(src);
    for (std::int64_t i = 0; i < n / 32; ++i, y += 32) {
        const float d = fp16ToFp32(x[i].d);
        std::uint8_t q[16];
        std::memcpy(q, x[i].qs, sizeof(q));
        for (int j = 0; j < 16; ++j) {
            y[j] = static_cast<float>((q[j] & 0x0F) - 8) * d;
        }
        for (int j = 0; j < 16; ++j) {
            y[j + 16] = static_cast<float>((q[j] >> 4) - 8) * d;
        }
    }
}

void dequantizeQ4_1(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockQ4_1*>(src);
    for (std::int64_t i = 0; i < n / 32; ++i, y += 32) {
        const float d = fp16ToFp32(x[i].d);
        const float m = fp16ToFp32(x[i].m);
        std::uint8_t q[16];
        std::memcpy(q, x[i].qs, sizeof(q));
        for (int j = 0; j < 16; ++j) {
            y[j] = static_cast<float>(q[j] & 0x0F) * d + m;
        }
        for (int j = 0; j < 16; ++j) {
            y[j + 16] = static_cast<float>(q[j] >> 4) * d + m;
        }
    }
}

template <typename Block>
std::uint32_t fifthBits(const Block& block) {
    std::uint32_t qh;
    std::memcpy(&qh, block.qh, sizeof(qh));
    return qh;
}

// The 32 five-bit levels of a Q5_0/Q5_1 block: low nibbles plus bit j of qh as bit 4. Each
// byte of qh is spread to eight bytes with one multiply (bit k to byte k), so nothing here
// needs per-lane shifts and the conversion loops vectorize.
template <typename Block>
void fiveBitLevels(const Block& block, std::uint8_t* levels) {
    std::uint8_t q[16];
    std::memcpy(q, block.qs, sizeof(q));
    const std::uint32_t qh = fifthBits(block);
    std::uint8_t high[32];
    for (int b = 0; b < 4; ++b) {
        const std::uint64_t bits = (qh >> (8 * b)) & 0xffu;
        std::uint64_t spread = (bits * 0x0101010101010101ull) & 0x8040201008040201ull;
        spread = (((spread + 0x7f7f7f7f7f7f7f7full) >> 7) & 0x0101010101010101ull) << 4;
        std::memcpy(high + 8 * b, &spread, sizeof(spread));
    }
    for (int j = 0; j < 16; ++j) {
        levels[j] = static_cast<std::uint8_t>((q[j] & 0x0F) | high[j]);
    }
    for (int j = 0; j < 16; ++j) {
        levels[j + 16] = static_cast<std::uint8_t>((q[j] >> 4) | high[j + 16]);
    }
}

void dequantizeQ5_0(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockQ5_0*>(src);
    std::uint8_t levels[32];
    for (std::int64_t i = 0; i < n / 32; ++i, y += 32) {
        const float d = fp16ToFp32(x[i].d);
        fiveBitLevels(x[i], levels);
        for (int j = 0; j < 32; ++j) {
            y[j] = static_cast<float>(levels[j] - 16) * d;
        }
    }
}

void dequantizeQ5_1(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockQ5_1*>(src);
    std::uint8_t levels[32];
    for (std::int64_t i = 0; i < n / 32; ++i, y += 32) {
        const float d = fp16ToFp32(x[i].d);
        const float m = fp16ToFp32(x[i].m);
        fiveBitLevels(x[i], levels);
        for (int j = 0; j < 32; ++j) {
            y[j] = static_cast<float>(levels[j]) * d + m;
        }
    }
}

void dequantizeQ8_0(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockQ8_0*>(src);
    for (std::int64_t i = 0; i < n / 32; ++i, y += 32) {
        const float d = fp16ToFp32(x[i].d);
        std::int8_t q[32];
        std::memcpy(q, x[i].qs, sizeof(q));
        for (int j = 0; j < 32; ++j) {
            y[j] = static_cast<float>(q[j]) * d;
        }
    }
}

void dequantizeQ8_1(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockQ8_1*>(src);
    for (std::int64_t i = 0; i < n / 32; ++i, y += 32) {
        const float d = fp16ToFp32(x[i].d);
        std::int8_t q[32];
        std::memcpy(q, x[i].qs, sizeof(q));
        for (int j = 0; j < 32; ++j) {
            y[j] = static_cast<float>(q[j]) * d;
        }
    }
}

} // namespace qs::core::quant
