#include "core/quant/block_types.h"
#include "core/quant/half.h"
#include "core/quant/quant_kernels.h"
#include "core/quant/quant_lanes.h"
#include "core/quant/quant_search.h"

#include <algorithm>
#include <cmath>
#include <cstring>

// IQ4_NL and IQ4_XS: 4-bit indices into a fixed non-linear table. ggml runs the same weighted
// search (quantize_row_iq4_nl_impl, ntry = 7) with or without importance weights; without them
// the weights are x^2.
// Lane vectors live only inside always_inline code; the vector-ABI note does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace qs::core::quant {
namespace {

constexpr float kGroupMaxEps = 1e-15f;
constexpr int kTry = 7;

// kvalues_iq4nl (ggml-common.h), sorted ascending.
constexpr std::int8_t kValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                     1,    13,   25,  38,  53,  69,  89,  113};

// Index of the table value nearest to x. x picks level i once it reaches the midpoint of
// kValues[i-1] and kValues[i]; comparing 2x with the integer sum keeps the midpoint exact.
int bestIndex(float x) {
    const float x2 = x + x;
    int idx = 0;
    for (int step = 8; step > 0; step >>= 1) {
        const int j = idx + step;
        idx = (x2 >= static_cast<float>(kValues[j - 1] + kValues[j])) ? j : idx;
    }
    return idx;
}

// Thresholds of bestIndex: level j is reached once 2x >= kValues[j-1] + kValues[j].
constexpr float threshold(int j) {
    return static_cast<float>(kValues[j - 1] + kValues[j]);
}

// The per-value weights of the search: qw * sqrt(sigma2 + x^2) with sigma2 = 2 <x^2> over the
// super-block, or x^2 without importance weights.
void iq4Weights(int superBlockSize, const float* x, const float* quantWeights, float* weight) {
    float sigma2 = 0;
    for (int j = 0; j < superBlockSize; ++j) {
        sigma2 += x[j] * x[j];
    }
    sigma2 *= 2.f / static_cast<float>(superBlockSize);
    for (int j = 0; j < superBlockSize; ++j) {
        weight[j] = quantWeights ? quantWeights[j] * std::sqrt(sigma2 + x[j] * x[j]) : x[j] * x[j];
    }
}

// The scale search of quantize_row_iq4_nl_impl for W blocks of 32 at once, one per lane. The
// table level of each value is the number of thresholds at or below 2x (the thresholds rise,
// so this is bestIndex's binary search), and its value is -127 plus the steps passed.
template <int W>
QS_LANES_INLINE typename lanes::Vec<W>::F iq4ScaleLanes(const float* x, const float* weight) {
    using F = typename lanes::Vec<W>::F;
    using I = typename lanes::Vec<W>::I;
    F xt[32], wt[32];
    lanes::gather<F, 32, W>(x, xt);
    lanes::gather<F, 32, W>(weight, wt);
    F amax{}, max{};
    for (int j = 0; j < 32; ++j) {
        const F ax = lanes::absF(xt[j]);
        const I bigger = ax > amax;
        amax = lanes::select(bigger, ax, amax);
        max = lanes::select(bigger, xt[j], max);
    }
    auto level = [](F al) {
        const F x2 = al + al;
        I q = I{} + kValues[0];
        for (int j = 1; j < 16; ++j) {
            q += (x2 >= threshold(j)) & (kValues[j] - kValues[j - 1]);
        }
        return __builtin_convertvector(q, F);
    };
    F d = -max / static_cast<float>(kValues[0]);
    F id = 1.f / d;
    F sumqx{}, sumq2{};
    for (int j = 0; j < 32; ++j) {
        const F q = level(id * xt[j]);
        sumqx += wt[j] * q * xt[j];
        sumq2 += wt[j] * q * q;
    }
    d = lanes::select(sumq2 > 0.f, sumqx / sumq2, F{});
    F best = d * sumqx;
    for (int itry = -kTry; itry <= kTry; ++itry) {
        id = static_cast<float>(itry + kValues[0]) / max;
        sumqx = F{};
        sumq2 = F{};
        for (int j = 0; j < 32; ++j) {
            const F q = level(id * xt[j]);
            sumqx += wt[j] * q * xt[j];
            sumq2 += wt[j] * q * q;
        }
        const I better = (sumq2 > 0.f) & (sumqx * sumqx > best * sumq2);
        const F newD = sumqx / sumq2;
        d = lanes::select(better, newD, d);
        best = lanes::select(better, newD * sumqx, best);
    }
    return lanes::select(amax < kGroupMaxEps, F{}, d);
}

// Block scales for nBlocks consecutive 32-value blocks, W at a time; a last partial group runs
// on zero-padded copies (an all-zero block is skipped by the search and gives 0).
template <int W>
QS_LANES_INLINE void iq4Scales(int nBlocks, const float* x, const float* weight, float* scales) {
    int ib = 0;
    for (; ib + W <= nBlocks; ib += W) {
        const auto d = iq4ScaleLanes<W>(x + 32 * ib, weight + 32 * ib);
        std::memcpy(scales + ib, &d, sizeof(d));
    }
    if (ib < nBlocks) {
        float xs[32 * W] = {};
        float ws[32 * W] = {};
        const int rest = nBlocks - ib;
        std::memcpy(xs, x + 32 * ib, sizeof(float) * 32 * static_cast<std::size_t>(rest));
        std::memcpy(ws, weight + 32 * ib, sizeof(float) * 32 * static_cast<std::size_t>(rest));
        const auto d = iq4ScaleLanes<W>(xs, ws);
        for (int k = 0; k < rest; ++k) {
            scales[ib + k] = d[k];
        }
    }
}

// One super-block of `superBlockSize` values in 32-value blocks, from the block scales. For
// IQ4_NL (one block) the block scale goes straight to d; for IQ4_XS the block scales become
// 6-bit multiples of d. Writes d, the levels and (IQ4_XS) the packed sub-block scales.
void iq4Finish(int superBlockSize, const float* x, const float* scales, std::uint16_t* dh,
               std::uint8_t* q4, std::uint16_t* scalesHigh, std::uint8_t* scalesLow,
               std::uint8_t* L) {
    const int blockSize = 32;
    std::memset(q4, 0, static_cast<std::size_t>(superBlockSize / 2));
    dh[0] = fp32ToFp16(0.f);

    float maxScale = 0, amaxScale = 0;
    for (int ib = 0; ib < superBlockSize / blockSize; ++ib) {
        const float absD = std::fabs(scales[ib]);
        if (absD > amaxScale) {
            amaxScale = absD;
            maxScale = scales[ib];
        }
    }

    if (superBlockSize / blockSize > 1) {
        const int nb = superBlockSize / blockSize;
        std::memset(scalesHigh, 0, static_cast<std::size_t>((nb + 7) / 8) * sizeof(std::uint16_t));
        const float d = -maxScale / 32;
        dh[0] = fp32ToFp16(d);
        const float id = d != 0 ? 1 / d : 0.f;
        for (int ib = 0; ib < nb; ++ib) {
            int l = nearestInt(id * scales[ib]);
            l = l < -32 ? -32 : (l > 31 ? 31 : l);
            const float dl = d * static_cast<float>(l);
            const float idl = dl != 0 ? 1 / dl : 0.f;
            std::uint8_t* Lb = L + ib * blockSize;
            const float* xb = x + ib * blockSize;
            for (int j = 0; j < blockSize; ++j) {
                Lb[j] = static_cast<std::uint8_t>(bestIndex(idl * xb[j]));
            }
            l += 32;
            const auto lLow = static_cast<std::uint8_t>(l & 0xf);
            const auto lHigh = static_cast<std::uint8_t>(l >> 4);
            if (ib % 2 == 0) {
                scalesLow[ib / 2] = lLow;
            } else {
                scalesLow[ib / 2] |= static_cast<std::uint8_t>(lLow << 4);
            }
            scalesHigh[ib / 8] |= static_cast<std::uint16_t>(lHigh << 2 * (ib % 8));
        }
    } else {
        dh[0] = fp32ToFp16(scales[0]);
        const float id = scales[0] != 0 ? 1 / scales[0] : 0;
        for (int j = 0; j < superBlockSize; ++j) {
            L[j] = static_cast<std::uint8_t>(bestIndex(id * x[j]));
        }
    }

    for (int i = 0; i < superBlockSize / 32; ++i) {
        for (int j = 0; j < 16; ++j) {
            q4[16 * i + j] = static_cast<std::uint8_t>(L[32 * i + j] | (L[32 * i + 16 + j] << 4));
        }
    }
}

template <int W>
QS_LANES_INLINE void iq4nlRows(const float* src, void* dst, std::int64_t nRows,
                               std::int64_t nPerRow, const float* importance) {
    auto* y = static_cast<BlockIQ4NL*>(dst);
    std::uint8_t L[32];
    std::uint16_t unusedHigh;
    constexpr int kChunk = 64; // blocks per pass: weights and scales stay on the stack
    float weight[32 * kChunk];
    float scales[kChunk];
    const std::int64_t nBlocks = nPerRow / 32;
    for (std::int64_t row = 0; row < nRows; ++row, src += nPerRow) {
        for (std::int64_t first = 0; first < nBlocks; first += kChunk) {
            const int count = static_cast<int>(std::min<std::int64_t>(kChunk, nBlocks - first));
            const float* x = src + 32 * first;
            for (int k = 0; k < count; ++k) {
                const float* qw = importance ? importance + 32 * (first + k) : nullptr;
                iq4Weights(32, x + 32 * k, qw, weight + 32 * k);
            }
            iq4Scales<W>(count, x, weight, scales);
            for (int k = 0; k < count; ++k, ++y) {
                iq4Finish(32, x + 32 * k, scales + k, &y->d, y->qs, &unusedHigh, nullptr, L);
            }
        }
    }
}

template <int W>
QS_LANES_INLINE void iq4xsRows(const float* src, void* dst, std::int64_t nRows,
                               std::int64_t nPerRow, const float* importance) {
    auto* y = static_cast<BlockIQ4XS*>(dst);
    std::uint8_t L[kQK];
    float weight[kQK];
    float scales[kQK / 32];
    const std::int64_t nBlocks = nPerRow / kQK;
    for (std::int64_t row = 0; row < nRows; ++row, src += nPerRow) {
        for (std::int64_t ib = 0; ib < nBlocks; ++ib, ++y) {
            const float* x = src + kQK * ib;
            iq4Weights(kQK, x, importance ? importance + kQK * ib : nullptr, weight);
            iq4Scales<W>(kQK / 32, x, weight, scales);
            iq4Finish(kQK, x, scales, &y->d, y->qs, &y->scalesHigh, y->scalesLow, L);
        }
    }
}

} // namespace

QS_LANES_DISPATCH(quantizeIQ4NL, iq4nlRows)
QS_LANES_DISPATCH(quantizeIQ4XS, iq4xsRows)

// Dequantizers: block bytes copied to locals so that float stores cannot alias them and the
// loops vectorize; the table is looked up as floats (exact small integers).
constexpr float kValuesF[16] = {-127.f, -104.f, -83.f, -65.f, -49.f, -35.f, -22.f, -10.f,
                                1.f,    13.f,   25.f,  38.f,  53.f,  69.f,  89.f,  113.f};

void dequantizeIQ4NL(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ4NL*>(src);
    for (std::int64_t i = 0; i < n / 32; ++i, y += 32) {
        const float d = fp16ToFp32(x[i].d);
        std::uint8_t q[16];
        std::memcpy(q, x[i].qs, sizeof(q));
        for (int j = 0; j < 16; ++j) {
            y[j] = d * kValuesF[q[j] & 0xf];
        }
        for (int j = 0; j < 16; ++j) {
            y[j + 16] = d * kValuesF[q[j] >> 4];
        }
    }
}

void dequantizeIQ4XS(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ4XS*>(src);
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const float d = fp16ToFp32(x[i].d);
        std::uint8_t qs[kQK / 2];
        std::memcpy(qs, x[i].qs, sizeof(qs));
        for (int ib = 0; ib < kQK / 32; ++ib, y += 32) {
            const int ls = ((x[i].scalesLow[ib / 2] >> 4 * (ib % 2)) & 0xf) |
                           (((x[i].scalesHigh >> 2 * ib) & 3) << 4);
            const float dl = d * static_cast<float>(ls - 32);
            const std::uint8_t* q = qs + 16 * ib;
            for (int j = 0; j < 16; ++j) {
                y[j] = dl * kValuesF[q[j] & 0xf];
            }
            for (int j = 0; j < 16; ++j) {
                y[j + 16] = dl * kValuesF[q[j] >> 4];
            }
        }
    }
}

} // namespace qs::core::quant
