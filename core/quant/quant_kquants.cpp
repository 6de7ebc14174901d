#include "core/quant/block_types.h"
#include "core/quant/half.h"
#include "core/quant/quant_kernels.h"
#include "core/quant/quant_lanes.h"
#include "core/quant/quant_search.h"

#include <algorithm>
#include <cmath>
#include <cstring>

// k-quants Q2_K..Q6_K: 256-value super-blocks of 16 or 32-value sub-blocks whose scales (and
// mins) are themselves quantized. Without importance weights: ggml's quantize_row_q*_K_ref;
// with weights: quantize_row_q*_K_impl, run row by row because the weights repeat per row.
// Lane vectors live only inside always_inline code; the vector-ABI note does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace qs::core::quant {
namespace {

constexpr float kGroupMaxEps = 1e-15f;

// W lanes: 8 in the AVX2 build, 4 (one SSE register) in the baseline one; vectors wider than
// the hardware's lower to slow element-wise code. A super-block's 8 sub-blocks of 32 (Q4_K,
// Q5_K) or 16 of 16 (Q2_K, Q3_K, Q6_K) take 16/W or 8/W passes.

// Levels held as floats (one vector per value index) back to bytes in value order.
template <typename F, int N, int W, typename T>
QS_LANES_INLINE void scatterLevels(const F* lt, T* L) {
    for (int j = 0; j < W; ++j) {
        for (int i = 0; i < N; ++i) {
            L[N * j + i] = static_cast<T>(lt[i][j]);
        }
    }
}

// 6-bit scale and min of sub-block j from the 12 packed bytes of Q4_K/Q5_K.
void scaleMinK4(int j, const std::uint8_t* q, std::uint8_t* d, std::uint8_t* m) {
    if (j < 4) {
        *d = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *d = static_cast<std::uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        *m = static_cast<std::uint8_t>((q[j + 4] >> 4) | ((q[j - 0] >> 6) << 4));
    }
}

void packScaleMinK4(std::uint8_t* scales, int j, std::uint8_t ls, std::uint8_t lm) {
    if (j < 4) {
        scales[j] = ls;
        scales[j + 4] = lm;
    } else {
        scales[j + 4] = static_cast<std::uint8_t>((ls & 0xF) | ((lm & 0xF) << 4));
        scales[j - 4] |= static_cast<std::uint8_t>((ls >> 4) << 6);
        scales[j - 0] |= static_cast<std::uint8_t>((lm >> 4) << 6);
    }
}

// Four 2-bit levels per byte: values j, j+32, j+64, j+96 of each 128-value half.
void packTwoBit(std::uint8_t* qs, const std::uint8_t* L) {
    for (int j = 0; j < kQK; j += 128) {
        for (int l = 0; l < 32; ++l) {
            qs[j / 4 + l] = static_cast<std::uint8_t>(L[j + l] | (L[j + l + 32] << 2) |
                                                      (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
        }
    }
}

// makeQkx2Quants / makeQkx3Quants on the nGroups consecutive groups of N values of x (weights
// w): levels to L, scales and -mins per group. Two vectors of W groups run interleaved where
// there are enough groups, one otherwise (nGroups is a multiple of W).
template <int W, int N, bool Qkx3>
QS_LANES_INLINE void qkxGroups(int nGroups, int nmax, const float* x, const float* w,
                               std::uint8_t* L, float* scales, float* mins, float rmin,
                               float rdelta, int nstep, bool useMad) {
    using F = typename lanes::Vec<W>::F;
    F xt[2 * N], wt[2 * N], lt[2 * N];
    F scale[2], theMin[2];
    int g = 0;
    for (; g + 2 * W <= nGroups; g += 2 * W) {
        for (int k = 0; k < 2; ++k) {
            for (int i = 0; i < N; ++i) {
                for (int j = 0; j < W; ++j) {
                    xt[2 * i + k][j] = x[N * (g + W * k + j) + i];
                    wt[2 * i + k][j] = w[N * (g + W * k + j) + i];
                }
            }
        }
        lanes::qkxQuants<F, N, 2, Qkx3>(nmax, xt, wt, lt, scale, theMin, rmin, rdelta, nstep,
                                        useMad);
        for (int k = 0; k < 2; ++k) {
            for (int j = 0; j < W; ++j) {
                for (int i = 0; i < N; ++i) {
                    L[N * (g + W * k + j) + i] = static_cast<std::uint8_t>(lt[2 * i + k][j]);
                }
            }
            std::memcpy(scales + g + W * k, &scale[k], sizeof(F));
            std::memcpy(mins + g + W * k, &theMin[k], sizeof(F));
        }
    }
    for (; g < nGroups; g += W) {
        lanes::gather<F, N, W>(x + N * g, xt);
        lanes::gather<F, N, W>(w + N * g, wt);
        lanes::qkxQuants<F, N, 1, Qkx3>(nmax, xt, wt, lt, scale, theMin, rmin, rdelta, nstep,
                                        useMad);
        scatterLevels<F, N, W>(lt, L + N * g);
        std::memcpy(scales + g, &scale[0], sizeof(F));
        std::memcpy(mins + g, &theMin[0], sizeof(F));
    }
}

// makeQxQuants(N, nmax, ..., rmseType 1, qw) on the nGroups consecutive groups of N values.
template <int W, int N>
QS_LANES_INLINE void qxGroups(int nGroups, int nmax, const float* x, const float* qw,
                              std::int8_t* L, float* scales) {
    using F = typename lanes::Vec<W>::F;
    F xt[N], qwt[N], lt[N];
    for (int g = 0; g < nGroups; g += W) {
        lanes::gather<F, N, W>(x + N * g, xt);
        if (qw) {
            lanes::gather<F, N, W>(qw + N * g, qwt);
        }
        const F scale = lanes::qxQuants<F, N>(nmax, xt, lt, qw ? qwt : nullptr);
        scatterLevels<F, N, W>(lt, L + N * g);
        std::memcpy(scales + g, &scale, sizeof(scale));
    }
}

// ---- Q2_K

// Final levels from the stored (rounded) scales; shared by both Q2_K paths.
QS_LANES_INLINE void q2kRequantize(BlockQ2K& y, const float* x, std::uint8_t* L) {
    const float dAll = fp16ToFp32(y.d);
    const float mAll = fp16ToFp32(y.dmin);
    for (int j = 0; j < kQK / 16; ++j) {
        const float d = dAll * static_cast<float>(y.scales[j] & 0xF);
        if (d == 0) {
            continue;
        }
        const float dm = mAll * static_cast<float>(y.scales[j] >> 4);
        for (int ii = 0; ii < 16; ++ii) {
            const int l = nearestInt((x[16 * j + ii] + dm) / d);
            L[16 * j + ii] = static_cast<std::uint8_t>(std::max(0, std::min(3, l)));
        }
    }
}

template <int W>
QS_LANES_INLINE void q2kReference(const float* x, BlockQ2K* y, std::int64_t nBlocks) {
    std::uint8_t L[kQK];
    float weights[kQK];
    float mins[kQK / 16];
    float scales[kQK / 16];
    const float q4scale = 15.f;
    for (std::int64_t i = 0; i < nBlocks; ++i, x += kQK) {
        for (int l = 0; l < kQK; ++l) {
            weights[l] = std::fabs(x[l]);
        }
        qkxGroups<W, 16, false>(16, 3, x, weights, L, scales, mins, -0.5f, 0.1f, 15, true);
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < kQK / 16; ++j) {
            maxScale = std::max(maxScale, scales[j]);
            maxMin = std::max(maxMin, mins[j]);
        }
        if (maxScale > 0) {
            const float iscale = q4scale / maxScale;
            for (int j = 0; j < kQK / 16; ++j) {
                y[i].scales[j] = static_cast<std::uint8_t>(nearestInt(iscale * scales[j]));
            }
            y[i].d = fp32ToFp16(maxScale / q4scale);
        } else {
            std::memset(y[i].scales, 0, sizeof(y[i].scales));
            y[i].d = fp32ToFp16(0.f);
        }
        if (maxMin > 0) {
            const float iscale = q4scale / maxMin;
            for (int j = 0; j < kQK / 16; ++j) {
                const int l = nearestInt(iscale * mins[j]);
                y[i].scales[j] |= static_cast<std::uint8_t>(l << 4);
            }
            y[i].dmin = fp32ToFp16(maxMin / q4scale);
        } else {
            y[i].dmin = fp32ToFp16(0.f);
        }
        q2kRequantize(y[i], x, L);
        packTwoBit(y[i].qs, L);
    }
}

template <int W>
QS_LANES_INLINE void q2kWeighted(const float* x, BlockQ2K* y, std::int64_t nPerRow,
                                 const float* quantWeights) {
    std::uint8_t L[kQK];
    float mins[kQK / 16];
    float scales[kQK / 16];
    float sw[kQK / 16];
    float weight[kQK];
    std::uint8_t Ls[kQK / 16], Lm[kQK / 16];
    for (std::int64_t i = 0; i < nPerRow / kQK; ++i, x += kQK) {
        float sumx2 = 0;
        for (int j = 0; j < kQK; ++j) {
            sumx2 += x[j] * x[j];
        }
        const float sigma2 = sumx2 / kQK;
        const float* qw = quantWeights + kQK * i;
        for (int l = 0; l < kQK; ++l) {
            weight[l] = qw[l] * std::sqrt(sigma2 + x[l] * x[l]);
        }
        for (int j = 0; j < kQK / 16; ++j) {
            float sumw = 0;
            for (int l = 0; l < 16; ++l) {
                sumw += weight[16 * j + l];
            }
            sw[j] = sumw;
        }
        qkxGroups<W, 16, true>(16, 3, x, weight, L, scales, mins, -0.9f, 0.05f, 36, false);
        const float dm = makeQpQuants(kQK / 16, 15, scales, Ls, sw);
        const float mm = makeQpQuants(kQK / 16, 15, mins, Lm, sw);
        y[i].d = fp32ToFp16(dm);
        y[i].dmin = fp32ToFp16(mm);
        for (int j = 0; j < kQK / 16; ++j) {
            y[i].scales[j] = static_cast<std::uint8_t>(Ls[j] | (Lm[j] << 4));
        }
        q2kRequantize(y[i], x, L);
        packTwoBit(y[i].qs, L);
    }
}

// ---- Q3_K

void q3kPackScales(BlockQ3K& y, int j, int l) {
    if (j < 8) {
        y.scales[j] = static_cast<std::uint8_t>(l & 0xF);
    } else {
        y.scales[j - 8] |= static_cast<std::uint8_t>((l & 0xF) << 4);
    }
    l >>= 4;
    y.scales[j % 4 + 8] |= static_cast<std::uint8_t>(l << (2 * (j / 4)));
}

// Final levels from the stored scales, then the high bit into hmask; shared by both paths.
void q3kRequantizeAndPack(BlockQ3K& y, const float* x, std::int8_t* L) {
    const float dAll = fp16ToFp32(y.d);
    for (int j = 0; j < kQK / 16; ++j) {
        std::int8_t sc = static_cast<std::int8_t>(j < 8 ? y.scales[j] & 0xF : y.scales[j - 8] >> 4);
        sc = static_cast<std::int8_t>((sc | (((y.scales[8 + j % 4] >> (2 * (j / 4))) & 3) << 4)) -
                                      32);
        const float d = dAll * static_cast<float>(sc);
        if (d == 0) {
            continue;
        }
        for (int ii = 0; ii < 16; ++ii) {
            int l = nearestInt(x[16 * j + ii] / d);
            l = std::max(-4, std::min(3, l));
            L[16 * j + ii] = static_cast<std::int8_t>(l + 4);
        }
    }
    // High bit of the first 32 values into bit 0 of hmask[0..31], the next 32 into bit 1, ...
    std::memset(y.hmask, 0, sizeof(y.hmask));
    int m = 0;
    std::uint8_t hm = 1;
    for (int j = 0; j < kQK; ++j) {
        if (L[j] > 3) {
            y.hmask[m] |= hm;
            L[j] = static_cast<std::int8_t>(L[j] - 4);
        }
        if (++m == kQK / 8) {
            m = 0;
            hm = static_cast<std::uint8_t>(hm << 1);
        }
    }
    packTwoBit(y.qs, reinterpret_cast<const std::uint8_t*>(L));
}

void q3kReference(const float* x, BlockQ3K* y, std::int64_t nBlocks) {
    std::int8_t L[kQK];
    float scales[kQK / 16];
    for (std::int64_t i = 0; i < nBlocks; ++i, x += kQK) {
        float maxScale = 0;
        float amax = 0;
        for (int j = 0; j < kQK / 16; ++j) {
            scales[j] = makeQ3Quants(16, 4, x + 16 * j, L + 16 * j, true);
            const float scale = std::fabs(scales[j]);
            if (scale > amax) {
                amax = scale;
                maxScale = scales[j];
            }
        }
        std::memset(y[i].scales, 0, sizeof(y[i].scales));
        if (maxScale != 0) {
            const float iscale = -32.f / maxScale;
            for (int j = 0; j < kQK / 16; ++j) {
                // ggml stores the rounded value in an int8_t before clamping.
                auto l8 = static_cast<std::int8_t>(nearestInt(iscale * scales[j]));
                const int l = std::max(-32, std::min(31, static_cast<int>(l8))) + 32;
                q3kPackScales(y[i], j, l);
            }
            y[i].d = fp32ToFp16(1 / iscale);
        } else {
            y[i].d = fp32ToFp16(0.f);
        }
        q3kRequantizeAndPack(y[i], x, L);
    }
}

template <int W>
QS_LANES_INLINE void q3kWeighted(const float* x, BlockQ3K* y, std::int64_t nPerRow,
                                 const float* quantWeights) {
    std::int8_t L[kQK];
    float scales[kQK / 16];
    float weight[kQK];
    float sw[kQK / 16];
    std::int8_t Ls[kQK / 16];
    for (std::int64_t i = 0; i < nPerRow / kQK; ++i, x += kQK) {
        float sumx2 = 0;
        for (int j = 0; j < kQK; ++j) {
            sumx2 += x[j] * x[j];
        }
        const float sigma2 = 2 * sumx2 / kQK;
        const float* qw = quantWeights + kQK * i;
        for (int l = 0; l < kQK; ++l) {
            weight[l] = qw[l] * std::sqrt(sigma2 + x[l] * x[l]);
        }
        for (int j = 0; j < kQK / 16; ++j) {
            float sumw = 0;
            for (int l = 0; l < 16; ++l) {
                sumw += weight[16 * j + l];
            }
            sw[j] = sumw;
        }
        qxGroups<W, 16>(16, 4, x, weight, L, scales);
        std::memset(y[i].scales, 0, sizeof(y[i].scales));
        const float dBlock = makeQxQuants(kQK / 16, 32, scales, Ls, 1, sw);
        for (int j = 0; j < kQK / 16; ++j) {
            q3kPackScales(y[i], j, Ls[j]);
        }
        y[i].d = fp32ToFp16(dBlock);
        q3kRequantizeAndPack(y[i], x, L);
    }
}

// ---- Q4_K and Q5_K share everything but the level count and the bit packing.

template <int NMax>
QS_LANES_INLINE void q45kRequantize(const std::uint16_t dBits, const std::uint16_t dminBits,
                                    const std::uint8_t* packedScales, const float* x,
                                    std::uint8_t* L) {
    std::uint8_t sc, m;
    for (int j = 0; j < kQK / 32; ++j) {
        scaleMinK4(j, packedScales, &sc, &m);
        const float d = fp16ToFp32(dBits) * static_cast<float>(sc);
        if (d == 0) {
            continue;
        }
        const float dm = fp16ToFp32(dminBits) * static_cast<float>(m);
        for (int ii = 0; ii < 32; ++ii) {
            const int l = nearestInt((x[32 * j + ii] + dm) / d);
            L[32 * j + ii] = static_cast<std::uint8_t>(std::max(0, std::min(NMax, l)));
        }
    }
}

void packQ4K(BlockQ4K& y, const std::uint8_t* L) {
    std::uint8_t* q = y.qs;
    for (int j = 0; j < kQK; j += 64, q += 32) {
        for (int l = 0; l < 32; ++l) {
            q[l] = static_cast<std::uint8_t>(L[j + l] | (L[j + l + 32] << 4));
        }
    }
}

void packQ5K(BlockQ5K& y, const std::uint8_t* L) {
    std::memset(y.qh, 0, sizeof(y.qh));
    std::uint8_t* ql = y.qs;
    std::uint8_t m1 = 1, m2 = 2;
    for (int n = 0; n < kQK; n += 64, ql += 32) {
        for (int j = 0; j < 32; ++j) {
            int l1 = L[n + j];
            if (l1 > 15) {
                l1 -= 16;
                y.qh[j] |= m1;
            }
            int l2 = L[n + j + 32];
            if (l2 > 15) {
                l2 -= 16;
                y.qh[j] |= m2;
            }
            ql[j] = static_cast<std::uint8_t>(l1 | (l2 << 4));
        }
        m1 = static_cast<std::uint8_t>(m1 << 2);
        m2 = static_cast<std::uint8_t>(m2 << 2);
    }
}

void packQ45K(BlockQ4K& y, const std::uint8_t* L) {
    packQ4K(y, L);
}
void packQ45K(BlockQ5K& y, const std::uint8_t* L) {
    packQ5K(y, L);
}

// Unweighted: weights av_x + |x| per 32-value sub-block, scales to 6 bits by max/63.
template <int W, int NMax, typename Block>
QS_LANES_INLINE void q45kReference(const float* x, Block* y, std::int64_t nBlocks, float rmin,
                                   int nstep) {
    // Two super-blocks per search call, so that two vectors of sub-blocks run interleaved.
    std::uint8_t L[2 * kQK];
    float weights[2 * kQK];
    float mins[2 * kQK / 32];
    float scales[2 * kQK / 32];
    for (std::int64_t first = 0; first < nBlocks; first += 2) {
        const int count = nBlocks - first >= 2 ? 2 : 1;
        const float* xs = x + kQK * first;
        for (int j = 0; j < count * kQK / 32; ++j) {
            float sumX2 = 0;
            for (int l = 0; l < 32; ++l) {
                sumX2 += xs[32 * j + l] * xs[32 * j + l];
            }
            const float avX = std::sqrt(sumX2 / 32);
            for (int l = 0; l < 32; ++l) {
                weights[32 * j + l] = avX + std::fabs(xs[32 * j + l]);
            }
        }
        qkxGroups<W, 32, false>(8 * count, NMax, xs, weights, L, scales, mins, rmin, 0.1f, nstep,
                                false);
        for (int b = 0; b < count; ++b) {
            Block& yb = y[first + b];
            const float* sc = scales + 8 * b;
            const float* mn = mins + 8 * b;
            float maxScale = 0;
            float maxMin = 0;
            for (int j = 0; j < kQK / 32; ++j) {
                maxScale = std::max(maxScale, sc[j]);
                maxMin = std::max(maxMin, mn[j]);
            }
            const float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
            const float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
            for (int j = 0; j < kQK / 32; ++j) {
                auto ls = static_cast<std::uint8_t>(nearestInt(invScale * sc[j]));
                auto lm = static_cast<std::uint8_t>(nearestInt(invMin * mn[j]));
                ls = std::min<std::uint8_t>(63, ls);
                lm = std::min<std::uint8_t>(63, lm);
                packScaleMinK4(yb.scales, j, ls, lm);
            }
            yb.d = fp32ToFp16(maxScale / 63.f);
            yb.dmin = fp32ToFp16(maxMin / 63.f);
            q45kRequantize<NMax>(yb.d, yb.dmin, yb.scales, xs + kQK * b, L + kQK * b);
            packQ45K(yb, L + kQK * b);
        }
    }
}

// Weighted (and also ggml's path for Q4_K/Q5_K when weights exist): qkx3 search, then the
// sub-block scales and mins quantized by makeQpQuants with the sub-block weight sums.
template <int W, int NMax, typename Block>
QS_LANES_INLINE void q45kWeighted(const float* x, Block* y, std::int64_t nPerRow,
                                  const float* quantWeights) {
    // Two super-blocks per search call, as in q45kReference.
    std::uint8_t L[2 * kQK];
    std::uint8_t Ls[kQK / 32];
    std::uint8_t Lm[kQK / 32];
    float weights[2 * kQK];
    float sw[2 * kQK / 32];
    float mins[2 * kQK / 32];
    float scales[2 * kQK / 32];
    const std::int64_t nBlocks = nPerRow / kQK;
    for (std::int64_t first = 0; first < nBlocks; first += 2) {
        const int count = nBlocks - first >= 2 ? 2 : 1;
        const float* xs = x + kQK * first;
        for (int b = 0; b < count; ++b) {
            const float* xb = xs + kQK * b;
            float sumX2 = 0;
            for (int l = 0; l < kQK; ++l) {
                sumX2 += xb[l] * xb[l];
            }
            const float sigma2 = 2 * sumX2 / kQK;
            const float* qw = quantWeights + kQK * (first + b);
            float* wb = weights + kQK * b;
            for (int l = 0; l < kQK; ++l) {
                wb[l] = qw[l] * std::sqrt(sigma2 + xb[l] * xb[l]);
            }
            for (int j = 0; j < kQK / 32; ++j) {
                float sumw = 0;
                for (int l = 0; l < 32; ++l) {
                    sumw += wb[32 * j + l];
                }
                sw[8 * b + j] = sumw;
            }
        }
        qkxGroups<W, 32, true>(8 * count, NMax, xs, weights, L, scales, mins, -0.9f, 0.05f, 36,
                               false);
        for (int b = 0; b < count; ++b) {
            Block& yb = y[first + b];
            const float dBlock = makeQpQuants(kQK / 32, 63, scales + 8 * b, Ls, sw + 8 * b);
            const float mBlock = makeQpQuants(kQK / 32, 63, mins + 8 * b, Lm, sw + 8 * b);
            for (int j = 0; j < kQK / 32; ++j) {
                packScaleMinK4(yb.scales, j, std::min<std::uint8_t>(63, Ls[j]),
                               std::min<std::uint8_t>(63, Lm[j]));
            }
            yb.d = fp32ToFp16(dBlock);
            yb.dmin = fp32ToFp16(mBlock);
            q45kRequantize<NMax>(yb.d, yb.dmin, yb.scales, xs + kQK * b, L + kQK * b);
            packQ45K(yb, L + kQK * b);
        }
    }
}

// ---- Q6_K: one routine; the weighted path only swaps the default x^2 weights for qw.

template <int W>
QS_LANES_INLINE void q6kBlocks(const float* x, BlockQ6K* y, std::int64_t nBlocks,
                               const float* quantWeights) {
    std::int8_t L[kQK];
    float scales[kQK / 16];
    for (std::int64_t i = 0; i < nBlocks; ++i, x += kQK) {
        qxGroups<W, 16>(16, 32, x, quantWeights ? quantWeights + kQK * i : nullptr, L, scales);
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int ib = 0; ib < kQK / 16; ++ib) {
            const float scale = scales[ib];
            const float absScale = std::fabs(scale);
            if (absScale > maxAbsScale) {
                maxAbsScale = absScale;
                maxScale = scale;
            }
        }
        if (maxAbsScale < kGroupMaxEps) {
            std::memset(&y[i], 0, sizeof(BlockQ6K));
            y[i].d = fp32ToFp16(0.f);
            continue;
        }
        const float iscale = -128.f / maxScale;
        y[i].d = fp32ToFp16(1 / iscale);
        for (int ib = 0; ib < kQK / 16; ++ib) {
            y[i].scales[ib] =
                static_cast<std::int8_t>(std::min(127, nearestInt(iscale * scales[ib])));
        }
        for (int j = 0; j < kQK / 16; ++j) {
            const float d = fp16ToFp32(y[i].d) * static_cast<float>(y[i].scales[j]);
            if (d == 0) {
                continue;
            }
            for (int ii = 0; ii < 16; ++ii) {
                int l = nearestInt(x[16 * j + ii] / d);
                l = std::max(-32, std::min(31, l));
                L[16 * j + ii] = static_cast<std::int8_t>(l + 32);
            }
        }
        std::uint8_t* ql = y[i].ql;
        std::uint8_t* qh = y[i].qh;
        for (int j = 0; j < kQK; j += 128, ql += 64, qh += 32) {
            for (int l = 0; l < 32; ++l) {
                const int q1 = L[j + l + 0] & 0xF;
                const int q2 = L[j + l + 32] & 0xF;
                const int q3 = L[j + l + 64] & 0xF;
                const int q4 = L[j + l + 96] & 0xF;
                ql[l + 0] = static_cast<std::uint8_t>(q1 | (q3 << 4));
                ql[l + 32] = static_cast<std::uint8_t>(q2 | (q4 << 4));
                qh[l] = static_cast<std::uint8_t>((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) |
                                                  ((L[j + l + 64] >> 4) << 4) |
                                                  ((L[j + l + 96] >> 4) << 6));
            }
        }
    }
}

// The weighted paths run row by row because the importance weights repeat per row.
#define QS_KQUANT_ROWS(Block, weightedCall)                                                        \
    auto* y = static_cast<Block*>(dst);                                                            \
    const std::int64_t blocksPerRow = nPerRow / kQK;                                               \
    for (std::int64_t row = 0; row < nRows; ++row) {                                               \
        const float* x = src + row * nPerRow;                                                      \
        Block* yRow = y + row * blocksPerRow;                                                      \
        weightedCall;                                                                              \
    }

template <int W>
QS_LANES_INLINE void q2kRows(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                             const float* importance) {
    if (!importance) {
        q2kReference<W>(src, static_cast<BlockQ2K*>(dst), nRows * nPerRow / kQK);
        return;
    }
    QS_KQUANT_ROWS(BlockQ2K, q2kWeighted<W>(x, yRow, nPerRow, importance))
}

template <int W>
QS_LANES_INLINE void q3kRows(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                             const float* importance) {
    if (!importance) {
        q3kReference(src, static_cast<BlockQ3K*>(dst), nRows * nPerRow / kQK);
        return;
    }
    QS_KQUANT_ROWS(BlockQ3K, q3kWeighted<W>(x, yRow, nPerRow, importance))
}

template <int W>
QS_LANES_INLINE void q4kRows(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                             const float* importance) {
    if (!importance) {
        q45kReference<W, 15>(src, static_cast<BlockQ4K*>(dst), nRows * nPerRow / kQK, -1.f, 20);
        return;
    }
    QS_KQUANT_ROWS(BlockQ4K, (q45kWeighted<W, 15, BlockQ4K>(x, yRow, nPerRow, importance)))
}

template <int W>
QS_LANES_INLINE void q5kRows(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                             const float* importance) {
    if (!importance) {
        q45kReference<W, 31>(src, static_cast<BlockQ5K*>(dst), nRows * nPerRow / kQK, -0.5f, 15);
        return;
    }
    QS_KQUANT_ROWS(BlockQ5K, (q45kWeighted<W, 31, BlockQ5K>(x, yRow, nPerRow, importance)))
}

template <int W>
QS_LANES_INLINE void q6kRows(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                             const float* importance) {
    if (!importance) {
        q6kBlocks<W>(src, static_cast<BlockQ6K*>(dst), nRows * nPerRow / kQK, nullptr);
        return;
    }
    QS_KQUANT_ROWS(BlockQ6K, q6kBlocks<W>(x, yRow, blocksPerRow, importance))
}

} // namespace

QS_LANES_DISPATCH(quantizeQ2K, q2kRows)
QS_LANES_DISPATCH(quantizeQ3K, q3kRows)
QS_LANES_DISPATCH(quantizeQ4K, q4kRows)
QS_LANES_DISPATCH(quantizeQ5K, q5kRows)
QS_LANES_DISPATCH(quantizeQ6K, q6kRows)

// The dequantizers copy each block's bytes to locals and index y explicitly: stores through
// float* could otherwise alias the uint8_t block fields, which keeps loops scalar.
void dequantizeQ2K(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockQ2K*>(src);
    for (std::int64_t i = 0; i < n / kQK; ++i, y += kQK) {
        const float d = fp16ToFp32(x[i].d);
        const float min = fp16ToFp32(x[i].dmin);
        std::uint8_t q[kQK / 4];
        std::uint8_t scales[kQK / 16];
        std::memcpy(q, x[i].qs, sizeof(q));
        std::memcpy(scales, x[i].scales, sizeof(scales));
        for (int block = 0; block < 2; ++block) {
            for (int k = 0; k < 4; ++k) {
                for (int half = 0; half < 2; ++half) {
                    const std::uint8_t sc = scales[8 * block + 2 * k + half];
                    const float dl = d * static_cast<float>(sc & 0xF);
                    const float ml = min * static_cast<float>(sc >> 4);
                    const std::uint8_t* qb = q + 32 * block + 16 * half;
                    float* yb = y + 128 * block + 32 * k + 16 * half;
                    for (int l = 0; l < 16; ++l) {
                        yb[l] = dl * static_cast<float>((qb[l] >> (2 * k)) & 3) - ml;
                    }
                }
            }
        }
    }
}

void dequantizeQ3K(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockQ3K*>(src);
    for (std::int64_t i = 0; i < n / kQK; ++i, y += kQK) {
        const float dAll = fp16ToFp32(x[i].d);
        // Unpack the 16 six-bit scales: low nibbles from bytes 0..7, top 2 bits from 8..11.
        int scales[16];
        for (int j = 0; j < 16; ++j) {
            const int low = j < 8 ? x[i].scales[j] & 0xF : x[i].scales[j - 8] >> 4;
            const int high = (x[i].scales[8 + j % 4] >> (2 * (j / 4))) & 3;
            scales[j] = low | (high << 4);
        }
        std::uint8_t q[kQK / 4];
        std::uint8_t hm[kQK / 8];
        std::memcpy(q, x[i].qs, sizeof(q));
        std::memcpy(hm, x[i].hmask, sizeof(hm));
        for (int block = 0; block < 2; ++block) {
            for (int k = 0; k < 4; ++k) {
                const int m = 1 << (4 * block + k);
                for (int half = 0; half < 2; ++half) {
                    const float dl =
                        dAll * static_cast<float>(scales[8 * block + 2 * k + half] - 32);
                    const std::uint8_t* qb = q + 32 * block + 16 * half;
                    const std::uint8_t* hb = hm + 16 * half;
                    float* yb = y + 128 * block + 32 * k + 16 * half;
                    for (int l = 0; l < 16; ++l) {
                        const int v = ((qb[l] >> (2 * k)) & 3) - ((hb[l] & m) ? 0 : 4);
                        yb[l] = dl * static_cast<float>(v);
                    }
                }
            }
        }
    }
}

void dequantizeQ4K(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockQ4K*>(src);
    for (std::int64_t i = 0; i < n / kQK; ++i, y += kQK) {
        const float d = fp16ToFp32(x[i].d);
        const float min = fp16ToFp32(x[i].dmin);
        std::uint8_t q[kQK / 2];
        std::memcpy(q, x[i].qs, sizeof(q));
        std::uint8_t sc, m;
        for (int j = 0; j < 4; ++j) {
            scaleMinK4(2 * j, x[i].scales, &sc, &m);
            const float d1 = d * static_cast<float>(sc);
            const float m1 = min * static_cast<float>(m);
            scaleMinK4(2 * j + 1, x[i].scales, &sc, &m);
            const float d2 = d * static_cast<float>(sc);
            const float m2 = min * static_cast<float>(m);
            const std::uint8_t* qb = q + 32 * j;
            float* yb = y + 64 * j;
            for (int l = 0; l < 32; ++l) {
                yb[l] = d1 * static_cast<float>(qb[l] & 0xF) - m1;
            }
            for (int l = 0; l < 32; ++l) {
                yb[l + 32] = d2 * static_cast<float>(qb[l] >> 4) - m2;
            }
        }
    }
}

void dequantizeQ5K(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockQ5K*>(src);
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const std::uint8_t* ql = x[i].qs;
        const std::uint8_t* qh = x[i].qh;
        const float d = fp16ToFp32(x[i].d);
        const float min = fp16ToFp32(x[i].dmin);
        int is = 0;
        std::uint8_t sc, m;
        std::uint8_t u1 = 1, u2 = 2;
        for (int j = 0; j < kQK; j += 64, ql += 32, is += 2) {
            scaleMinK4(is + 0, x[i].scales, &sc, &m);
            const float d1 = d * static_cast<float>(sc);
            const float m1 = min * static_cast<float>(m);
            scaleMinK4(is + 1, x[i].scales, &sc, &m);
            const float d2 = d * static_cast<float>(sc);
            const float m2 = min * static_cast<float>(m);
            for (int l = 0; l < 32; ++l) {
                *y++ = d1 * static_cast<float>((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - m1;
            }
            for (int l = 0; l < 32; ++l) {
                *y++ = d2 * static_cast<float>((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
            }
            u1 = static_cast<std::uint8_t>(u1 << 2);
            u2 = static_cast<std::uint8_t>(u2 << 2);
        }
    }
}

void dequantizeQ6K(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockQ6K*>(src);
    for (std::int64_t i = 0; i < n / kQK; ++i, y += kQK) {
        const float d = fp16ToFp32(x[i].d);
        std::uint8_t ql[kQK / 2];
        std::uint8_t qh[kQK / 4];
        std::memcpy(ql, x[i].ql, sizeof(ql));
        std::memcpy(qh, x[i].qh, sizeof(qh));
        // ggml computes d * sc * q left to right, so d * sc can be taken once per 16 values.
        float ds[kQK / 16];
        for (int j = 0; j < kQK / 16; ++j) {
            ds[j] = d * static_cast<float>(x[i].scales[j]);
        }
        for (int h = 0; h < 2; ++h) {
            const std::uint8_t* qlh = ql + 64 * h;
            const std::uint8_t* qhh = qh + 32 * h;
            float* yh = y + 128 * h;
            for (int s = 0; s < 2; ++s) {
                const float* dsh = ds + 8 * h + s;
                for (int l = 16 * s; l < 16 * s + 16; ++l) {
                    const int q1 = ((qlh[l] & 0xF) | (((qhh[l] >> 0) & 3) << 4)) - 32;
                    const int q2 = ((qlh[l + 32] & 0xF) | (((qhh[l] >> 2) & 3) << 4)) - 32;
                    const int q3 = ((qlh[l] >> 4) | (((qhh[l] >> 4) & 3) << 4)) - 32;
                    const int q4 = ((qlh[l + 32] >> 4) | (((qhh[l] >> 6) & 3) << 4)) - 32;
                    yh[l + 0] = dsh[0] * static_cast<float>(q1);
                    yh[l + 32] = dsh[2] * static_cast<float>(q2);
                    yh[l + 64] = dsh[4] * static_cast<float>(q3);
                    yh[l + 96] = dsh[6] * static_cast<float>(q4);
                }
            }
        }
    }
}

void dequantizeQ8K(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockQ8K*>(src);
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        for (int j = 0; j < kQK; ++j) {
            *y++ = x[i].d * static_cast<float>(x[i].qs[j]);
        }
    }
}

} // namespace qs::core::quant
