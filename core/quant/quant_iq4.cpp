#include "core/quant/block_types.h"
#include "core/quant/half.h"
#include "core/quant/quant_kernels.h"
#include "core/quant/quant_search.h"

#include <cmath>
#include <cstring>

// IQ4_NL and IQ4_XS: 4-bit indices into a fixed non-linear table. ggml runs the same weighted
// search (quantize_row_iq4_nl_impl, ntry = 7) with or without importance weights; without them
// the weights are x^2.
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

// One super-block of `superBlockSize` values in 32-value blocks. For IQ4_NL (one block) the
// block scale goes straight to d; for IQ4_XS the block scales become 6-bit multiples of d.
// Returns nothing; writes d, the levels L and (IQ4_XS) the packed sub-block scales.
void iq4SuperBlock(int superBlockSize, const float* x, std::uint16_t* dh, std::uint8_t* q4,
                   std::uint16_t* scalesHigh, std::uint8_t* scalesLow, float* scales, float* weight,
                   std::uint8_t* L, const float* quantWeights) {
    const int blockSize = 32;
    float sigma2 = 0;
    for (int j = 0; j < superBlockSize; ++j) {
        sigma2 += x[j] * x[j];
    }
    sigma2 *= 2.f / static_cast<float>(superBlockSize);

    std::memset(q4, 0, static_cast<std::size_t>(superBlockSize / 2));
    dh[0] = fp32ToFp16(0.f);

    float maxScale = 0, amaxScale = 0;
    for (int ib = 0; ib < superBlockSize / blockSize; ++ib) {
        const float* xb = x + ib * blockSize;
        std::uint8_t* Lb = L + ib * blockSize;
        if (quantWeights) {
            const float* qw = quantWeights + ib * blockSize;
            for (int j = 0; j < blockSize; ++j) {
                weight[j] = qw[j] * std::sqrt(sigma2 + xb[j] * xb[j]);
            }
        } else {
            for (int j = 0; j < blockSize; ++j) {
                weight[j] = xb[j] * xb[j];
            }
        }
        float amax = 0, max = 0;
        for (int j = 0; j < blockSize; ++j) {
            const float ax = std::fabs(xb[j]);
            if (ax > amax) {
                amax = ax;
                max = xb[j];
            }
        }
        if (amax < kGroupMaxEps) {
            scales[ib] = 0;
            std::memset(Lb, 0, blockSize);
            continue;
        }
        float d = -max / static_cast<float>(kValues[0]);
        float id = 1 / d;
        float sumqx = 0, sumq2 = 0;
        for (int j = 0; j < blockSize; ++j) {
            const float al = id * xb[j];
            const int l = bestIndex(al);
            Lb[j] = static_cast<std::uint8_t>(l);
            const float q = kValues[l];
            const float w = weight[j];
            sumqx += w * q * xb[j];
            sumq2 += w * q * q;
        }
        d = sumq2 > 0 ? sumqx / sumq2 : 0.f;
        float best = d * sumqx;
        for (int itry = -kTry; itry <= kTry; ++itry) {
            id = static_cast<float>(itry + kValues[0]) / max;
            sumqx = 0;
            sumq2 = 0;
            for (int j = 0; j < blockSize; ++j) {
                const float al = id * xb[j];
                const int l = bestIndex(al);
                const float q = kValues[l];
                const float w = weight[j];
                sumqx += w * q * xb[j];
                sumq2 += w * q * q;
            }
            if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                d = sumqx / sumq2;
                best = d * sumqx;
            }
        }
        scales[ib] = d;
        const float absD = std::fabs(d);
        if (absD > amaxScale) {
            amaxScale = absD;
            maxScale = d;
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

} // namespace

void quantizeIQ4NL(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                   const float* importance) {
    auto* y = static_cast<BlockIQ4NL*>(dst);
    std::uint8_t L[32];
    float weight[32];
    float scale;
    std::uint16_t unusedHigh;
    const std::int64_t nBlocks = nPerRow / 32;
    for (std::int64_t row = 0; row < nRows; ++row, src += nPerRow) {
        for (std::int64_t ib = 0; ib < nBlocks; ++ib, ++y) {
            const float* qw = importance ? importance + 32 * ib : nullptr;
            iq4SuperBlock(32, src + 32 * ib, &y->d, y->qs, &unusedHigh, nullptr, &scale, weight, L,
                          qw);
        }
    }
}

void quantizeIQ4XS(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                   const float* importance) {
    auto* y = static_cast<BlockIQ4XS*>(dst);
    std::uint8_t L[kQK];
    float weight[32];
    float scales[kQK / 32];
    const std::int64_t nBlocks = nPerRow / kQK;
    for (std::int64_t row = 0; row < nRows; ++row, src += nPerRow) {
        for (std::int64_t ib = 0; ib < nBlocks; ++ib, ++y) {
            const float* qw = importance ? importance + kQK * ib : nullptr;
            iq4SuperBlock(kQK, src + kQK * ib, &y->d, y->qs, &y->scalesHigh, y->scalesLow, scales,
                          weight, L, qw);
        }
    }
}

void dequantizeIQ4NL(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ4NL*>(src);
    for (std::int64_t i = 0; i < n / 32; ++i, y += 32) {
        const float d = fp16ToFp32(x[i].d);
        for (int j = 0; j < 16; ++j) {
            y[j] = d * static_cast<float>(kValues[x[i].qs[j] & 0xf]);
            y[j + 16] = d * static_cast<float>(kValues[x[i].qs[j] >> 4]);
        }
    }
}

void dequantizeIQ4XS(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ4XS*>(src);
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const std::uint8_t* qs = x[i].qs;
        const float d = fp16ToFp32(x[i].d);
        for (int ib = 0; ib < kQK / 32; ++ib, y += 32, qs += 16) {
            const int ls = ((x[i].scalesLow[ib / 2] >> 4 * (ib % 2)) & 0xf) |
                           (((x[i].scalesHigh >> 2 * ib) & 3) << 4);
            const float dl = d * static_cast<float>(ls - 32);
            for (int j = 0; j < 16; ++j) {
                y[j] = dl * static_cast<float>(kValues[qs[j] & 0xf]);
                y[j + 16] = dl * static_cast<float>(kValues[qs[j] >> 4]);
            }
        }
    }
}

} // namespace qs::core::quant
