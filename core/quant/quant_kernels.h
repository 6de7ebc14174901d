#pragma once

#include <cstdint>

// Internal: the CPU kernels behind format_registry.h, one pair per type. Callers have already
// checked that nPerRow (and n) are multiples of the block size.
namespace qs::core::quant {

using QuantizeRowsFn = void (*)(const float* src, void* dst, std::int64_t nRows,
                                std::int64_t nPerRow, const float* importance);
using DequantizeFn = void (*)(const void* src, float* dst, std::int64_t n);

// True when the AVX2 builds of the lane kernels (quant_lanes.h) run: the CPU has AVX2 and no
// test turned them off. Both builds give the same bytes; tst_quant_golden checks both.
bool useAvx2Kernels();
// Test hook: false forces the baseline x86-64 builds.
void allowAvx2Kernels(bool allowed);

// quant_plain.cpp
void quantizeF32(const float*, void*, std::int64_t, std::int64_t, const float*);
void quantizeF16(const float*, void*, std::int64_t, std::int64_t, const float*);
void quantizeBF16(const float*, void*, std::int64_t, std::int64_t, const float*);
void dequantizeF32(const void*, float*, std::int64_t);
void dequantizeF16(const void*, float*, std::int64_t);
void dequantizeBF16(const void*, float*, std::int64_t);

// quant_legacy.cpp
void quantizeQ4_0(const float*, void*, std::int64_t, std::int64_t, const float*);
void quantizeQ4_1(const float*, void*, std::int64_t, std::int64_t, const float*);
void quantizeQ5_0(const float*, void*, std::int64_t, std::int64_t, const float*);
void quantizeQ5_1(const float*, void*, std::int64_t, std::int64_t, const float*);
void quantizeQ8_0(const float*, void*, std::int64_t, std::int64_t, const float*);
void dequantizeQ4_0(const void*, float*, std::int64_t);
void dequantizeQ4_1(const void*, float*, std::int64_t);
void dequantizeQ5_0(const void*, float*, std::int64_t);
void dequantizeQ5_1(const void*, float*, std::int64_t);
void dequantizeQ8_0(const void*, float*, std::int64_t);
void dequantizeQ8_1(const void*, float*, std::int64_t);

// quant_kquants.cpp
void quantizeQ2K(const float*, void*, std::int64_t, std::int64_t, const float*);
void quantizeQ3K(const float*, void*, std::int64_t, std::int64_t, const float*);
void quantizeQ4K(const float*, void*, std::int64_t, std::int64_t, const float*);
void quantizeQ5K(const float*, void*, std::int64_t, std::int64_t, const float*);
void quantizeQ6K(const float*, void*, std::int64_t, std::int64_t, const float*);
void dequantizeQ2K(const void*, float*, std::int64_t);
void dequantizeQ3K(const void*, float*, std::int64_t);
void dequantizeQ4K(const void*, float*, std::int64_t);
void dequantizeQ5K(const void*, float*, std::int64_t);
void dequantizeQ6K(const void*, float*, std::int64_t);
void dequantizeQ8K(const void*, float*, std::int64_t);

// quant_iq4.cpp
void quantizeIQ4NL(const float*, void*, std::int64_t, std::int64_t, const float*);
void quantizeIQ4XS(const float*, void*, std::int64_t, std::int64_t, const float*);
void dequantizeIQ4NL(const void*, float*, std::int64_t);
void dequantizeIQ4XS(const void*, float*, std::int64_t);

// quant_iq3.cpp
void quantizeIQ3XXS(const float*, void*, std::int64_t, std::int64_t, const float*);
void quantizeIQ3S(const float*, void*, std::int64_t, std::int64_t, const float*);
void dequantizeIQ3XXS(const void*, float*, std::int64_t);
void dequantizeIQ3S(const void*, float*, std::int64_t);
// quant_iq2.cpp
void quantizeIQ2XXS(const float*, void*, std::int64_t, std::int64_t, const float*);
void quantizeIQ2XS(const float*, void*, std::int64_t, std::int64_t, const float*);
void quantizeIQ2S(const float*, void*, std::int64_t, std::int64_t, const float*);
void dequantizeIQ2XXS(const void*, float*, std::int64_t);
void dequantizeIQ2XS(const void*, float*, std::int64_t);
void dequantizeIQ2S(const void*, float*, std::int64_t);

// quant_iq1.cpp
void quantizeIQ1S(const float*, void*, std::int64_t, std::int64_t, const float*);
void quantizeIQ1M(const float*, void*, std::int64_t, std::int64_t, const float*);
void dequantizeIQ1S(const void*, float*, std::int64_t);
void dequantizeIQ1M(const void*, float*, std::int64_t);

// quant_ternary.cpp
void quantizeTQ1_0(const float*, void*, std::int64_t, std::int64_t, const float*);
void quantizeTQ2_0(const float*, void*, std::int64_t, std::int64_t, const float*);
void dequantizeTQ1_0(const void*, float*, std::int64_t);
void dequantizeTQ2_0(const void*, float*, std::int64_t);

// quant_mxfp4.cpp
void quantizeMXFP4(const float*, void*, std::int64_t, std::int64_t, const float*);
void dequantizeMXFP4(const void*, float*, std::int64_t);

} // namespace qs::core::quant
