#include "core/quant/block_types.h"
#include "core/quant/quant_kernels.h"
#include "core/quant/quant_search.h"

#include <bit>
#include <cmath>

// MXFP4 (OCP microscaling): 32 E2M1 values sharing one E8M0 exponent. Values are stored
// doubled (kvalues_mxfp4) so that the shared scale is half the E8M0 power of two.
namespace qs::core::quant {
namespace {

constexpr std::int8_t kValues[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

// 2^(e-128), i.e. half of the E8M0 value 2^(e-127); e = 0 and 1 are subnormal floats.
float e8m0ToFp32Half(std::uint8_t e) {
    const std::uint32_t bits =
        e < 2 ? (0x00200000u << e) : (static_cast<std::uint32_t>(e - 1) << 23);
    return std::bit_cast<float>(bits);
}

// Linear search with strict '<': ties keep the lower index, as ggml's best_index_mxfp4.
std::uint8_t bestIndex(float x, float e) {
    int best = 0;
    float bestErr = std::fabs(static_cast<float>(kValues[0]) * e - x);
    for (int i = 1; i < 16; ++i) {
        const float err = std::fabs(static_cast<float>(kValues[i]) * e - x);
        if (err < bestErr) {
            best = i;
            bestErr = err;
        }
    }
    return static_cast<std::uint8_t>(best);
}

} // namespace

void quantizeMXFP4(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                   const float*) {
    auto* y = static_cast<BlockMXFP4*>(dst);
    const float* x = src;
    for (std::int64_t i = 0, nb = nRows * nPerRow / 32; i < nb; ++i, x += 32) {
        float amax = 0.0f;
        for (int j = 0; j < 32; ++j) {
            if (amax < std::fabs(x[j])) {
                amax = std::fabs(x[j]);
            }
        }
        const auto e =
            amax > 0.0f
                ? static_cast<std::uint8_t>(truncToInt32(std::floor(std::log2(amax)) - 2 + 127))
                : std::uint8_t{0};
        const float d = e8m0ToFp32Half(e);
        y[i].e = e;
        for (int j = 0; j < 16; ++j) {
            const std::uint8_t x0 = bestIndex(x[j], d);
            const std::uint8_t x1 = bestIndex(x[j + 16], d);
            y[i].qs[j] = static_cast<std::uint8_t>(x0 | (x1 << 4));
        }
    }
}

void dequantizeMXFP4(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockMXFP4*>(src);
    for (std::int64_t i = 0; i < n / 32; ++i, y += 32) {
        const float d = e8m0ToFp32Half(x[i].e);
        for (int j = 0; j < 16; ++j) {
            y[j] = static_cast<float>(kValues[x[i].qs[j] & 0x0F]) * d;
            y[j + 16] = static_cast<float>(kValues[x[i].qs[j] >> 4]) * d;
        }
    }
}

} // namespace qs::core::quant
