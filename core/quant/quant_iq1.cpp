#include "core/quant/block_types.h"
#include "core/quant/half.h"
#include "core/quant/iq2_search_tables.h"
#include "core/quant/iq_grids.h"
#include "core/quant/quant_kernels.h"
#include "core/quant/quant_search.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

// IQ1_S and IQ1_M: groups of 8 ternary values (-1, 0, +1) from a 2048-point code book, shifted
// by +-delta per group of 32 (IQ1_S) or 8 (IQ1_M) values. ggml (quantize_row_iq1_*_impl) finds
// the best split of each block's sorted values into the three levels exactly, then moves
// groups that are not code book points to their best neighbour. Float sums keep the
// reference's order throughout.
namespace qs::core::quant {
namespace {

using iqsearch::CodeBook;
using iqsearch::gridCoordinate;
using iqsearch::SearchTables;

constexpr float kGroupMaxEpsIQ1S = 1e-12f; // GROUP_MAX_EPS_IQ1_S
constexpr float kGroupMaxEpsIQ1M = 1e-7f;  // GROUP_MAX_EPS_IQ1_M
constexpr int kGridSize = 2048;

// The level values with the group shifted up (plus) or down (minus) by delta.
struct ShiftedLevels {
    float plus[3];
    float minus[3];
};

constexpr ShiftedLevels shiftedLevels(float delta) {
    return {{-1 + delta, delta, 1 + delta}, {-1 - delta, -delta, 1 - delta}};
}

int levelOfCoordinate(std::uint64_t point, int i) {
    return (gridCoordinate(point, i) - 1) / 2;
}

// iq1_find_best_neighbour2: the neighbour of least weighted squared error when level l stands
// for scale * levels[l]. Writes its levels to L and returns its index.
int bestNeighbour(const std::uint16_t* neighbours, const std::vector<std::uint64_t>& grid,
                  const float* xval, const float* weight, float scale, const float* levels,
                  std::int8_t* L) {
    // The error of coordinate i depends only on its level: compute the 3 x 8 terms once (the
    // same products as ggml's) and sum them per neighbour in coordinate order, as ggml does.
    // Indexed by the grid coordinate 2l+1.
    float term[8][6];
    for (int i = 0; i < 8; ++i) {
        for (int l = 0; l < 3; ++l) {
            const float diff = scale * levels[l] - xval[i];
            term[i][2 * l + 1] = weight[i] * diff * diff;
        }
    }
    const int count = neighbours[0];
    float bestScore = FLT_MAX;
    int best = -1;
    for (int j = 1; j <= count; ++j) {
        const std::uint64_t point = grid[neighbours[j]];
        float d2 = 0;
        for (int i = 0; i < 8; ++i) {
            d2 += term[i][gridCoordinate(point, i)];
        }
        if (d2 < bestScore) {
            bestScore = d2;
            best = neighbours[j];
        }
    }
    if (best < 0) {
        // Every error was NaN or infinite. ggml then scans the whole code book, reading its
        // value array with the wrong index; scan it with the right one (no bytes are at stake:
        // such inputs have no reference output to match) and fall back to the first point.
        for (int i = 0; i < kGridSize; ++i) {
            float d2 = 0;
            for (int j = 0; j < 8; ++j) {
                const float q = levels[levelOfCoordinate(grid[i], j)];
                const float diff = scale * q - xval[j];
                d2 += weight[j] * diff * diff;
            }
            if (d2 < bestScore) {
                bestScore = d2;
                best = i;
            }
        }
        best = std::max(best, 0);
    }
    for (int i = 0; i < 8; ++i) {
        L[i] = static_cast<std::int8_t>(levelOfCoordinate(grid[best], i));
    }
    return best;
}

// The code book index of 8 levels, or of their best neighbour (then L is updated). Sets
// *allOnGrid to false when a neighbour was needed.
int snapGroup(const SearchTables& t, const float* xb, const float* weight, float scale,
              const float* levels, std::int8_t* L, bool* allOnGrid) {
    int key = 0;
    for (int j = 0; j < 8; ++j) {
        key |= L[j] << (2 * j);
    }
    const int index = t.map[key];
    if (index >= 0) {
        return index;
    }
    *allOnGrid = false;
    return bestNeighbour(t.neighboursOf(index), t.grid, xb, weight, scale, levels, L);
}

// The block's value order: ggml sorts (value, index) pairs with qsort by value only. glibc's
// qsort is a merge sort at these sizes (stable), so equal values keep their index order.
template <int N>
void sortedOrder(const float* xb, int* order) {
    for (int j = 0; j < N; ++j) {
        order[j] = j;
    }
    std::stable_sort(order, order + N, [xb](int a, int b) { return xb[a] < xb[b]; });
}

// Levels from the split points: the i1 smallest values get level 0, the next i2 - i1 level 1,
// the rest level 2.
template <int N>
void levelsFromSplit(const int* order, int i1, int i2, std::int8_t* L) {
    for (int j = 0; j < N; ++j) {
        L[order[j]] = static_cast<std::int8_t>(j < i1 ? 0 : (j < i2 ? 1 : 2));
    }
}

// ---------------------------------------------------------------------------------- IQ1_S

constexpr int kBlockS = 32;

void iq1sSuperBlock(const SearchTables& t, const float* xbl, const float* qwbl, BlockIQ1S* y) {
    constexpr ShiftedLevels kLevels = shiftedLevels(iqgrid::kIq1sDelta);
    const float* xp = kLevels.plus;
    const float* xm = kLevels.minus;
    float scales[kQK / kBlockS];
    std::int8_t shifts[kQK / kBlockS];
    float weight[kBlockS];
    float sumx[kBlockS + 1];
    float sumw[kBlockS + 1];
    int order[kBlockS];
    std::int8_t L[kBlockS];
    std::uint16_t index[kBlockS / 8];

    y->d = fp32ToFp16(0.f);
    std::memset(y->qs, 0, sizeof(y->qs));
    std::memset(y->qh, 0, sizeof(y->qh));

    float maxScale = 0;
    float sumx2 = 0;
    for (int i = 0; i < kQK; ++i) {
        sumx2 += xbl[i] * xbl[i];
    }
    const float sigma2 = 2 * sumx2 / kQK;

    for (int ib = 0; ib < kQK / kBlockS; ++ib) {
        const float* xb = xbl + kBlockS * ib;
        const float* qw = qwbl + kBlockS * ib;
        for (int i = 0; i < kBlockS; ++i) {
            weight[i] = qw[i] * std::sqrt(sigma2 + xb[i] * xb[i]);
        }
        float max = std::fabs(xb[0]);
        for (int i = 1; i < kBlockS; ++i) {
            max = std::max(max, std::fabs(xb[i]));
        }
        if (max < kGroupMaxEpsIQ1S) {
            scales[ib] = 0;
            shifts[ib] = 1;
            continue;
        }
        // With three levels the weighted least-squares optimum is found exactly: sort the
        // values, then every split (i1, i2) of the sorted order into levels 0/1/2 is scored
        // from prefix sums of w*x and w.
        sortedOrder<kBlockS>(xb, order);
        sumx[0] = sumw[0] = 0;
        for (int j = 0; j < kBlockS; ++j) {
            const int i = order[j];
            sumx[j + 1] = sumx[j] + weight[i] * xb[i];
            sumw[j + 1] = sumw[j] + weight[i];
        }
        float bestScore = -FLT_MAX;
        float scale = max;
        int besti1 = -1, besti2 = -1, bestShift = 0;
        for (int i1 = 0; i1 <= kBlockS; ++i1) {
            for (int i2 = i1; i2 <= kBlockS; ++i2) {
                const float sx0 = sumx[i1] - sumx[0];
                const float sx1 = sumx[i2] - sumx[i1];
                const float sx2 = sumx[kBlockS] - sumx[i2];
                const float sw0 = sumw[i1] - sumw[0];
                const float sw1 = sumw[i2] - sumw[i1];
                const float sw2 = sumw[kBlockS] - sumw[i2];
                float sumqx = sx0 * xp[0] + sx1 * xp[1] + sx2 * xp[2];
                float sumq2 = sw0 * xp[0] * xp[0] + sw1 * xp[1] * xp[1] + sw2 * xp[2] * xp[2];
                if (sumq2 > 0 && sumqx * sumqx > bestScore * sumq2) {
                    scale = sumqx / sumq2;
                    bestScore = scale * sumqx;
                    besti1 = i1;
                    besti2 = i2;
                    bestShift = 1;
                }
                sumqx = sx0 * xm[0] + sx1 * xm[1] + sx2 * xm[2];
                sumq2 = sw0 * xm[0] * xm[0] + sw1 * xm[1] * xm[1] + sw2 * xm[2] * xm[2];
                if (sumq2 > 0 && sumqx * sumqx > bestScore * sumq2) {
                    scale = sumqx / sumq2;
                    bestScore = scale * sumqx;
                    besti1 = i1;
                    besti2 = i2;
                    bestShift = -1;
                }
            }
        }
        if (besti1 < 0 || besti2 < 0 || bestShift == 0) {
            scales[ib] = 0;
            shifts[ib] = 1;
            continue;
        }
        levelsFromSplit<kBlockS>(order, besti1, besti2, L);
        if (scale < 0) {
            for (auto& l : L) {
                l = static_cast<std::int8_t>(2 - l);
            }
            scale = -scale;
            bestShift = -bestShift;
        }
        bool allOnGrid = true;
        const float* levels = bestShift == 1 ? xp : xm;
        for (int k = 0; k < kBlockS / 8; ++k) {
            index[k] = static_cast<std::uint16_t>(
                snapGroup(t, xb + 8 * k, weight + 8 * k, scale, levels, L + 8 * k, &allOnGrid));
        }
        if (!allOnGrid) {
            float sumqx = 0, sumq2 = 0;
            for (int k = 0; k < kBlockS / 8; ++k) {
                const std::uint64_t point = t.grid[index[k]];
                for (int j = 0; j < 8; ++j) {
                    const float w = weight[8 * k + j];
                    const float q = levels[levelOfCoordinate(point, j)];
                    sumqx += w * q * xb[8 * k + j];
                    sumq2 += w * q * q;
                }
            }
            if (sumqx > 0 && sumq2 > 0) {
                scale = sumqx / sumq2;
            }
        }
        std::uint16_t h = 0;
        for (int k = 0; k < kBlockS / 8; ++k) {
            y->qs[(kBlockS / 8) * ib + k] = static_cast<std::uint8_t>(index[k] & 255);
            h |= static_cast<std::uint16_t>((index[k] >> 8) << 3 * k);
        }
        y->qh[ib] = h;
        scales[ib] = scale;
        shifts[ib] = static_cast<std::int8_t>(bestShift);
        maxScale = std::max(maxScale, scale);
    }

    if (maxScale == 0) {
        return;
    }
    const float d = maxScale / 15;
    y->d = fp32ToFp16(d * 1.125f); // ggml's fudge factor
    const float id = 1 / d;
    for (int ib = 0; ib < kQK / kBlockS; ++ib) {
        int l = nearestInt(0.5f * (id * scales[ib] - 1));
        l = std::max(0, std::min(7, l));
        if (shifts[ib] == -1) {
            l |= 8;
        }
        y->qh[ib] |= static_cast<std::uint16_t>(l << 12);
    }
}

// ---------------------------------------------------------------------------------- IQ1_M

constexpr int kBlockM = 16;

// The exact split search of a 16-value block where each half (8 values) has its own shift:
// shift combination k is 0: (+, +), 1: (+, -), 2: (-, +), 3: (-, -). Prefix sums of w*x and w
// are kept per half, in sorted order. Because adjacent levels differ by 1 for both shifts, the
// 3-level sum of a split collapses to T*v[2] - P[i1] - P[i2] (T the half's total, P its prefix
// sum), and the squares to T_w*v[2]^2 + P_w[i1]*(v0^2 - v1^2) + P_w[i2]*(v1^2 - v2^2): ggml
// evaluates exactly these expressions, which fixes the rounding.
struct SplitChoice {
    float scale;
    int i1, i2, k;
};

SplitChoice iq1mBestSplit(const float* xb, const float* weight, const int* order, float max,
                          const ShiftedLevels& lv) {
    float px[2][kBlockM + 1];
    float pw[2][kBlockM + 1];
    px[0][0] = px[1][0] = 0;
    pw[0][0] = pw[1][0] = 0;
    for (int j = 0; j < kBlockM; ++j) {
        const int i = order[j];
        const int h = i < kBlockM / 2 ? 0 : 1;
        px[h][j + 1] = px[h][j] + weight[i] * xb[i];
        px[1 - h][j + 1] = px[1 - h][j];
        pw[h][j + 1] = pw[h][j] + weight[i];
        pw[1 - h][j + 1] = pw[1 - h][j];
    }
    const float totalX[2] = {px[0][kBlockM], px[1][kBlockM]};
    const float totalW[2] = {pw[0][kBlockM], pw[1][kBlockM]};
    const float* xp = lv.plus;
    const float* xm = lv.minus;
    const float p2 = xp[2], m2 = xm[2];
    const float cp1 = xp[0] * xp[0] - xp[1] * xp[1];
    const float cp2 = xp[1] * xp[1] - xp[2] * xp[2];
    const float cm1 = xm[0] * xm[0] - xm[1] * xm[1];
    const float cm2 = xm[1] * xm[1] - xm[2] * xm[2];

    SplitChoice best{max, -1, -1, -1};
    float bestScore = -FLT_MAX;
    for (int i1 = 0; i1 <= kBlockM; ++i1) {
        for (int i2 = i1; i2 <= kBlockM; ++i2) {
            float qxPlus[2], qxMinus[2], q2Plus[2], q2Minus[2];
            for (int h = 0; h < 2; ++h) {
                const float sx = px[h][i1] + px[h][i2];
                qxPlus[h] = totalX[h] * p2 - sx;
                qxMinus[h] = totalX[h] * m2 - sx;
                q2Plus[h] = totalW[h] * p2 * p2 + pw[h][i1] * cp1 + pw[h][i2] * cp2;
                q2Minus[h] = totalW[h] * m2 * m2 + pw[h][i1] * cm1 + pw[h][i2] * cm2;
            }
            const float sumqx[4] = {qxPlus[0] + qxPlus[1], qxPlus[0] + qxMinus[1],
                                    qxMinus[0] + qxPlus[1], qxMinus[0] + qxMinus[1]};
            const float sumq2[4] = {q2Plus[0] + q2Plus[1], q2Plus[0] + q2Minus[1],
                                    q2Minus[0] + q2Plus[1], q2Minus[0] + q2Minus[1]};
            for (int k = 0; k < 4; ++k) {
                if (sumq2[k] > 0 && sumqx[k] * sumqx[k] > bestScore * sumq2[k]) {
                    best.scale = sumqx[k] / sumq2[k];
                    bestScore = best.scale * sumqx[k];
                    best.i1 = i1;
                    best.i2 = i2;
                    best.k = k;
                }
            }
        }
    }
    return best;
}

const float* groupLevels(const ShiftedLevels& lv, int shift, int k) {
    const bool plus = k == 0 ? shift < 2 : shift % 2 == 0;
    return plus ? lv.plus : lv.minus;
}

void iq1mWeights(const float* xb, const float* qw, float sigma2, float* weight) {
    if (qw) {
        for (int i = 0; i < kBlockM; ++i) {
            weight[i] = qw[i] * std::sqrt(sigma2 + xb[i] * xb[i]);
        }
    } else {
        for (int i = 0; i < kBlockM; ++i) {
            weight[i] = xb[i] * xb[i];
        }
    }
}

void iq1mSuperBlock(const SearchTables& t, const float* xbl, const float* qwbl, BlockIQ1M* y) {
    constexpr ShiftedLevels kLevels = shiftedLevels(iqgrid::kIq1mDelta);
    constexpr std::uint8_t kShiftMasks[4] = {0x00, 0x80, 0x08, 0x88};
    float scales[kQK / kBlockM];
    std::int8_t shifts[kQK / kBlockM];
    float weight[kBlockM];
    int order[kBlockM];
    std::int8_t L[kBlockM];
    std::uint16_t index[kBlockM / 8];

    std::memset(y->qs, 0, sizeof(y->qs));
    std::memset(y->qh, 0, sizeof(y->qh));
    std::memset(y->scales, 0, sizeof(y->scales));

    float maxScale = 0;
    float sumx2 = 0;
    for (int i = 0; i < kQK; ++i) {
        sumx2 += xbl[i] * xbl[i];
    }
    const float sigma2 = 2 * sumx2 / kQK;

    for (int ib = 0; ib < kQK / kBlockM; ++ib) {
        const float* xb = xbl + kBlockM * ib;
        iq1mWeights(xb, qwbl ? qwbl + kBlockM * ib : nullptr, sigma2, weight);
        float max = std::fabs(xb[0]);
        for (int i = 1; i < kBlockM; ++i) {
            max = std::max(max, std::fabs(xb[i]));
        }
        if (max < kGroupMaxEpsIQ1M) {
            scales[ib] = 0;
            shifts[ib] = 0;
            continue;
        }
        sortedOrder<kBlockM>(xb, order);
        SplitChoice c = iq1mBestSplit(xb, weight, order, max, kLevels);
        if (c.i1 < 0 || c.i2 < 0 || c.k < 0) {
            scales[ib] = 0;
            shifts[ib] = 0;
            continue;
        }
        levelsFromSplit<kBlockM>(order, c.i1, c.i2, L);
        float scale = c.scale;
        if (scale < 0) {
            for (auto& l : L) {
                l = static_cast<std::int8_t>(2 - l);
            }
            scale = -scale;
            c.k = 3 - c.k; // both halves change direction
        }
        bool allOnGrid = true;
        for (int k = 0; k < kBlockM / 8; ++k) {
            index[k] = static_cast<std::uint16_t>(snapGroup(t, xb + 8 * k, weight + 8 * k, scale,
                                                            groupLevels(kLevels, c.k, k), L + 8 * k,
                                                            &allOnGrid));
        }
        if (!allOnGrid) {
            float sumqx = 0, sumq2 = 0;
            for (int k = 0; k < kBlockM / 8; ++k) {
                const float* levels = groupLevels(kLevels, c.k, k);
                const std::uint64_t point = t.grid[index[k]];
                for (int j = 0; j < 8; ++j) {
                    const float w = weight[8 * k + j];
                    const float q = levels[levelOfCoordinate(point, j)];
                    sumqx += w * q * xb[8 * k + j];
                    sumq2 += w * q * q;
                }
            }
            if (sumqx > 0 && sumq2 > 0) {
                scale = sumqx / sumq2;
            }
        }
        y->qs[2 * ib + 0] = static_cast<std::uint8_t>(index[0] & 255);
        y->qs[2 * ib + 1] = static_cast<std::uint8_t>(index[1] & 255);
        y->qh[ib] = static_cast<std::uint8_t>((index[0] >> 8) | ((index[1] >> 8) << 4));
        scales[ib] = scale;
        shifts[ib] = static_cast<std::int8_t>(c.k);
        maxScale = std::max(maxScale, scale);
    }

    if (maxScale == 0) {
        return;
    }

    // Block scales, then the super-block scale refitted to the quantized values (every block,
    // also those left at zero), stored in the top nibbles of the four scale words.
    std::uint16_t sc[4] = {};
    float d = maxScale / 15;
    const float id = 1 / d;
    float sumqx = 0, sumq2 = 0;
    for (int ib = 0; ib < kQK / kBlockM; ++ib) {
        int l = nearestInt(0.5f * (id * scales[ib] - 1));
        l = std::max(0, std::min(7, l));
        sc[ib / 4] |= static_cast<std::uint16_t>(l << 3 * (ib % 4));
        y->qh[ib] |= kShiftMasks[shifts[ib]];
        const float* xb = xbl + kBlockM * ib;
        iq1mWeights(xb, qwbl ? qwbl + kBlockM * ib : nullptr, sigma2, weight);
        for (int k = 0; k < kBlockM / 8; ++k) {
            const float* levels = groupLevels(kLevels, shifts[ib], k);
            const int gi = y->qs[2 * ib + k] | ((y->qh[ib] << (8 - 4 * k)) & 0x700);
            const std::uint64_t point = t.grid[gi];
            for (int j = 0; j < 8; ++j) {
                const float w = weight[8 * k + j];
                const float q = levels[levelOfCoordinate(point, j)] * static_cast<float>(2 * l + 1);
                sumqx += w * q * xb[8 * k + j];
                sumq2 += w * q * q;
            }
        }
    }
    if (sumq2 > 0) {
        d = sumqx / sumq2;
    }
    const std::uint16_t d16 = fp32ToFp16(d * 1.1125f); // ggml's fudge factor
    sc[0] |= static_cast<std::uint16_t>((d16 & 0x000f) << 12);
    sc[1] |= static_cast<std::uint16_t>((d16 & 0x00f0) << 8);
    sc[2] |= static_cast<std::uint16_t>((d16 & 0x0f00) << 4);
    sc[3] |= static_cast<std::uint16_t>(d16 & 0xf000);
    std::memcpy(y->scales, sc, sizeof(sc));
}

template <typename Block, typename SuperBlockFn>
void quantizeRowsWith(SuperBlockFn superBlock, const float* src, void* dst, std::int64_t nRows,
                      std::int64_t nPerRow, const float* importance) {
    const SearchTables& t = iqsearch::searchTables(CodeBook::IQ1);
    auto* y = static_cast<Block*>(dst);
    const std::int64_t nBlocks = nPerRow / kQK;
    for (std::int64_t row = 0; row < nRows; ++row, src += nPerRow) {
        for (std::int64_t ib = 0; ib < nBlocks; ++ib, ++y) {
            superBlock(t, src + kQK * ib, importance ? importance + kQK * ib : nullptr, y);
        }
    }
}

// 8 values of a ternary code book entry: dl * (g + delta).
void expandGroup(std::uint64_t entry, float dl, float delta, float* y) {
    for (int j = 0; j < 8; ++j) {
        const auto g = static_cast<float>(static_cast<std::int8_t>((entry >> (8 * j)) & 0xff));
        y[j] = dl * (g + delta);
    }
}

} // namespace

// The caller (quantizeRows) rejects IQ1_S without importance weights, as ggml does.
void quantizeIQ1S(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                  const float* importance) {
    quantizeRowsWith<BlockIQ1S>(iq1sSuperBlock, src, dst, nRows, nPerRow, importance);
}

void quantizeIQ1M(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                  const float* importance) {
    quantizeRowsWith<BlockIQ1M>(iq1mSuperBlock, src, dst, nRows, nPerRow, importance);
}

void dequantizeIQ1S(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ1S*>(src);
    const auto& grid = iqgrid::iq1s();
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const float d = fp16ToFp32(x[i].d);
        const std::uint8_t* qs = x[i].qs;
        for (int ib = 0; ib < kQK / 32; ++ib, qs += 4) {
            const std::uint16_t qh = x[i].qh[ib];
            const float dl = d * static_cast<float>(2 * ((qh >> 12) & 7) + 1);
            const float delta = qh & 0x8000 ? -iqgrid::kIq1sDelta : iqgrid::kIq1sDelta;
            for (int l = 0; l < 4; ++l, y += 8) {
                expandGroup(grid[qs[l] | (((qh >> 3 * l) & 7) << 8)], dl, delta, y);
            }
        }
    }
}

void dequantizeIQ1M(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ1M*>(src);
    const auto& grid = iqgrid::iq1s();
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        std::uint16_t sc[4];
        std::memcpy(sc, x[i].scales, sizeof(sc));
        const auto d16 = static_cast<std::uint16_t>((sc[0] >> 12) | ((sc[1] >> 8) & 0x00f0) |
                                                    ((sc[2] >> 4) & 0x0f00) | (sc[3] & 0xf000));
        const float d = fp16ToFp32(d16);
        const std::uint8_t* qs = x[i].qs;
        const std::uint8_t* qh = x[i].qh;
        for (int ib = 0; ib < kQK / 32; ++ib, qs += 4, qh += 2) {
            const int shift = 6 * (ib % 2);
            const float dl1 = d * static_cast<float>(2 * ((sc[ib / 2] >> shift) & 7) + 1);
            const float dl2 = d * static_cast<float>(2 * ((sc[ib / 2] >> (shift + 3)) & 7) + 1);
            const int idx[4] = {
                qs[0] | ((qh[0] << 8) & 0x700),
                qs[1] | ((qh[0] << 4) & 0x700),
                qs[2] | ((qh[1] << 8) & 0x700),
                qs[3] | ((qh[1] << 4) & 0x700),
            };
            // ggml reads IQ1_M's delta as IQ1S_DELTA (the two are equal).
            const float delta[4] = {
                qh[0] & 0x08 ? -iqgrid::kIq1sDelta : iqgrid::kIq1sDelta,
                qh[0] & 0x80 ? -iqgrid::kIq1sDelta : iqgrid::kIq1sDelta,
                qh[1] & 0x08 ? -iqgrid::kIq1sDelta : iqgrid::kIq1sDelta,
                qh[1] & 0x80 ? -iqgrid::kIq1sDelta : iqgrid::kIq1sDelta,
            };
            for (int l = 0; l < 4; ++l, y += 8) {
                expandGroup(grid[idx[l]], l < 2 ? dl1 : dl2, delta[l], y);
            }
        }
    }
}

} // namespace qs::core::quant
