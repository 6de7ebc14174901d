#pragma once

#include "core/quant/block_types.h"
#include "core/quant/ggml_type.h"

#include <cstdint>

namespace qs::core {

// ggml's CPU matrix product does not multiply weights by f32 activations: it first converts the
// activations to the weight type's "vec_dot_type" (F16 for F16, BF16 for BF16, Q8_0/Q8_1 for
// the 32-blocks, Q8_K for k-quants and most IQ types) and takes integer or half dot products.
// That rounding is part of what llama-perplexity measures (for Q8_0 it is half of the KLD), so
// to reproduce its figures the activations are rounded the same way here, in place. Both
// answers come from the type's row in cpu_type_traits.h.
GgmlType activationTypeFor(GgmlType weightType);

// Replaces x[0..n) by the values it takes after conversion to `type` and back (F32: nothing).
// n must be a multiple of the type's block size (the weight rows guarantee it).
void roundActivations(GgmlType type, float* x, std::int64_t n);

// The blocks behind roundActivations for the integer vec_dot_types: roundActivations(Q8_K, x)
// leaves exactly d * qs of these blocks in x (likewise Q8_0/Q8_1 with d as half), so the fused
// dot products (vec_dot.h) see the same activations as the dequantize-then-dot path.
// n must be a multiple of 256 (Q8_K) or 32 (Q8_0).
void quantizeActivationsQ8K(const float* x, quant::BlockQ8K* out, std::int64_t n);
void quantizeActivationsQ8_0(const float* x, quant::BlockQ8_0* out, std::int64_t n);

} // namespace qs::core
