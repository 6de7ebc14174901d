#pragma once

#include <cstdint>

// How far a backend's matvec y = W x may be from the exact product, row by row. One
// definition serves the kernels' tests and `quantscope-cli bench vulkan`, so a figure the
// benchmark prints and a test's verdict come from the same rule.
namespace qs::core {

struct MatvecRowError {
    double worst = 0.0;    // max over rows of |y[r] - sum_c W[r][c] x[c]| / sum_c |W[r][c] x[c]|
    std::int64_t row = -1; // the row where it is largest
};

// Against a double-precision product of the f32 weights (rows x cols, row-major) with x.
MatvecRowError measureMatvecRowError(const float* weights, std::int64_t rows, std::int64_t cols,
                                     const float* x, const float* y);

// The largest worst-row error a correct packed GPTQ/AWQ matvec shows: f32 sums of 32-value
// blocks added one after another and a reduction of at most 64 partial sums stay within
// (cols / 32 + 32 + 64) roundings of the sum of |terms|. One group's scale off by 1/16 in a
// row exceeds it many times (tst_packed_kernels shows it).
double packedMatvecRowBudget(std::int64_t cols);

} // namespace qs::core
