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

// Row `r` of w as floats (an embedding lookup).
void cpuDequantizeRow(const WeightMatrix& w, std::int64_t r, float* out);

// Dot product with several independent partial sums, which lets the compiler vectorize it.
float dotProduct(const float* a, const float* b, std::int64_t n);

} // namespace qs::core
