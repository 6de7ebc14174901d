#include "core/quant/block_types.h"
#include "core/quant/half.h"
#include "core/quant/quant_kernels.h"

#include <algorithm>
#include <cmath>

// TQ1_0 and TQ2_0: ternary {-1, 0, +1} * d with d = max |x| per 256 values. Weights are
// ignored. TQ1_0 packs 5 trits per byte as a fixed-point fraction (q * 256 / 243, rounded up)
// so that a multiply by 3 shifts the next trit into the top bits when decoding.
namespace qs::core::quant {
namespace {

float blockAbsMax(const float* x) {
    float amax = 0.0f;
    for (int j = 0; j < kQK; ++j) {
        amax = std::max(amax, std::fabs(x[j]));
    }
    return amax;
}

// -1, 0, 1 -> 0, 1, 2; lround as ggml calls it (inf/NaN give the same bytes as the reference).
int trit(float v) {
    return static_cast<int>(std::lround(v)) + 1;
}

std::uint8_t packFraction(std::uint8_t q) {
    return static_cast<std::uint8_t>((static_cast<std::uint16_t>(q) * 256 + (243 - 1)) / 243);
}

} // namespace

void quantizeTQ1_0(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                   const float*) {
    auto* y = static_cast<BlockTQ1_0*>(dst);
    const float* x = src;
    constexpr std::size_t kQs = sizeof(BlockTQ1_0::qs);
    constexpr std::size_t kQh = sizeof(BlockTQ1_0::qh);
    for (std::int64_t i = 0, nb = nRows * nPerRow / kQK; i < nb; ++i) {
        const float d = blockAbsMax(x);
        const float id = d != 0 ? 1.0f / d : 0.0f;
        y[i].d = fp32ToFp16(d);
        // 5 trits per byte: first 32 bytes at a stride of 32 values, then 16 at a stride of 16.
        for (std::size_t j = 0; j < kQs - kQs % 32; j += 32) {
            for (std::size_t m = 0; m < 32; ++m) {
                std::uint8_t q = 0;
                for (std::size_t n = 0; n < 5; ++n) {
                    q = static_cast<std::uint8_t>(q * 3 + trit(x[m + n * 32] * id));
                }
                y[i].qs[j + m] = packFraction(q);
            }
            x += 5 * 32;
        }
        for (std::size_t j = kQs - kQs % 32; j < kQs; j += 16) {
            for (std::size_t m = 0; m < 16; ++m) {
                std::uint8_t q = 0;
                for (std::size_t n = 0; n < 5; ++n) {
                    q = static_cast<std::uint8_t>(q * 3 + trit(x[m + n * 16] * id));
                }
                y[i].qs[j + m] = packFraction(q);
            }
            x += 5 * 16;
        }
        // 4 trits per byte, shifted up one trit so decoding works like the 5-trit bytes.
        for (std::size_t j = 0; j < kQh; ++j) {
            std::uint8_t q = 0;
            for (std::size_t m = 0; m < 4; ++m) {
                q = static_cast<std::uint8_t>(q * 3 + trit(x[j + m * kQh] * id));
            }
            q = static_cast<std::uint8_t>(q * 3);
            y[i].qh[j] = packFraction(q);
        }
        x += 4 * kQh;
    }
}

void quantizeTQ2_0(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                   const float*) {
    auto* y = static_cast<BlockTQ2_0*>(dst);
    const float* x = src;
    for (std::int64_t i = 0, nb = nRows * nPerRow / kQK; i < nb; ++i) {
        const float d = blockAbsMax(x);
        const float id = d != 0 ? 1.0f / d : 0.0f;
        y[i].d = fp32ToFp16(d);
        for (std::size_t j = 0; j < sizeof(BlockTQ2_0::qs); j += 32) {
            for (std::size_t m = 0; m < 32; ++m) {
                std::uint8_t q = 0;
                for (std::size_t n = 0; n < 4; ++n) {
                    q = static_cast<std::uint8_t>(q + ((trit(x[m + n * 32] * id) & 3) << (2 * n)));
                }
                y[i].qs[j + m] = q;
            }
            x += 4 * 32;
        }
    }
}

void dequantizeTQ1_0(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockTQ1_0*>(src);
    constexpr std::uint8_t kPow3[6] = {1, 3, 9, 27, 81, 243};
    constexpr std::size_t kQs = sizeof(BlockTQ1_0::qs);
    // Multiplying by 3^n (mod 256) brings trit n to the top; * 3 >> 8 reads it.
    auto decode = [](std::uint8_t byte, std::uint8_t pow3) {
        const auto q = static_cast<std::uint8_t>(byte * pow3);
        return static_cast<int>((static_cast<std::uint16_t>(q) * 3) >> 8) - 1;
    };
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const float d = fp16ToFp32(x[i].d);
        for (std::size_t j = 0; j < kQs - kQs % 32; j += 32) {
            for (std::size_t p = 0; p < 5; ++p) {
                for (std::size_t m = 0; m < 32; ++m) {
                    *y++ = static_cast<float>(decode(x[i].qs[j + m], kPow3[p])) * d;
                }
            }
        }
        for (std::size_t j = kQs - kQs % 32; j < kQs; j += 16) {
            for (std::size_t p = 0; p < 5; ++p) {
                for (std::size_t m = 0; m < 16; ++m) {
                    *y++ = static_cast<float>(decode(x[i].qs[j + m], kPow3[p])) * d;
                }
            }
        }
        for (std::size_t p = 0; p < 4; ++p) {
            for (std::size_t j = 0; j < sizeof(BlockTQ1_0::qh); ++j) {
                *y++ = static_cast<float>(decode(x[i].qh[j], kPow3[p])) * d;
            }
        }
    }
}

void dequantizeTQ2_0(const void* src, float* y, std::int64_t n) {
    const auto* x = static_cast<const BlockTQ2_0*>(src);
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const float d = fp16ToFp32(x[i].d);
        for (std::size_t j = 0; j < sizeof(BlockTQ2_0::qs); j += 32) {
            for (int l = 0; l < 4; ++l) {
                for (std::size_t m = 0; m < 32; ++m) {
                    const int q = (x[i].qs[j + m] >> (l * 2)) & 3;
                    *y++ = static_cast<float>(q - 1) * d;
                }
            }
        }
    }
}

} // namespace qs::core::quant
