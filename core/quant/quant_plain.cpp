#include "core/quant/half.h"
#include "core/quant/quant_kernels.h"
#include "core/quant/quant_lanes.h"

#include <bit>
#include <cstring>

// F32/F16/BF16 are conversions, not quantizers: importance weights never matter.
namespace qs::core::quant {

void quantizeF32(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                 const float*) {
    std::memcpy(dst, src, static_cast<std::size_t>(nRows * nPerRow) * sizeof(float));
}

void quantizeF16(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                 const float*) {
    auto* out = static_cast<std::uint16_t*>(dst);
    for (std::int64_t i = 0, n = nRows * nPerRow; i < n; ++i) {
        out[i] = fp32ToFp16(src[i]);
    }
}

void quantizeBF16(const float* src, void* dst, std::int64_t nRows, std::int64_t nPerRow,
                  const float*) {
    auto* out = static_cast<std::uint16_t*>(dst);
    for (std::int64_t i = 0, n = nRows * nPerRow; i < n; ++i) {
        out[i] = fp32ToBf16(src[i]);
    }
}

void dequantizeF32(const void* src, float* dst, std::int64_t n) {
    std::memcpy(dst, src, static_cast<std::size_t>(n) * sizeof(float));
}

// fp16ToFp32 four at a time in SSE2 vectors (the compiler leaves the scalar loop scalar); the
// same integer steps and the same exact subnormal product, so the same bits.
void dequantizeF16(const void* src, float* dst, std::int64_t n) {
    using U4 = lanes::Vec<4>::I;
    using F4 = lanes::Vec<4>::F;
    const auto* in = static_cast<const std::uint16_t*>(src);
    std::int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        std::uint16_t h[4];
        std::memcpy(h, in + i, sizeof(h));
        const U4 bits = {h[0], h[1], h[2], h[3]};
        const U4 sign = (bits & 0x8000) << 16;
        const U4 magnitude = bits & 0x7fff;
        const U4 rebias = magnitude >= 0x7c00 ? U4{} + (224 << 23) : U4{} + (112 << 23);
        const F4 normal = std::bit_cast<F4>((magnitude << 13) + rebias);
        const F4 subnormal = __builtin_convertvector(magnitude, F4) * 0x1p-24f;
        const F4 value = magnitude < 0x400 ? subnormal : normal;
        const F4 out = std::bit_cast<F4>(std::bit_cast<U4>(value) | sign);
        std::memcpy(dst + i, &out, sizeof(out));
    }
    for (; i < n; ++i) {
        dst[i] = fp16ToFp32(in[i]);
    }
}

void dequantizeBF16(const void* src, float* dst, std::int64_t n) {
    const auto* in = static_cast<const std::uint16_t*>(src);
    for (std::int64_t i = 0; i < n; ++i) {
        dst[i] = bf16ToFp32(in[i]);
    }
}

} // namespace qs::core::quant
