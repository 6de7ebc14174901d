#pragma once

#include "core/eval/llama_weights.h"
#include "core/eval/vec_dot.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace qs::core {

class ParallelPool;

// y[t * w.nRows + r] = dot(row r of w, x + t * w.nCols) for t < n, on the CPU. Each row is
// dequantized once per call (into a per-thread buffer) and used for all n inputs, so a prompt
// batch streams the weights once; F32 rows are read in place. Rows are split over the pool.
// Until core/compute's ComputeBackend lands this is the forward pass's only matrix kernel.
void cpuMatmul(ParallelPool& pool, const WeightMatrix& w, const float* x, std::int64_t n, float* y);

// As llama.cpp's CPU matrix product: each of the n inputs is converted once to the weight type's
// vec_dot_type (activation_rounding.h), then every row takes fused quantized dot products with
// all n inputs (vec_dot.h), so a batch reads each weight row once from memory. Where the type
// has a row tile (vecDotTileFor), a batch decodes each weight block once per tile of inputs
// (a thread's rows take the inputs in passes that fit the cache), with the row kernel's bits
// for every input. Returns false, computing nothing, when the type has
// no fused kernel; the caller then rounds x and calls cpuMatmul.
bool cpuMatmulQuantized(ParallelPool& pool, const WeightMatrix& w, const float* x, std::int64_t n,
                        float* y);

// The rows of a matrix interleaved in groups of 8 for the 8-row kernels (vec_dot.h,
// repackRows8), so that a matrix-vector product loads each activation once per 8 rows: the
// Q4_K kernel does ~1.7x the work per cycle of the row kernel (in cache). A copy in memory of
// exactly the matrix's size (the same bytes in another order), made once; whoever keeps it
// should let the source's mapped pages go.
class RepackedMatrix {
public:
    // nullptr when this CPU has no 8-row kernel for w's type and width, or w.nRows is not a
    // multiple of 8. The copy is made on the pool's threads.
    static std::unique_ptr<RepackedMatrix> build(ParallelPool& pool, const WeightMatrix& w);
    ~RepackedMatrix();
    RepackedMatrix(const RepackedMatrix&) = delete;
    RepackedMatrix& operator=(const RepackedMatrix&) = delete;

    // The matrix it was made from (whose data it no longer reads).
    const WeightMatrix& source() const { return m_source; }
    std::size_t bytes() const { return m_bytes; }
    VecDot8Fn kernel() const { return m_kernel; }
    // Several inputs per group (vec_dot.h); nullptr: the kernel per input.
    VecDot8TileFn tile() const { return m_tile; }
    // Interleaved rows 8g..8g+7.
    const std::byte* group(std::int64_t g) const {
        return m_data + m_groupBytes * static_cast<std::size_t>(g);
    }

private:
    RepackedMatrix() = default;

    WeightMatrix m_source;
    VecDot8Fn m_kernel = nullptr;
    VecDot8TileFn m_tile = nullptr;
    std::size_t m_groupBytes = 0;
    std::byte* m_data = nullptr;
    std::size_t m_bytes = 0;
    bool m_mapped = false; // m_data from mmap (huge pages where the system allows), else new[]
};

// cpuMatmulQuantized with the 8-row kernels on a repacked copy of w: the same products up to
// float summation order. A batch of several inputs goes through the tiles where the CPU has
// them, which give the 8-row kernel's results bit for bit.
void cpuMatmulRepacked(ParallelPool& pool, const RepackedMatrix& w, const float* x, std::int64_t n,
                       float* y);

// One product of several matrices with the same input (Q, K and V; gate and up): the input is
// converted once and all rows are split over the pool in one loop, which saves a loop start and
// its uneven end per matrix. Every matrix must have x's width and the same vec_dot_type.
struct RepackedProduct {
    const RepackedMatrix* w = nullptr;
    float* y = nullptr; // as cpuMatmulRepacked's y
};
void cpuMatmulRepacked(ParallelPool& pool, std::span<const RepackedProduct> products,
                       const float* x, std::int64_t n);

// Row `r` of w as floats (an embedding lookup).
void cpuDequantizeRow(const WeightMatrix& w, std::int64_t r, float* out);

// Dot product with 16 independent partial sums (product i goes to sum i % 16; then the tail,
// then the sums in order), which vectorizes; the AVX2 build, where it runs, gives the same bits.
float dotProduct(const float* a, const float* b, std::int64_t n);

// out[j] = dotProduct(q, rows + j * rowStride, n) * scale for j < count: attention's scores of
// one query, with the kernel chosen once for all of them rather than once per score.
void scaledDotProducts(const float* q, const float* rows, std::size_t rowStride, std::int64_t count,
                       std::int64_t n, float scale, float* out);

// out[d] += (weights[j] * scale) * rows[j * rowStride + d] for j = 0..count-1 in turn, d < n:
// attention's weighted sum of values. The AVX2 build, where it runs, gives the same bits.
void weightedSum(float* out, const float* rows, std::size_t rowStride, const float* weights,
                 float scale, std::int64_t count, std::int64_t n);

} // namespace qs::core
