#pragma once

#include "core/error.h"
#include "core/quant/ggml_type.h"

#include <cstddef>
#include <cstdint>
#include <vector>

// Calibrated rounding into ggml's own block formats (issue 20): the bytes have the layout
// llama-quantize writes for the type (llama.cpp loads them unchanged), but the levels are
// chosen GPTQ-style to lower the layer's output error on calibration inputs instead of each
// weight's own error.
namespace qs::core {

struct GgmlRoundingOptions {
    // Of the mean Hessian diagonal. 10x GPTQ's usual 1%: on shakespeare-3M (64 x 256 tokens)
    // 0.1 gave the lowest KLD on held-out text for Q2_K_S (0.062 against 0.070 at 0.01 and
    // 0.064 at 0.3) and Q3_K_M, and the same for Q4_K_M: less fitting to the calibration.
    double dampPercent = 0.1;
    unsigned threads = 0; // rows in parallel; 0 = all hardware threads
};

// Whether ggmlCalibratedQuantize handles `type` (the types with a BlockGrid).
bool ggmlCalibratedRoundingSupports(GgmlType type);

// Quantizes `w` (rows x cols, row-major: a ggml row is one output feature) to `type` against
// the Hessian `h` (cols x cols, 2/N sum x x^T of the layer's inputs). Each row walks its
// columns in order; at each block's first column the block's scales and mins come from the
// format's own quantizer (quantizeRows, with `importance` as llama-quantize passes it) run on
// the error-updated weights; every column then takes the nearest level of that fixed grid and
// its error is pushed onto the later columns through the Cholesky factor of H^-1 (GPTQ).
// Returns rows * ggmlRowBytes(type, cols) bytes.
Result<std::vector<std::byte>> ggmlCalibratedQuantize(GgmlType type, const std::vector<float>& w,
                                                      int rows, int cols,
                                                      const std::vector<double>& h,
                                                      const float* importance,
                                                      const GgmlRoundingOptions& options);

} // namespace qs::core
