#pragma once

#include "core/quant/ggml_type.h"

#include <cstddef>
#include <cstdint>

namespace qs::core {

// Fused dot products of one weight row with activations already converted to the weight type's
// vec_dot_type (activation_rounding.h), as ggml's vec_dot_<type>_<vec_dot_type>: integer
// products per block, scaled once per block, no dequantized row. The result equals
// dot(dequantized row, rounded activations) up to float summation order.
//
// `activations` holds n values as quant::BlockQ8K (k-quants), quant::BlockQ8_0 (Q8_0, Q4_0) or,
// for F16 weights, floats already rounded to half. n is a multiple of the weight block size.
using VecDotFn = float (*)(const void* weightRow, const void* activations, std::int64_t n);

// Scalar: the portable kernels, which any CPU runs (tests force them). Best: AVX2 where the CPU
// has it (and quant::allowAvx2Kernels did not turn it off), else scalar. Avx2, Avx512: only
// that build (tests of one build), nullptr where there is none or this CPU does not run it.
// Avx512 means AVX-512 F/BW/VL/DQ and VNNI (only tiles have such a build); the switch that
// turns the AVX2 kernels off turns it off too.
enum class VecDotIsa { Best, Scalar, Avx2, Avx512 };

// Whether the AVX2 builds run (the CPU has AVX2, FMA and F16C, and quant::allowAvx2Kernels
// did not turn them off).
bool avx2KernelsRun();

// nullptr when `weightType` has no fused kernel (the caller dequantizes rows instead).
VecDotFn vecDotFor(GgmlType weightType, VecDotIsa isa = VecDotIsa::Best);

// Bytes of activations one row of n values needs in the vec_dot_type of `weightType`.
std::size_t vecDotActivationBytes(GgmlType weightType, std::int64_t n);

// Multi-row kernels over row groups: 8 consecutive rows interleaved once (repackRows8), after
// which one call computes all 8 dot products in a single pass over the activations, the way
// llama.cpp's CPU repack buffers do. out[r] = dot(row r, activations), equal to vecDotFor's
// result for the row up to float summation order (exactly equal for the scalar builds).
using VecDot8Fn = void (*)(const void* group, const void* activations, std::int64_t n, float* out);

// nullptr when `weightType` has no 8-row kernel. Best: only where a vector build exists (on
// other CPUs the plain row kernels are as fast, so repacking would only cost memory); Scalar:
// the portable build (tests).
VecDot8Fn vecDot8For(GgmlType weightType, VecDotIsa isa = VecDotIsa::Best);

// Tiles: one group of 8 repacked rows against `inputs` activation rows (activationStride
// bytes apart): out[t * outStride + r] = dot(row r, input t). Each weight block is decoded once
// for several inputs, so a prompt batch costs little more than its integer products; every
// result equals what vecDot8For(weightType, Best) gives for that input, bit for bit.
using VecDot8TileFn = void (*)(const void* group, const void* activations,
                               std::size_t activationStride, std::int64_t inputs, std::int64_t n,
                               float* out, std::int64_t outStride);

// nullptr when there is no tile for `weightType` on this CPU (the caller calls the 8-row kernel
// per input). Best: AVX-512 where the CPU has it, else AVX2 (see VecDotIsa); only the builds
// whose equality with the 8-row kernel tst_vec_dot checks.
VecDot8TileFn vecDot8TileFor(GgmlType weightType, VecDotIsa isa = VecDotIsa::Best);

// Row tiles: one weight row (as vecDotFor reads it) against `inputs` activation rows
// (activationStride bytes apart): out[t * outStride] = dot(row, input t). For the formats
// without 8-row groups; each weight block is decoded once for several inputs, and every result
// equals what vecDotFor(weightType, Best) gives for that input, bit for bit.
using VecDotTileFn = void (*)(const void* weightRow, const void* activations,
                              std::size_t activationStride, std::int64_t inputs, std::int64_t n,
                              float* out, std::int64_t outStride);

// nullptr when there is no row tile for `weightType` on this CPU (the caller calls the row
// kernel per input). Best: AVX-512 where the CPU has it, else AVX2 (see VecDotIsa); either
// gives the AVX2 row kernel's bits, which is Best's row kernel wherever they run. Scalar:
// none. Only the builds whose equality with the row kernel tst_vec_dot checks.
VecDotTileFn vecDotTileFor(GgmlType weightType, VecDotIsa isa = VecDotIsa::Best);

// Bytes of one group of 8 interleaved rows of n values (n a multiple of the block size); 0 when
// `weightType` has no 8-row kernel or none for rows of n values (F16: n not a multiple of 8).
std::size_t vecDot8GroupBytes(GgmlType weightType, std::int64_t n);

// Interleaves 8 rows of n values (the first at `rows`, each rowBytes after the previous) into
// vecDot8GroupBytes(weightType, n) bytes at `group`. Only for types with an 8-row kernel.
void repackRows8(GgmlType weightType, const void* rows, std::size_t rowBytes, std::int64_t n,
                 void* group);

// Converts n floats to what vecDotFor(weightType) reads (see activationTypeFor); the values
// are those roundActivations would leave. Only for types with a fused kernel.
void quantizeVecDotActivations(GgmlType weightType, const float* x, void* out, std::int64_t n);

// roundActivations(GgmlType::F16, x, n), with F16C where the AVX2 kernels run: the same values.
void roundToHalf(float* x, std::int64_t n);

} // namespace qs::core
