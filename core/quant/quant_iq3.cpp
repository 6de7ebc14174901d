#include "core/quant/block_types.h"
#include "core/quant/half.h"
#include "core/quant/iq_grids.h"
#include "core/quant/quant_kernels.h"
#include "core/quant/quant_lanes.h"
#include "core/quant/quant_search.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <vector>

// IQ3_XXS and IQ3_S: every 4 values are one point of a fixed grid of level quadruplets (levels
// 0..7 standing for the odd magnitudes 1, 3, ..., 15), signs are stored apart, and each 32 values
// carry a 4-bit scale. The quantizer is ggml's quantize_row_iq3_xxs_impl / quantize_row_iq3_s_impl:
// per 32 values it scans a range of trial scales, rounds every quadruplet to levels and, where
// that lands off the grid, takes the nearest of a precomputed list of grid neighbours. Both run
// with or without importance weights (without them the weights are x^2).
namespace qs::core::quant {
namespace {

constexpr int kGroupSize = 32;        // values per sub-block scale
constexpr int kMaxLevel = 7;          // levels 0..7, magnitudes 2l+1
constexpr int kMapSize = 1 << 12;     // every quadruplet of 3-bit levels
constexpr float kXxsGroupEps = 1e-8f; // GROUP_MAX_EPS_IQ3_XXS
constexpr int kTrialLanes = 4;        // SSE2 width: every x86-64 has it, no dispatch needed

// ggml's iq3xs_init_impl: the grid as levels, the map from any quadruplet (level i in bits
// 3i..3i+2) to its grid index, and for each quadruplet off the grid the grid points at the
// nearest `nearestDistances` distinct distances, ordered by (distance, index) as ggml's qsort
// leaves them (the order decides ties in the weighted search below).
// Neighbours four at a time, one per SIMD lane: magnitude[i][lane] is 2 * level + 1 of value i
// of candidate `lane` (a short last group repeats its first candidate; the count says where
// the real ones end).
using Lanes4 = lanes::Vec<4>::F;

struct CandidateGroup {
    Lanes4 magnitude[4];
    std::int32_t index[4];
};

struct SearchTables {
    std::vector<std::array<std::int8_t, 4>> levels;       // per grid point
    std::array<std::int16_t, kMapSize> gridIndex{};       // -1: not a grid point
    std::array<std::uint32_t, kMapSize> neighbourBegin{}; // group offset, off-grid keys only
    std::array<std::uint16_t, kMapSize> neighbourCount{}; // candidates, not groups
    std::vector<CandidateGroup> neighbours;               // each key's groups, contiguous
};

template <std::size_t N>
SearchTables buildSearchTables(const std::array<std::uint32_t, N>& grid, int levelDivisor,
                               int nearestDistances) {
    SearchTables t;
    t.levels.resize(N);
    t.gridIndex.fill(-1);
    for (std::size_t j = 0; j < N; ++j) {
        int key = 0;
        for (int i = 0; i < 4; ++i) {
            // The dequantization bytes are 2l+1 (IQ3_S) or about 8l+4 (IQ3_XXS); integer
            // division by 2 or 8 recovers l for both.
            const int level = static_cast<int>((grid[j] >> (8 * i)) & 0xff) / levelDivisor;
            t.levels[j][static_cast<std::size_t>(i)] = static_cast<std::int8_t>(level);
            key |= level << (3 * i);
        }
        t.gridIndex[static_cast<std::size_t>(key)] = static_cast<std::int16_t>(j);
    }

    // Squared level distances are at most 4 * 7^2: bucketing by distance and walking the grid in
    // index order per distance gives qsort's (distance, index) order without sorting.
    constexpr int kMaxD2 = 4 * kMaxLevel * kMaxLevel;
    std::vector<std::uint8_t> d2Of(N);
    for (int key = 0; key < kMapSize; ++key) {
        if (t.gridIndex[static_cast<std::size_t>(key)] >= 0) {
            continue;
        }
        bool present[kMaxD2 + 1] = {};
        for (std::size_t j = 0; j < N; ++j) {
            int d2 = 0;
            for (int i = 0; i < 4; ++i) {
                const int diff = t.levels[j][static_cast<std::size_t>(i)] - ((key >> (3 * i)) & 7);
                d2 += diff * diff;
            }
            d2Of[j] = static_cast<std::uint8_t>(d2);
            present[d2] = true;
        }
        std::vector<int> found;
        int distances = 0;
        for (int d2 = 0; d2 <= kMaxD2 && distances < nearestDistances; ++d2) {
            if (!present[d2]) {
                continue;
            }
            ++distances;
            for (std::size_t j = 0; j < N; ++j) {
                if (d2Of[j] == d2) {
                    found.push_back(static_cast<int>(j));
                }
            }
        }
        t.neighbourBegin[static_cast<std::size_t>(key)] =
            static_cast<std::uint32_t>(t.neighbours.size());
        t.neighbourCount[static_cast<std::size_t>(key)] = static_cast<std::uint16_t>(found.size());
        for (std::size_t first = 0; first < found.size(); first += 4) {
            CandidateGroup g{};
            for (std::size_t lane = 0; lane < 4; ++lane) {
                const int j = found[first + lane < found.size() ? first + lane : first];
                for (int i = 0; i < 4; ++i) {
                    g.magnitude[i][lane] = static_cast<float>(
                        2 * t.levels[static_cast<std::size_t>(j)][static_cast<std::size_t>(i)] + 1);
                }
                g.index[lane] = j;
            }
            t.neighbours.push_back(g);
        }
    }
    return t;
}

// Built once, on first use, by whichever thread gets there first.
const SearchTables& xxsTables() {
    static const SearchTables tables = buildSearchTables(iqgrid::iq3xxs(), 8, 2);
    return tables;
}

const SearchTables& sTables() {
    static const SearchTables tables = buildSearchTables(iqgrid::iq3s(), 2, 3);
    return tables;
}

// iq3_find_best_neighbour: of the neighbours of off-grid quadruplet `key`, the grid point with
// the least weighted squared error at this scale (first one on ties). Writes its levels to L.
int bestNeighbour(const SearchTables& t, int key, const float* xval, const float* weight,
                  float scale, std::int8_t* L) {
    const CandidateGroup* groups = t.neighbours.data() + t.neighbourBegin[key];
    const int count = t.neighbourCount[key];
    float bestD2 = FLT_MAX;
    int best = groups[0].index[0]; // ggml aborts if no distance beats FLT_MAX (NaN input)
    for (int first = 0; first < count; first += 4, ++groups) {
        // Each lane sums its candidate's terms in ggml's order; only the candidates run side by
        // side.
        Lanes4 d2{};
        for (int i = 0; i < 4; ++i) {
            const Lanes4 diff = scale * groups->magnitude[i] - xval[i];
            d2 += weight[i] * diff * diff;
        }
        const int inGroup = std::min(4, count - first);
        for (int lane = 0; lane < inGroup; ++lane) {
            if (d2[lane] < bestD2) {
                bestD2 = d2[lane];
                best = groups->index[lane];
            }
        }
    }
    std::memcpy(L, t.levels[static_cast<std::size_t>(best)].data(), 4);
    return best;
}

// The level quadruplet nearest to xval / scale, clamped to 0..7, as its map key.
int roundedKey(const float* xval, float inverseScale, std::int8_t* L) {
    int key = 0;
    for (int i = 0; i < 4; ++i) {
        const int l = std::clamp(nearestInt(0.5f * (inverseScale * xval[i] - 1)), 0, kMaxLevel);
        L[i] = static_cast<std::int8_t>(l);
        key |= l << (3 * i);
    }
    return key;
}

// Where the two formats' searches differ.
struct SearchVariant {
    int scanSteps;          // trial scales (15 + 0.2 s) / max for s = -scanSteps..scanSteps
    bool refineOffGridOnly; // IQ3_XXS: the last pass re-rounds only quadruplets found off the
                            // grid (and, before any trial wins, treats all as on it); IQ3_S
                            // re-rounds all of them
};

constexpr SearchVariant kXxsVariant{15, true};
constexpr SearchVariant kSVariant{9, false};

// The scale search of one sub-block: xval holds the 32 magnitudes (IQ3_XXS's parity fix may have
// made one per 8 negative), max their maximum (> 0). Returns the scale and fills L with levels,
// 8 quadruplets that all lie on the grid.
float searchSubBlock(const SearchTables& t, const SearchVariant& variant, const float* xval,
                     const float* weight, const float* waux, float max, std::int8_t* L) {
    constexpr int kGroups = kGroupSize / 4;
    bool onGrid[kGroups];
    std::fill_n(onGrid, kGroups, variant.refineOffGridOnly);
    std::fill_n(L, kGroupSize, std::int8_t{0}); // the result when no trial scale wins

    // The trial scales are independent until the in-order "better than the best so far" test,
    // so they run kTrialLanes at a time, one per SIMD lane, each lane doing exactly the scalar
    // operations of its trial; the test then walks the lanes in trial order.
    using F = lanes::Vec<kTrialLanes>::F;
    using I = lanes::Vec<kTrialLanes>::I;
    const int trials = 2 * variant.scanSteps + 1;
    float best = 0;
    float scale = max / (2 * kMaxLevel + 1);
    for (int first = 0; first < trials; first += kTrialLanes) {
        const int active = std::min(kTrialLanes, trials - first);
        F id{};
        float thisScale[kTrialLanes];
        for (int lane = 0; lane < kTrialLanes; ++lane) {
            // Idle lanes repeat the last trial; their results are never read.
            const int step = -variant.scanSteps + std::min(first + lane, trials - 1);
            id[lane] = (2 * kMaxLevel + 1 + static_cast<float>(step) * 0.2f) / max;
            thisScale[lane] = 1 / id[lane];
        }
        I levels[kGroupSize];
        for (int i = 0; i < kGroupSize; ++i) {
            levels[i] = lanes::clampInt(lanes::nearestInt(0.5f * (id * xval[i] - 1)), 0, kMaxLevel);
        }
        bool onGridAux[kTrialLanes][kGroups];
        for (int lane = 0; lane < active; ++lane) {
            for (int k = 0; k < kGroups; ++k) {
                const I* lk = levels + 4 * k;
                const int key =
                    lk[0][lane] | lk[1][lane] << 3 | lk[2][lane] << 6 | lk[3][lane] << 9;
                onGridAux[lane][k] = t.gridIndex[static_cast<std::size_t>(key)] >= 0;
                if (!onGridAux[lane][k]) {
                    std::int8_t nearest[4];
                    bestNeighbour(t, key, xval + 4 * k, waux + 4 * k, thisScale[lane], nearest);
                    for (int i = 0; i < 4; ++i) {
                        levels[4 * k + i][lane] = nearest[i];
                    }
                }
            }
        }
        F sumqx{}, sumq2{};
        for (int i = 0; i < kGroupSize; ++i) {
            const float w = weight[i];
            const float wx = w * xval[i];
            const F q = lanes::toFloat<F>(2 * levels[i] + 1);
            sumqx += wx * q;
            sumq2 += w * q * q;
        }
        for (int lane = 0; lane < active; ++lane) {
            if (sumq2[lane] > 0 && sumqx[lane] * sumqx[lane] > best * sumq2[lane]) {
                scale = sumqx[lane] / sumq2[lane];
                best = scale * sumqx[lane];
                for (int i = 0; i < kGroupSize; ++i) {
                    L[i] = static_cast<std::int8_t>(levels[i][lane]);
                }
                std::copy_n(onGridAux[lane], kGroups, onGrid);
            }
        }
    }

    const bool anyOffGrid = std::find(onGrid, onGrid + kGroups, false) != onGrid + kGroups;
    if (anyOffGrid && scale > 0) {
        // Re-round at the winning scale itself, not the trial one that produced it.
        const float id = 1 / scale;
        for (int k = 0; k < kGroups; ++k) {
            if (variant.refineOffGridOnly && onGrid[k]) {
                continue;
            }
            std::int8_t rounded[4];
            const int key = roundedKey(xval + 4 * k, id, rounded);
            int index = t.gridIndex[static_cast<std::size_t>(key)];
            if (index < 0) {
                index = bestNeighbour(t, key, xval + 4 * k, waux + 4 * k, scale, L + 4 * k);
            }
            std::memcpy(L + 4 * k, t.levels[static_cast<std::size_t>(index)].data(), 4);
        }
        float sumqx, sumq2;
        oddLevelSums(kGroupSize, weight, xval, L, sumqx, sumq2);
        if (sumq2 > 0) {
            scale = sumqx / sumq2;
        }
    }
    return scale;
}

// The grid index of quadruplet k of L (on the grid by construction).
int gridIndexOf(const SearchTables& t, const std::int8_t* L) {
    const int key = L[0] | L[1] << 3 | L[2] << 6 | L[3] << 9;
    const int index = t.gridIndex[static_cast<std::size_t>(key)];
    assert(index >= 0);
    return index;
}

// Per-value weights of a sub-block: qw * sqrt(sigma2 + x^2), or x^2 without importance. waux
// (their square roots) weighs the neighbour search.
void subBlockWeights(const float* xb, const float* qw, float sigma2, float* weight, float* waux) {
    if (qw) {
        for (int i = 0; i < kGroupSize; ++i) {
            weight[i] = qw[i] * std::sqrt(sigma2 + xb[i] * xb[i]);
        }
    } else {
        for (int i = 0; i < kGroupSize; ++i) {
            weight[i] = xb[i] * xb[i];
        }
    }
    for (int i = 0; i < kGroupSize; ++i) {
        waux[i] = std::sqrt(weight[i]);
    }
}

// 2 <x^2> over the super-block: the weights' floor.
float superBlockSigma2(const float* x) {
    float sumx2 = 0;
    for (int i = 0; i < kQK; ++i) {
        sumx2 += x[i] * x[i];
    }
    return 2 * sumx2 / kQK;
}

// ggml's MAX(a, b): a > b ? a : b (std::max differs for NaN).
float maxOf(float a, float b) {
    return a > b ? a : b;
}

// The 4-bit sub-block scale code: scale ~ d * (2l + 1).
int scaleCode(float inverseD, float scale) {
    return std::clamp(nearestInt(0.5f * (inverseD * scale - 1)), 0, 15);
}

void iq3xxsBlock(const SearchTables& t, const float* x, const float* importance, BlockIQ3XXS* y) {
    constexpr int kSubBlocks = kQK / kGroupSize;
    std::uint8_t indices[kQK / 4] = {};
    std::uint32_t scalesAndSigns[kSubBlocks] = {};
    float scales[kSubBlocks];
    float weight[kGroupSize], waux[kGroupSize], xval[kGroupSize];
    std::int8_t L[kGroupSize];

    y->d = fp32ToFp16(0.f);
    float maxScale = 0;
    const float sigma2 = superBlockSigma2(x);
    for (int ib = 0; ib < kSubBlocks; ++ib) {
        const float* xb = x + kGroupSize * ib;
        subBlockWeights(xb, importance ? importance + kGroupSize * ib : nullptr, sigma2, weight,
                        waux);
        // Magnitudes and signs per 8 values. Only 7 sign bits are stored, so an odd count of
        // minus signs is made even by negating the value whose error costs least.
        std::uint8_t blockSigns[4];
        for (int k = 0; k < 4; ++k) {
            int flips = 0;
            unsigned signs = 0;
            for (int i = 0; i < 8; ++i) {
                const float v = xb[8 * k + i];
                if (v >= 0) {
                    xval[8 * k + i] = v;
                } else {
                    xval[8 * k + i] = -v;
                    ++flips;
                    signs |= 1u << i;
                }
            }
            if (flips % 2) {
                const float* wk = weight + 8 * k;
                const float* xk = xb + 8 * k;
                int cheapest = 0;
                float least = wk[0] * xk[0] * xk[0];
                for (int i = 1; i < 8; ++i) {
                    const float cost = wk[i] * xk[i] * xk[i];
                    if (cost < least) {
                        least = cost;
                        cheapest = i;
                    }
                }
                xval[8 * k + cheapest] = -xval[8 * k + cheapest];
                signs ^= 1u << cheapest;
            }
            blockSigns[k] = static_cast<std::uint8_t>(signs & 127);
        }
        float max = xval[0];
        for (int i = 1; i < kGroupSize; ++i) {
            max = maxOf(max, xval[i]);
        }
        if (max < kXxsGroupEps) {
            scales[ib] = 0;
            continue;
        }
        float scale = searchSubBlock(t, kXxsVariant, xval, weight, waux, max, L);
        if (scale < 0) {
            // Never seen in practice; ggml keeps scales non-negative by flipping the signs.
            scale = -scale;
            for (auto& s : blockSigns) {
                s = static_cast<std::uint8_t>(~s & 127);
            }
        }
        for (int k = 0; k < kGroupSize / 4; ++k) {
            indices[8 * ib + k] = static_cast<std::uint8_t>(gridIndexOf(t, L + 4 * k));
        }
        scalesAndSigns[ib] = blockSigns[0] | blockSigns[1] << 7 | blockSigns[2] << 14 |
                             static_cast<std::uint32_t>(blockSigns[3]) << 21;
        scales[ib] = scale;
        maxScale = maxOf(maxScale, scale);
    }

    if (maxScale == 0) {
        std::memset(y->qs, 0, sizeof(y->qs));
        return;
    }
    const float d = maxScale / 31;
    y->d = fp32ToFp16(d * 1.0125f); // ggml's fudge factor
    const float id = 1 / d;
    for (int ib = 0; ib < kSubBlocks; ++ib) {
        scalesAndSigns[ib] |= static_cast<std::uint32_t>(scaleCode(id, scales[ib])) << 28;
    }
    std::memcpy(y->qs, indices, sizeof(indices));
    std::memcpy(y->qs + sizeof(indices), scalesAndSigns, sizeof(scalesAndSigns));
}

void iq3sBlock(const SearchTables& t, const float* x, const float* importance, BlockIQ3S* y) {
    constexpr int kSubBlocks = kQK / kGroupSize;
    float scales[kSubBlocks];
    float weight[kGroupSize], waux[kGroupSize], xval[kGroupSize];
    std::int8_t L[kGroupSize];

    std::memset(y, 0, sizeof(*y));
    y->d = fp32ToFp16(0.f);
    // ggml advances its index and sign cursors only past sub-blocks it stores: after an all-zero
    // sub-block the later ones land one slot early (and the last slots stay zero), while qh and
    // the scales keep their places. Reproduced for identical bytes.
    std::uint8_t* qs = y->qs;
    std::uint8_t* signs = y->signs;
    float maxScale = 0;
    const float sigma2 = superBlockSigma2(x);
    for (int ib = 0; ib < kSubBlocks; ++ib) {
        const float* xb = x + kGroupSize * ib;
        subBlockWeights(xb, importance ? importance + kGroupSize * ib : nullptr, sigma2, weight,
                        waux);
        std::uint8_t blockSigns[4];
        for (int k = 0; k < 4; ++k) {
            unsigned s = 0;
            for (int i = 0; i < 8; ++i) {
                const float v = xb[8 * k + i];
                if (v >= 0) {
                    xval[8 * k + i] = v;
                } else {
                    xval[8 * k + i] = -v;
                    s |= 1u << i;
                }
            }
            blockSigns[k] = static_cast<std::uint8_t>(s);
        }
        float max = xval[0];
        for (int i = 1; i < kGroupSize; ++i) {
            max = maxOf(max, xval[i]);
        }
        if (max == 0) {
            scales[ib] = 0;
            continue;
        }
        float scale = searchSubBlock(t, kSVariant, xval, weight, waux, max, L);
        if (scale < 0) {
            scale = -scale;
            for (auto& s : blockSigns) {
                s = static_cast<std::uint8_t>(~s);
            }
        }
        for (int k = 0; k < kGroupSize / 4; ++k) {
            const int index = gridIndexOf(t, L + 4 * k);
            qs[k] = static_cast<std::uint8_t>(index & 255);
            y->qh[ib] = static_cast<std::uint8_t>(y->qh[ib] | (index >> 8) << k);
        }
        qs += kGroupSize / 4;
        std::memcpy(signs, blockSigns, sizeof(blockSigns));
        signs += sizeof(blockSigns);
        scales[ib] = scale;
        maxScale = maxOf(maxScale, scale);
    }

    if (maxScale == 0) {
        return;
    }
    const float d = maxScale / 31;
    y->d = fp32ToFp16(d * 1.033f); // ggml's fudge factor
    const float id = 1 / d;
    for (int ib = 0; ib < kSubBlocks; ib += 2) {
        y->scales[ib / 2] = static_cast<std::uint8_t>(scaleCode(id, scales[ib]) |
                                                      scaleCode(id, scales[ib + 1]) << 4);
    }
}

} // namespace

void quantizeIQ3XXS(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                    const float* importance) {
    const SearchTables& t = xxsTables();
    auto* y = static_cast<BlockIQ3XXS*>(dst);
    const std::int64_t nBlocks = nPerRow / kQK;
    for (std::int64_t row = 0; row < nRows; ++row, src += nPerRow) {
        for (std::int64_t ib = 0; ib < nBlocks; ++ib, ++y) {
            iq3xxsBlock(t, src + kQK * ib, importance ? importance + kQK * ib : nullptr, y);
        }
    }
}

void quantizeIQ3S(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                  const float* importance) {
    const SearchTables& t = sTables();
    auto* y = static_cast<BlockIQ3S*>(dst);
    const std::int64_t nBlocks = nPerRow / kQK;
    for (std::int64_t row = 0; row < nRows; ++row, src += nPerRow) {
        for (std::int64_t ib = 0; ib < nBlocks; ++ib, ++y) {
            iq3sBlock(t, src + kQK * ib, importance ? importance + kQK * ib : nullptr, y);
        }
    }
}

// Dequantizers: value = sub-block scale * grid magnitude * (+-1). Multiplying by -1 rather than
// negating keeps ggml's result for a NaN scale too (x86 passes the NaN through unchanged).
// (A table lookup, not a select: the compiler vectorizes it.)
namespace {
constexpr float kSignOf[2] = {1.f, -1.f};
float signFactor(unsigned signs, int bit) {
    return kSignOf[(signs >> bit) & 1];
}
} // namespace

void dequantizeIQ3XXS(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ3XXS*>(src);
    const auto& grid = iqgrid::iq3xxs();
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const float d = fp16ToFp32(x[i].d);
        const std::uint8_t* qs = x[i].qs;
        const std::uint8_t* scalesAndSigns = x[i].qs + kQK / 4;
        for (int ib = 0; ib < kQK / kGroupSize; ++ib, qs += 8) {
            std::uint32_t packed;
            std::memcpy(&packed, scalesAndSigns + 4 * ib, sizeof(packed));
            const float db = d * (0.5f + static_cast<float>(packed >> 28)) * 0.5f;
            for (int l = 0; l < 4; ++l, y += 8) {
                // 7 stored sign bits; the 8th makes the count of minus signs even (ksigns).
                const std::uint8_t signs = iqgrid::ksigns()[(packed >> (7 * l)) & 127];
                const std::uint32_t g1 = grid[qs[2 * l]];
                const std::uint32_t g2 = grid[qs[2 * l + 1]];
                for (int j = 0; j < 4; ++j) {
                    const float m1 = db * static_cast<float>((g1 >> (8 * j)) & 0xff);
                    const float m2 = db * static_cast<float>((g2 >> (8 * j)) & 0xff);
                    y[j] = m1 * signFactor(signs, j);
                    y[j + 4] = m2 * signFactor(signs, j + 4);
                }
            }
        }
    }
}

void dequantizeIQ3S(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ3S*>(src);
    const auto& grid = iqgrid::iq3s();
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const float d = fp16ToFp32(x[i].d);
        const std::uint8_t* qs = x[i].qs;
        const std::uint8_t* signs = x[i].signs;
        for (int ib = 0; ib < kQK / kGroupSize; ++ib, qs += 8, signs += 4) {
            const int code = (x[i].scales[ib / 2] >> (4 * (ib % 2))) & 0xf;
            const float db = d * static_cast<float>(1 + 2 * code);
            const unsigned high = x[i].qh[ib];
            for (int l = 0; l < 4; ++l, y += 8) {
                const std::uint32_t g1 = grid[qs[2 * l] | ((high >> (2 * l)) & 1) << 8];
                const std::uint32_t g2 = grid[qs[2 * l + 1] | ((high >> (2 * l + 1)) & 1) << 8];
                for (int j = 0; j < 4; ++j) {
                    const float m1 = db * static_cast<float>((g1 >> (8 * j)) & 0xff);
                    const float m2 = db * static_cast<float>((g2 >> (8 * j)) & 0xff);
                    y[j] = m1 * signFactor(signs[l], j);
                    y[j + 4] = m2 * signFactor(signs[l], j + 4);
                }
            }
        }
    }
}

} // namespace qs::core::quant
