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
// has it (and quant::allowAvx2Kernels did not turn it off), else scalar.
enum class VecDotIsa { Best, Scalar };

// nullptr when `weightType` has no fused kernel (the caller dequantizes rows instead).
VecDotFn vecDotFor(GgmlType weightType, VecDotIsa isa = VecDotIsa::Best);

// Bytes of activations one row of n values needs in the vec_dot_type of `weightType`.
std::size_t vecDotActivationBytes(GgmlType weightType, std::int64_t n);

// Converts n floats to what vecDotFor(weightType) reads (see activationTypeFor); the values
// are those roundActivations would leave. Only for types with a fused kernel.
void quantizeVecDotActivations(GgmlType weightType, const float* x, void* out, std::int64_t n);

} // namespace qs::core
