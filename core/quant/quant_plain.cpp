#include "core/quant/half.h"
#include "core/quant/quant_kernels.h"

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

void dequantizeF16(const void* src, float* dst, std::int64_t n) {
    const auto* in = static_cast<const std::uint16_t*>(src);
    for (std::int64_t i = 0; i < n; ++i) {
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
