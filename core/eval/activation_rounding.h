#pragma once

#include "core/quant/ggml_type.h"

#include <cstdint>

namespace qs::core {

// ggml's CPU matrix product does not multiply weights by f32 activations: it first converts the
// activations to the weight type's "vec_dot_type" (F16 for F16, BF16 for BF16, Q8_0/Q8_1 for
// the 32-blocks, Q8_K for k-quants and most IQ types) and takes integer or half dot products.
// That rounding is part of what llama-perplexity measures (for Q8_0 it is half of the KLD), so
// to reproduce its figures the activations are rounded the same way here, in place.
GgmlType activationTypeFor(GgmlType weightType);

// Replaces x[0..n) by the values it takes after conversion to `type` and back (F32: nothing).
// n must be a multiple of the type's block size (the weight rows guarantee it).
void roundActivations(GgmlType type, float* x, std::int64_t n);

} // namespace qs::core
