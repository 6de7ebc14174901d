#include "core/quant/block_types.h"
#include "core/quant/half.h"
#include "core/quant/quant_kernels.h"
#include "core/quant/quant_search.h"

#include <algorithm>
#include <cmath>
#include <cstring>

// k-quants Q2_K..Q6_K: 256-value super-blocks of 16 or 32-value sub-blocks whose scales (and
// mins) are themselves quantized. Without importance weights: ggml's quantize_row_q*_K_ref;
// with weights: quantize_row_q*_K_impl, run row by row because the weights repeat per row.
namespace qs::core::quant {
namespace {

constexpr float kGroupMaxEps = 1e-15f;

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

// ---- Q2_K

// Final levels from the stored (rounded) scales; shared by both Q2_K paths.
void q2kRequantize(BlockQ2K& y, const float* x, std::uint8_t* L) {
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

void q2kReference(const float* x, BlockQ2K* y, std::int64_t nBlocks) {
    std::uint8_t L[kQK];
    std::uint8_t Laux[16];
    float weights[16];
    float mins[kQK / 16];
    float scales[kQK / 16];
    const float q4scale = 15.f;
    for (std::int64_t i = 0; i < nBlocks; ++i, x += kQK) {
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < kQK / 16; ++j) {
            for (int l = 0; l < 16; ++l) {
                weights[l] = std::fabs(x[16 * j + l]);
            }
            scales[j] = makeQkx2Quants(16, 3, x + 16 * j, weights, L + 16 * j, &mins[j], Laux,
                                       -0.5f, 0.1f, 15, true);
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

void q2kWeighted(const float* x, BlockQ2K* y, std::int64_t nPerRow, const float* quantWeights) {
    std::uint8_t L[kQK];
    std::uint8_t Laux[16];
    float mins[kQK / 16];
    float scales[kQK / 16];
    float sw[kQK / 16];
    float weight[16];
    std::uint8_t Ls[kQK / 16], Lm[kQK / 16];
    for (std::int64_t i = 0; i < nPerRow / kQK; ++i, x += kQK) {
        std::memset(sw, 0, sizeof(sw));
        float sumx2 = 0;
        for (int j = 0; j < kQK; ++j) {
            sumx2 += x[j] * x[j];
        }
        const float sigma2 = sumx2 / kQK;
        for (int j = 0; j < kQK / 16; ++j) {
            const float* qw = quantWeights + kQK * i + 16 * j;
            for (int l = 0; l < 16; ++l) {
                weight[l] = qw[l] * std::sqrt(sigma2 + x[16 * j + l] * x[16 * j + l]);
            }
            for (int l = 0; l < 16; ++l) {
                sw[j] += weight[l];
            }
            scales[j] = makeQkx3Quants(16, 3, x + 16 * j, weight, L + 16 * j, &mins[j], Laux, -0.9f,
                                       0.05f, 36, false);
        }
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

void q3kWeighted(const float* x, BlockQ3K* y, std::int64_t nPerRow, const float* quantWeights) {
    std::int8_t L[kQK];
    float scales[kQK / 16];
    float weight[16];
    float sw[kQK / 16];
    std::int8_t Ls[kQK / 16];
    for (std::int64_t i = 0; i < nPerRow / kQK; ++i, x += kQK) {
        float sumx2 = 0;
        for (int j = 0; j < kQK; ++j) {
            sumx2 += x[j] * x[j];
        }
        const float sigma2 = 2 * sumx2 / kQK;
        for (int j = 0; j < kQK / 16; ++j) {
            const float* qw = quantWeights + kQK * i + 16 * j;
            for (int l = 0; l < 16; ++l) {
                weight[l] = qw[l] * std::sqrt(sigma2 + x[16 * j + l] * x[16 * j + l]);
            }
            float sumw = 0;
            for (int l = 0; l < 16; ++l) {
                sumw += weight[l];
            }
            sw[j] = sumw;
            scales[j] = makeQxQuants(16, 4, x + 16 * j, L + 16 * j, 1, weight);
        }
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
void q45kRequantize(const std::uint16_t dBits, const std::uint16_t dminBits,
                    const std::uint8_t* packedScales, const float* x, std::uint8_t* L) {
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
template <int NMax, typename Block>
void q45kReference(const float* x, Block* y, std::int64_t nBlocks, float rmin, int nstep) {
    std::uint8_t L[kQK];
    std::uint8_t Laux[32];
    float weights[32];
    float mins[kQK / 32];
    float scales[kQK / 32];
    for (std::int64_t i = 0; i < nBlocks; ++i, x += kQK) {
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < kQK / 32; ++j) {
            float sumX2 = 0;
            for (int l = 0; l < 32; ++l) {
                sumX2 += x[32 * j + l] * x[32 * j + l];
            }
            const float avX = std::sqrt(sumX2 / 32);
            for (int l = 0; l < 32; ++l) {
                weights[l] = avX + std::fabs(x[32 * j + l]);
            }
            scales[j] = makeQkx2Quants(32, NMax, x + 32 * j, weights, L + 32 * j, &mins[j], Laux,
                                       rmin, 0.1f, nstep, false);
            maxScale = std::max(maxScale, scales[j]);
            maxMin = std::max(maxMin, mins[j]);
        }
        const float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
        const float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
        for (int j = 0; j < kQK / 32; ++j) {
            auto ls = static_cast<std::uint8_t>(nearestInt(invScale * scales[j]));
            auto lm = static_cast<std::uint8_t>(nearestInt(invMin * mins[j]));
            ls = std::min<std::uint8_t>(63, ls);
            lm = std::min<std::uint8_t>(63, lm);
            packScaleMinK4(y[i].scales, j, ls, lm);
        }
        y[i].d = fp32ToFp16(maxScale / 63.f);
        y[i].dmin = fp32ToFp16(maxMin / 63.f);
        q45kRequantize<NMax>(y[i].d, y[i].dmin, y[i].scales, x, L);
        packQ45K(y[i], L);
    }
}

// Weighted (and also ggml's path for Q4_K/Q5_K when weights exist): qkx3 search, then the
// sub-block scales and mins quantized by makeQpQuants with the sub-block weight sums.
template <int NMax, typename Block>
void q45kWeighted(const float* x, Block* y, std::int64_t nPerRow, const float* quantWeights) {
    std::uint8_t L[kQK];
    std::uint8_t Laux[32];
    std::uint8_t Ls[kQK / 32];
    std::uint8_t Lm[kQK / 32];
    float weights[32];
    float sw[kQK / 32];
    float mins[kQK / 32];
    float scales[kQK / 32];
    for (std::int64_t i = 0; i < nPerRow / kQK; ++i, x += kQK) {
        float sumX2 = 0;
        for (int l = 0; l < kQK; ++l) {
            sumX2 += x[l] * x[l];
        }
        const float sigma2 = 2 * sumX2 / kQK;
        for (int j = 0; j < kQK / 32; ++j) {
            const float* qw = quantWeights + kQK * i + 32 * j;
            for (int l = 0; l < 32; ++l) {
                weights[l] = qw[l] * std::sqrt(sigma2 + x[32 * j + l] * x[32 * j + l]);
            }
            float sumw = 0;
            for (int l = 0; l < 32; ++l) {
                sumw += weights[l];
            }
            sw[j] = sumw;
            scales[j] = makeQkx3Quants(32, NMax, x + 32 * j, weights, L + 32 * j, &mins[j], Laux,
                                       -0.9f, 0.05f, 36, false);
        }
        const float dBlock = makeQpQuants(kQK / 32, 63, scales, Ls, sw);
        const float mBlock = makeQpQuants(kQK / 32, 63, mins, Lm, sw);
        for (int j = 0; j < kQK / 32; ++j) {
            packScaleMinK4(y[i].scales, j, std::min<std::uint8_t>(63, Ls[j]),
                           std::min<std::uint8_t>(63, Lm[j]));
        }
        y[i].d = fp32ToFp16(dBlock);
        y[i].dmin = fp32ToFp16(mBlock);
        q45kRequantize<NMax>(y[i].d, y[i].dmin, y[i].scales, x, L);
        packQ45K(y[i], L);
    }
}

// ---- Q6_K: one routine; the weighted path only swaps the default x^2 weights for qw.

void q6kBlocks(const float* x, BlockQ6K* y, std::int64_t nBlocks, const float* quantWeights) {
    std::int8_t L[kQK];
    float scales[kQK / 16];
    for (std::int64_t i = 0; i < nBlocks; ++i, x += kQK) {
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int ib = 0; ib < kQK / 16; ++ib) {
            const float* qw = quantWeights ? quantWeights + kQK * i + 16 * ib : nullptr;
            const float scale = makeQxQuants(16, 32, x + 16 * ib, L + 16 * ib, 1, qw);
            scales[ib] = scale;
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

// Runs a per-row weighted quantizer over all rows.
template <typename Block, typename Fn>
void forEachRow(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                const float* importance, Fn&& fn) {
    auto* y = static_cast<Block*>(dst);
    const std::int64_t blocksPerRow = nPerRow / kQK;
    for (std::int64_t row = 0; row < nRows; ++row) {
        fn(src + row * nPerRow, y + row * blocksPerRow, nPerRow, importance);
    }
}

} // namespace

void quantizeQ2K(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                 const float* importance) {
    if (!importance) {
        q2kReference(src, static_cast<BlockQ2K*>(dst), nRows * nPerRow / kQK);
        return;
    }
    forEachRow<BlockQ2K>(src, dst, nRows, nPerRow, importance, q2kWeighted);
}

void quantizeQ3K(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                 const float* importance) {
    if (!importance) {
        q3kReference(src, static_cast<BlockQ3K*>(dst), nRows * nPerRow / kQK);
        return;
    }
    forEachRow<BlockQ3K>(src, dst, nRows, nPerRow, importance, q3kWeighted);
}

void quantizeQ4K(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                 const float* importance) {
    if (!importance) {
        q45kReference<15>(src, static_cast<BlockQ4K*>(dst), nRows * nPerRow / kQK, -1.f, 20);
        return;
    }
    forEachRow<BlockQ4K>(src, dst, nRows, nPerRow, importance, q45kWeighted<15, BlockQ4K>);
}

void quantizeQ5K(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                 const float* importance) {
    if (!importance) {
        q45kReference<31>(src, static_cast<BlockQ5K*>(dst), nRows * nPerRow / kQK, -0.5f, 15);
        return;
    }
    forEachRow<BlockQ5K>(src, dst, nRows, nPerRow, importance, q45kWeighted<31, BlockQ5K>);
}

void quantizeQ6K(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                 const float* importance) {
    if (!importance) {
        q6kBlocks(src, static_cast<BlockQ6K*>(dst), nRows * nPerRow / kQK, nullptr);
        return;
    }
    forEachRow<BlockQ6K>(src, dst, nRows, nPerRow, importance,
                         [](const float* x, BlockQ6K* y, std::int64_t n, const float* qw) {
                             q6kBlocks(x, y, n / kQK, qw);
                         });
}

void dequantizeQ2K(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockQ2K*>(src);
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const float d = fp16ToFp32(x[i].d);
        const float min = fp16ToFp32(x[i].dmin);
        const std::uint8_t* q = x[i].qs;
        int is = 0;
        for (int block = 0; block < kQK; block += 128, q += 32) {
            for (int shift = 0; shift < 8; shift += 2) {
                for (int half = 0; half < 2; ++half) {
                    const std::uint8_t sc = x[i].scales[is++];
                    const float dl = d * static_cast<float>(sc & 0xF);
                    const float ml = min * static_cast<float>(sc >> 4);
                    for (int l = 0; l < 16; ++l) {
                        *y++ = dl * static_cast<float>((q[l + 16 * half] >> shift) & 3) - ml;
                    }
                }
            }
        }
    }
}

void dequantizeQ3K(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockQ3K*>(src);
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const float dAll = fp16ToFp32(x[i].d);
        // Unpack the 16 six-bit scales: low nibbles from bytes 0..7, top 2 bits from 8..11.
        int scales[16];
        for (int j = 0; j < 16; ++j) {
            const int low = j < 8 ? x[i].scales[j] & 0xF : x[i].scales[j - 8] >> 4;
            const int high = (x[i].scales[8 + j % 4] >> (2 * (j / 4))) & 3;
            scales[j] = low | (high << 4);
        }
        const std::uint8_t* q = x[i].qs;
        const std::uint8_t* hm = x[i].hmask;
        std::uint8_t m = 1;
        int is = 0;
        for (int block = 0; block < kQK; block += 128, q += 32) {
            for (int shift = 0; shift < 8; shift += 2) {
                for (int half = 0; half < 2; ++half) {
                    const float dl = dAll * static_cast<float>(scales[is++] - 32);
                    for (int l = 0; l < 16; ++l) {
                        const int idx = l + 16 * half;
                        const int v = ((q[idx] >> shift) & 3) - ((hm[idx] & m) ? 0 : 4);
                        *y++ = dl * static_cast<float>(v);
                    }
                }
                m = static_cast<std::uint8_t>(m << 1);
            }
        }
    }
}

void dequantizeQ4K(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockQ4K*>(src);
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const std::uint8_t* q = x[i].qs;
        const float d = fp16ToFp32(x[i].d);
        const float min = fp16ToFp32(x[i].dmin);
        int is = 0;
        std::uint8_t sc, m;
        for (int j = 0; j < kQK; j += 64, q += 32, is += 2) {
            scaleMinK4(is + 0, x[i].scales, &sc, &m);
            const float d1 = d * static_cast<float>(sc);
            const float m1 = min * static_cast<float>(m);
            scaleMinK4(is + 1, x[i].scales, &sc, &m);
            const float d2 = d * static_cast<float>(sc);
            const float m2 = min * static_cast<float>(m);
            for (int l = 0; l < 32; ++l) {
                *y++ = d1 * static_cast<float>(q[l] & 0xF) - m1;
            }
            for (int l = 0; l < 32; ++l) {
                *y++ = d2 * static_cast<float>(q[l] >> 4) - m2;
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
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const float d = fp16ToFp32(x[i].d);
        const std::uint8_t* ql = x[i].ql;
        const std::uint8_t* qh = x[i].qh;
        const std::int8_t* sc = x[i].scales;
        for (int block = 0; block < kQK; block += 128, y += 128, ql += 64, qh += 32, sc += 8) {
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const int q1 = ((ql[l + 0] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = ((ql[l + 0] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[l + 0] = d * static_cast<float>(sc[is + 0]) * static_cast<float>(q1);
                y[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
                y[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
                y[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
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
