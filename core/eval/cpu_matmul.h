#pragma once

#include "core/eval/llama_weights.h"

#include <cstdint>

namespace qs::core {

class ParallelPool;

// y[t * w.nRows + r] = dot(row r of w, x + t * w.nCols) for t < n, on the CPU. Each row is
// dequantized once per call (into a per-thread buffer) and used for all n inputs, so a prompt
// batch streams the weights once; F32 rows are read in place. Rows are split over the pool.
// Until core/compute's ComputeBackend lands this is the forward pass's only matrix kernel.
void cpuMatmul(ParallelPool& pool, const WeightMatrix& w, const float* x, std::int64_t n, float* y);

// As llama.cpp's CPU matrix product: each of the n inputs is converted once to the weight type's
// vec_dot_type (activation_rounding.h), then every row takes fused quantized dot products with
// all n inputs (vec_dot.h), so a batch reads each weight row once. Returns false, computing
// nothing, when the type has no fused kernel; the caller then rounds x and calls cpuMatmul.
bool cpuMatmulQuantized(ParallelPool& pool, const WeightMatrix& w, const float* x, std::int64_t n,
                        float* y);

// Row `r` of w as floats (an embedding lookup).
void cpuDequantizeRow(const WeightMatrix& w, std::int64_t r, float* out);

// Dot product with several independent partial sums, which lets the compiler vectorize it.
float dotProduct(const float* a, const float* b, std::int64_t n);

} // namespace qs::core
