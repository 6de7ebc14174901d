#pragma once

#include "core/error.h"
#include "core/quant/quantized_linear.h"

#include <cstdint>
#include <vector>

namespace qs::core {

// Settings of GPTQ (and of round-to-nearest in the same layout). Facts: formats.md section 5.
struct GptqOptions {
    int bits = 4;         // 2, 3, 4 or 8
    int groupSize = 128;  // 32, 64, 128, ... or -1 for one group per row
    bool descAct = false; // act-order: columns by descending Hessian diagonal, g_idx non-monotonic
    bool sym = true;      // zero fixed at (maxq + 1) / 2
    double dampPercent = 0.01; // of the mean Hessian diagonal; in (0, 1) exclusive
    int blockSize = 128;       // lazy-batch block width
    // v1 checkpoints store zero - 1 in `bits` bits, so a true zero of 0 cannot be stored; with
    // this set, asymmetric zeros are kept >= 1 (the range is rescaled) so v1 is lossless.
    bool minZeroOne = false;
};

// Running H = 2/N sum x x^T over the inputs of one linear (or a group of linears sharing their
// input), accumulated without keeping the activations. Memory: the upper triangle,
// columns * (columns + 1) / 2 doubles; a mixture of experts keeps one per expert and input
// (Qwen3-30B-A3B: 128 x (2048 + 768) columns, 2.4 GB per block instead of 4.9 GB as full
// matrices).
class HessianAccumulator {
public:
    explicit HessianAccumulator(int columns = 0);
    int columns() const { return m_columns; }
    std::int64_t samples() const { return m_samples; }
    // `tokens` rows of columns() floats.
    void add(const float* x, std::int64_t tokens);
    // The same, summing through `scratch` (grown as needed, all zeros between calls): a caller
    // feeding many accumulators one after another (a mixture of experts has hundreds per
    // block) keeps one scratch for all of them and lets it go with them.
    void add(const float* x, std::int64_t tokens, std::vector<float>& scratch);
    // The full symmetric matrix H (2/N scaling applied), columns x columns row-major.
    std::vector<double> hessian() const;

private:
    int m_columns = 0;
    std::int64_t m_samples = 0;
    std::vector<double> m_sum; // sum of x x^T, upper triangle packed row by row
};

// The upper Cholesky factor U of (H + damp I)^-1 (H^-1 = U^T U) that GPTQ's error feedback
// walks, damp = dampPercent * mean(diag H); a failed factorisation is retried with 10x the
// damping (up to 6 times) before giving up with ErrorCode::Internal. Dead columns (zero
// diagonal) must have been given a positive diagonal by the caller.
Status dampedInverseFactor(const std::vector<double>& h, int cols, double dampPercent,
                           std::vector<float>& upper);

// Quantizes `w` (rows x cols, row-major, f32) with GPTQ against Hessian `h` (cols x cols).
// Dead columns (zero diagonal) are zeroed; a failed Cholesky is retried with 10x the damping
// (up to 6 times) before giving up with ErrorCode::Internal.
Result<QuantizedLinear> gptqQuantize(const std::vector<float>& w, int rows, int cols,
                                     const std::vector<double>& h, const GptqOptions& options);

// Round-to-nearest with the same quantizer, groups and layout (g_idx = column / group).
Result<QuantizedLinear> rtnQuantize(const std::vector<float>& w, int rows, int cols,
                                    const GptqOptions& options);

// Round-to-nearest where each (row, group) range is shrunk by the factor among 1, 0.95, ...
// (shrinkSteps of them) that gives the lowest d H_gg d^T on that group's block of `h`: AWQ's
// clipping search (formats.md 6.1), done on the Hessian instead of sampled tokens.
Result<QuantizedLinear> rtnQuantizeClipped(const std::vector<float>& w, int rows, int cols,
                                           const std::vector<double>& h, const GptqOptions& options,
                                           int shrinkSteps);

// sum over rows of d H d^T with d = w - dequantized (the squared output error summed over the
// calibration tokens, times 2/N). Rows are spread over `threads` (0: all); the result does not
// depend on how many.
double outputError(const std::vector<float>& w, const std::vector<float>& dequantized, int rows,
                   int cols, const std::vector<double>& h, int threads = 0);

// sum over rows of d H d^T with d = w - dequantized, divided by the same form of w: the
// relative squared error of the layer's output on the calibration inputs ||WX - QX||^2/||WX||^2.
double relativeOutputError(const std::vector<float>& w, const std::vector<float>& dequantized,
                           int rows, int cols, const std::vector<double>& h);

// The one check of GptqOptions (every quantizer and normalizeCalibratedOptions call it): bits,
// a group size dividing `cols`, damping in (0, 1) exclusive as the GPTQ loaders require, and
// a positive block size. InvalidArgument names the offending value.
Status validateGptqOptions(const GptqOptions& options, int cols);

} // namespace qs::core
