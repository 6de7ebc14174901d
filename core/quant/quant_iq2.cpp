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

// IQ2_XXS, IQ2_XS and IQ2_S: groups of 8 magnitudes are points of a code book (256, 512 or 1024
// points with coordinates from {1, 3, 5}), signs are stored apart. ggml's quantizers
// (quantize_row_iq2_*_impl) try a range of scales per block; a rounded group that is not a
// code book point is replaced by the best of its precomputed neighbours. Every float sum keeps
// the reference's order: the chosen points depend on the last bit.
namespace qs::core::quant {
namespace {

using iqsearch::CodeBook;
using iqsearch::gridCoordinate;
using iqsearch::SearchTables;

constexpr int kMaxQ = 3;                  // levels 0..kMaxQ-1 -> 2l+1 = 1, 3, 5
constexpr float kGroupMaxEps = 1e-15f;    // GROUP_MAX_EPS
constexpr float kGroupMaxEpsIQ2S = 1e-8f; // GROUP_MAX_EPS_IQ2_S

// iq2_find_best_neighbour: the neighbour of least weighted squared error at `scale`; writes its
// levels to L and returns its index. Each coordinate's error term depends only on its level, so
// the 3 x 8 terms are computed once (the same products as ggml's) and each neighbour's error is
// their sum in coordinate order, as in ggml.
int bestNeighbour(const std::uint16_t* neighbours, const std::vector<std::uint64_t>& grid,
                  const float* xval, const float* weight, float scale, std::int8_t* L) {
    // term[i][c]: the error of coordinate i at grid coordinate c (1, 3, 5; others unused).
    float term[8][6];
    for (int i = 0; i < 8; ++i) {
        for (int c = 1; c <= 5; c += 2) {
            const float diff = scale * static_cast<float>(c) - xval[i];
            term[i][c] = weight[i] * diff * diff;
        }
    }
    const int count = neighbours[0];
    float bestD2 = FLT_MAX;
    int best = neighbours[1]; // ggml asserts a hit; a NaN error keeps the first neighbour
    for (int j = 1; j <= count; ++j) {
        const std::uint64_t point = grid[neighbours[j]];
        float d2 = 0;
        for (int i = 0; i < 8; ++i) {
            d2 += term[i][gridCoordinate(point, i)];
        }
        if (d2 < bestD2) {
            bestD2 = d2;
            best = neighbours[j];
        }
    }
    for (int i = 0; i < 8; ++i) {
        L[i] = static_cast<std::int8_t>((gridCoordinate(grid[best], i) - 1) / 2);
    }
    return best;
}

// The levels of 8 values at inverse scale id, clamped to the code book's range, and their key.
int roundGroup(const float* xval, float id, std::int8_t* L) {
    int key = 0;
    for (int i = 0; i < 8; ++i) {
        int l = nearestInt(0.5f * (id * xval[i] - 1));
        l = std::max(0, std::min(kMaxQ - 1, l));
        L[i] = static_cast<std::int8_t>(l);
        key |= l << (2 * i);
    }
    return key;
}

int keyOf(const std::int8_t* L) {
    int key = 0;
    for (int i = 0; i < 8; ++i) {
        key |= L[i] << (2 * i);
    }
    return key;
}

// The code book index of a key the search has put on the grid (ggml aborts otherwise; the
// search cannot produce such a key).
int pointIndex(const SearchTables& t, const std::int8_t* L) {
    return std::max(0, t.map[keyOf(L)]);
}

// Rounds a group at id; off-grid results move to their best neighbour at `scale`. Returns
// whether the rounded group was a point.
bool snapGroup(const SearchTables& t, const float* xval, const float* waux, float id, float scale,
               std::int8_t* L) {
    const int key = roundGroup(xval, id, L);
    const int index = t.map[key];
    if (index >= 0) {
        return true;
    }
    bestNeighbour(t.neighboursOf(index), t.grid, xval, waux, scale, L);
    return false;
}

float superBlockSigma2(const float* x, bool doubled) {
    float sumx2 = 0;
    for (int i = 0; i < kQK; ++i) {
        sumx2 += x[i] * x[i];
    }
    return doubled ? 2 * sumx2 / kQK : sumx2 / kQK;
}

// IQ2_XXS and IQ2_XS store 7 signs per group: an odd count of negatives flips the value whose
// flip costs least (smallest w x^2) back to positive, so the 8th sign is implied by parity.
// Fills xval with |x| (one value possibly negated) and returns the 7 stored sign bits.
std::uint8_t evenSigns(const float* xb, const float* weight, float* xval) {
    int nflip = 0;
    std::uint8_t s = 0;
    for (int i = 0; i < 8; ++i) {
        if (xb[i] >= 0) {
            xval[i] = xb[i];
        } else {
            xval[i] = -xb[i];
            ++nflip;
            s |= static_cast<std::uint8_t>(1 << i);
        }
    }
    if (nflip % 2) {
        int imin = 0;
        float min = weight[imin] * xb[imin] * xb[imin];
        for (int i = 1; i < 8; ++i) {
            const float ax = weight[i] * xb[i] * xb[i];
            if (ax < min) {
                min = ax;
                imin = i;
            }
        }
        xval[imin] = -xval[imin];
        s ^= static_cast<std::uint8_t>(1 << imin);
    }
    return s & 127;
}

// The 4-bit block scale of IQ2_*: d * (2l + 1) / 2 approximates the block's scale.
int blockScaleLevel(float id, float scale) {
    const int l = nearestInt(0.5f * (id * scale - 1));
    return std::max(0, std::min(15, l));
}

void iq2xxsSuperBlock(const SearchTables& t, const float* xbl, const float* qwbl, BlockIQ2XXS* y) {
    float scales[kQK / 32];
    float weight[32];
    float xval[32];
    std::int8_t L[32];
    std::int8_t Laux[32];
    float waux[32];
    std::uint8_t blockSigns[4];
    std::uint32_t q2[2 * (kQK / 32)] = {};

    y->d = fp32ToFp16(0.f);
    float maxScale = 0;
    const float sigma2 = superBlockSigma2(xbl, false);

    for (int ib = 0; ib < kQK / 32; ++ib) {
        const float* xb = xbl + 32 * ib;
        const float* qw = qwbl + 32 * ib;
        for (int i = 0; i < 32; ++i) {
            weight[i] = qw[i] * std::sqrt(sigma2 + xb[i] * xb[i]);
        }
        for (int i = 0; i < 32; ++i) {
            waux[i] = std::sqrt(weight[i]);
        }
        for (int k = 0; k < 4; ++k) {
            blockSigns[k] = evenSigns(xb + 8 * k, weight + 8 * k, xval + 8 * k);
        }
        float max = xval[0];
        for (int i = 1; i < 32; ++i) {
            max = std::max(max, xval[i]);
        }
        if (max < kGroupMaxEps) {
            scales[ib] = 0;
            continue;
        }
        std::uint8_t Lqp[32];
        float scale = makeQpQuants(32, kMaxQ + 1, xval, Lqp, weight);
        std::memcpy(L, Lqp, sizeof(L));
        const float effMax = scale * kMaxQ;
        if (effMax <= 0) {
            scales[ib] = 0;
            continue;
        }
        float best = 0;
        for (int is = -6; is <= 6; ++is) {
            const float id = (2 * kMaxQ - 1 + static_cast<float>(is) * 0.1f) / effMax;
            const float thisScale = 1 / id;
            for (int k = 0; k < 4; ++k) {
                snapGroup(t, xval + 8 * k, waux + 8 * k, id, thisScale, Laux + 8 * k);
            }
            float sumqx, sumq2;
            oddLevelSums(32, weight, xval, Laux, sumqx, sumq2);
            if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                scale = sumqx / sumq2;
                best = scale * sumqx;
                std::memcpy(L, Laux, sizeof(L));
            }
        }
        if (scale > 0) {
            const float id = 1 / scale;
            for (int k = 0; k < 4; ++k) {
                snapGroup(t, xval + 8 * k, waux + 8 * k, id, scale, L + 8 * k);
            }
            float sumqx, sumq2;
            oddLevelSums(32, weight, xval, L, sumqx, sumq2);
            if (sumq2 > 0) {
                scale = sumqx / sumq2;
            }
        }
        if (scale < 0) {
            // ggml: "should never happen"; the scale is stored unsigned, so flip the signs.
            scale = -scale;
            for (auto& s : blockSigns) {
                s = static_cast<std::uint8_t>(~s & 127);
            }
        }
        for (int k = 0; k < 4; ++k) {
            const auto index = static_cast<std::uint32_t>(pointIndex(t, L + 8 * k));
            q2[2 * ib + 0] |= index << (8 * k);
            q2[2 * ib + 1] |= static_cast<std::uint32_t>(blockSigns[k]) << (7 * k);
        }
        scales[ib] = scale;
        maxScale = std::max(maxScale, scale);
    }

    if (maxScale == 0) {
        std::memset(y->qs, 0, sizeof(y->qs));
        return;
    }
    const float d = maxScale / 31;
    y->d = fp32ToFp16(d);
    const float id = 1 / d;
    for (int ib = 0; ib < kQK / 32; ++ib) {
        q2[2 * ib + 1] |= static_cast<std::uint32_t>(blockScaleLevel(id, scales[ib])) << 28;
    }
    std::memcpy(y->qs, q2, sizeof(y->qs));
}

// IQ2_XS and IQ2_S share the search over 16-value blocks; they differ in the weights without
// an imatrix, the sign handling (IQ2_S stores all 8 signs), the epsilon and the packing.
struct Iq2BlockResult {
    float scale;
    int index[2];
    std::uint8_t signs[2];
};

bool iq2Block16(const SearchTables& t, const float* xb, const float* weight, bool paritySigns,
                float eps, Iq2BlockResult& out) {
    float xval[16];
    float waux[16];
    std::int8_t L[16];
    std::int8_t Laux[16];
    bool onGrid[2];
    bool onGridAux[2];
    for (int i = 0; i < 16; ++i) {
        waux[i] = std::sqrt(weight[i]);
    }
    for (int k = 0; k < 2; ++k) {
        if (paritySigns) {
            out.signs[k] = evenSigns(xb + 8 * k, weight + 8 * k, xval + 8 * k);
        } else {
            std::uint8_t s = 0;
            for (int i = 0; i < 8; ++i) {
                if (xb[8 * k + i] >= 0) {
                    xval[8 * k + i] = xb[8 * k + i];
                } else {
                    xval[8 * k + i] = -xb[8 * k + i];
                    s |= static_cast<std::uint8_t>(1 << i);
                }
            }
            out.signs[k] = s;
        }
    }
    float max = xval[0];
    for (int i = 1; i < 16; ++i) {
        max = std::max(max, xval[i]);
    }
    std::memset(L, 0, sizeof(L));
    if (max < eps) {
        return false;
    }
    float best = 0;
    float scale = max / (2 * kMaxQ - 1);
    onGrid[0] = onGrid[1] = true;
    for (int is = -9; is <= 9; ++is) {
        const float id = (2 * kMaxQ - 1 + static_cast<float>(is) * 0.1f) / max;
        const float thisScale = 1 / id;
        for (int k = 0; k < 2; ++k) {
            onGridAux[k] = snapGroup(t, xval + 8 * k, waux + 8 * k, id, thisScale, Laux + 8 * k);
        }
        float sumqx, sumq2;
        oddLevelSums(16, weight, xval, Laux, sumqx, sumq2);
        if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
            scale = sumqx / sumq2;
            best = scale * sumqx;
            std::memcpy(L, Laux, sizeof(L));
            onGrid[0] = onGridAux[0];
            onGrid[1] = onGridAux[1];
        }
    }
    if ((!onGrid[0] || !onGrid[1]) && scale > 0) {
        const float id = 1 / scale;
        for (int k = 0; k < 2; ++k) {
            if (!onGrid[k]) {
                snapGroup(t, xval + 8 * k, waux + 8 * k, id, scale, L + 8 * k);
            }
        }
        float sumqx, sumq2;
        oddLevelSums(16, weight, xval, L, sumqx, sumq2);
        if (sumq2 > 0) {
            scale = sumqx / sumq2;
        }
    }
    if (scale < 0) {
        scale = -scale;
        for (auto& s : out.signs) {
            s = static_cast<std::uint8_t>(paritySigns ? (~s & 127) : ~s);
        }
    }
    out.index[0] = pointIndex(t, L);
    out.index[1] = pointIndex(t, L + 8);
    out.scale = scale;
    return true;
}

void iq2xsSuperBlock(const SearchTables& t, const float* xbl, const float* qwbl, BlockIQ2XS* y) {
    float scales[kQK / 16];
    float weight[16];
    std::uint16_t q2[2 * (kQK / 16)] = {};
    y->d = fp32ToFp16(0.f);
    std::memset(y->scales, 0, sizeof(y->scales));
    float maxScale = 0;
    const float sigma2 = superBlockSigma2(xbl, false);

    for (int ib = 0; ib < kQK / 16; ++ib) {
        const float* xb = xbl + 16 * ib;
        const float* qw = qwbl + 16 * ib;
        for (int i = 0; i < 16; ++i) {
            weight[i] = qw[i] * std::sqrt(sigma2 + xb[i] * xb[i]);
        }
        Iq2BlockResult r;
        if (!iq2Block16(t, xb, weight, true, kGroupMaxEps, r)) {
            scales[ib] = 0;
            continue;
        }
        for (int k = 0; k < 2; ++k) {
            q2[2 * ib + k] = static_cast<std::uint16_t>(r.index[k] | (r.signs[k] << 9));
        }
        scales[ib] = r.scale;
        maxScale = std::max(maxScale, r.scale);
    }

    if (maxScale == 0) {
        std::memset(y->qs, 0, sizeof(y->qs));
        return;
    }
    const float d = maxScale / 31;
    y->d = fp32ToFp16(d);
    const float id = 1 / d;
    for (int ib = 0; ib < kQK / 16; ++ib) {
        const int l = blockScaleLevel(id, scales[ib]);
        y->scales[ib / 2] |= static_cast<std::uint8_t>(ib % 2 == 0 ? l : l << 4);
    }
    std::memcpy(y->qs, q2, sizeof(y->qs));
}

void iq2sSuperBlock(const SearchTables& t, const float* xbl, const float* qwbl, BlockIQ2S* y) {
    float scales[kQK / 16];
    float weight[16];
    std::memset(y, 0, sizeof(*y));
    y->d = fp32ToFp16(0.f);
    float maxScale = 0;
    const float sigma2 = superBlockSigma2(xbl, true);

    for (int ib = 0; ib < kQK / 16; ++ib) {
        const float* xb = xbl + 16 * ib;
        if (qwbl) {
            const float* qw = qwbl + 16 * ib;
            for (int i = 0; i < 16; ++i) {
                weight[i] = qw[i] * std::sqrt(sigma2 + xb[i] * xb[i]);
            }
        } else {
            for (int i = 0; i < 16; ++i) {
                weight[i] = 0.25f * sigma2 + xb[i] * xb[i];
            }
        }
        Iq2BlockResult r;
        if (!iq2Block16(t, xb, weight, false, kGroupMaxEpsIQ2S, r)) {
            scales[ib] = 0;
            continue;
        }
        for (int k = 0; k < 2; ++k) {
            const int i8 = 2 * ib + k;
            y->qs[i8] = static_cast<std::uint8_t>(r.index[k] & 255);
            y->qh[i8 / 4] |= static_cast<std::uint8_t>((r.index[k] >> 8) << 2 * (i8 % 4));
            y->qs[kQK / 8 + i8] = r.signs[k];
        }
        scales[ib] = r.scale;
        maxScale = std::max(maxScale, r.scale);
    }

    if (maxScale == 0) {
        return;
    }
    const float d = maxScale / 31;
    y->d = fp32ToFp16(d * 0.9875f);
    const float id = 1 / d;
    for (int ib = 0; ib < kQK / 16; ++ib) {
        const int l = blockScaleLevel(id, scales[ib]);
        if (ib % 2 == 0) {
            y->scales[ib / 2] = static_cast<std::uint8_t>(l);
        } else {
            y->scales[ib / 2] |= static_cast<std::uint8_t>(l << 4);
        }
    }
}

template <typename Block, typename SuperBlockFn>
void quantizeRowsWith(CodeBook book, SuperBlockFn superBlock, const float* src, void* dst,
                      std::int64_t nRows, std::int64_t nPerRow, const float* importance) {
    const SearchTables& t = iqsearch::searchTables(book);
    auto* y = static_cast<Block*>(dst);
    const std::int64_t nBlocks = nPerRow / kQK;
    for (std::int64_t row = 0; row < nRows; ++row, src += nPerRow) {
        for (std::int64_t ib = 0; ib < nBlocks; ++ib, ++y) {
            superBlock(t, src + kQK * ib, importance ? importance + kQK * ib : nullptr, y);
        }
    }
}

constexpr float kSignOf[2] = {1.f, -1.f};

// 8 values of a magnitude grid entry, negated where the sign byte has a bit.
void expandGroup(std::uint64_t entry, std::uint8_t signs, float scale, float* y) {
    for (int j = 0; j < 8; ++j) {
        const auto g = static_cast<float>((entry >> (8 * j)) & 0xff);
        y[j] = scale * g * kSignOf[(signs >> j) & 1];
    }
}

} // namespace

// The caller (quantizeRows) rejects IQ2_XXS and IQ2_XS without importance weights, as ggml does.
void quantizeIQ2XXS(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                    const float* importance) {
    quantizeRowsWith<BlockIQ2XXS>(CodeBook::IQ2XXS, iq2xxsSuperBlock, src, dst, nRows, nPerRow,
                                  importance);
}

void quantizeIQ2XS(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                   const float* importance) {
    quantizeRowsWith<BlockIQ2XS>(CodeBook::IQ2XS, iq2xsSuperBlock, src, dst, nRows, nPerRow,
                                 importance);
}

void quantizeIQ2S(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                  const float* importance) {
    quantizeRowsWith<BlockIQ2S>(CodeBook::IQ2S, iq2sSuperBlock, src, dst, nRows, nPerRow,
                                importance);
}

void dequantizeIQ2XXS(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ2XXS*>(src);
    const auto& grid = iqgrid::iq2xxs();
    const auto& ksigns = iqgrid::ksigns();
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const float d = fp16ToFp32(x[i].d);
        for (int ib = 0; ib < kQK / 32; ++ib) {
            std::uint32_t aux[2];
            std::memcpy(aux, x[i].qs + 4 * ib, sizeof(aux));
            const float db = d * (0.5f + static_cast<float>(aux[1] >> 28)) * 0.25f;
            for (int l = 0; l < 4; ++l, y += 8) {
                const std::uint8_t index = (aux[0] >> (8 * l)) & 0xff;
                expandGroup(grid[index], ksigns[(aux[1] >> (7 * l)) & 127], db, y);
            }
        }
    }
}

void dequantizeIQ2XS(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ2XS*>(src);
    const auto& grid = iqgrid::iq2xs();
    const auto& ksigns = iqgrid::ksigns();
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const float d = fp16ToFp32(x[i].d);
        for (int ib = 0; ib < kQK / 32; ++ib) {
            const float db[2] = {
                d * (0.5f + static_cast<float>(x[i].scales[ib] & 0xf)) * 0.25f,
                d * (0.5f + static_cast<float>(x[i].scales[ib] >> 4)) * 0.25f,
            };
            for (int l = 0; l < 4; ++l, y += 8) {
                const std::uint16_t q = x[i].qs[4 * ib + l];
                expandGroup(grid[q & 511], ksigns[q >> 9], db[l / 2], y);
            }
        }
    }
}

void dequantizeIQ2S(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ2S*>(src);
    const auto& grid = iqgrid::iq2s();
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const float d = fp16ToFp32(x[i].d);
        const std::uint8_t* qs = x[i].qs;
        const std::uint8_t* signs = qs + kQK / 8;
        for (int ib = 0; ib < kQK / 32; ++ib, qs += 4, signs += 4) {
            const float db[2] = {
                d * (0.5f + static_cast<float>(x[i].scales[ib] & 0xf)) * 0.25f,
                d * (0.5f + static_cast<float>(x[i].scales[ib] >> 4)) * 0.25f,
            };
            for (int l = 0; l < 4; ++l, y += 8) {
                const int index = qs[l] | ((x[i].qh[ib] << (8 - 2 * l)) & 0x300);
                expandGroup(grid[index], signs[l], db[l / 2], y);
            }
        }
    }
}

} // namespace qs::core::quant
