#include "core/eval/cpu_matmul.h"

#include "core/eval/thread_pool.h"
#include "core/eval/vec_dot.h"
#include "core/quant/format_registry.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <vector>

namespace qs::core {

float dotProduct(const float* a, const float* b, std::int64_t n) {
    float acc[16] = {};
    std::int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        for (int k = 0; k < 16; ++k) {
            acc[k] += a[i + k] * b[i + k];
        }
    }
    float sum = 0.0f;
    for (; i < n; ++i) {
        sum += a[i] * b[i];
    }
    for (int k = 0; k < 16; ++k) {
        sum += acc[k];
    }
    return sum;
}

void cpuDequantizeRow(const WeightMatrix& w, std::int64_t r, float* out) {
    if (w.type == GgmlType::F32) {
        std::memcpy(out, matrixRow(w, r), static_cast<std::size_t>(w.nCols) * sizeof(float));
        return;
    }
    // LlamaWeights admitted only types with a CPU dequantizer and whole-block rows.
    [[maybe_unused]] const Status st = dequantizeRow(w.type, matrixRow(w, r), out, w.nCols);
    assert(st.ok());
}

void cpuMatmul(ParallelPool& pool, const WeightMatrix& w, const float* x, std::int64_t n,
               float* y) {
    const std::int64_t grain = std::max<std::int64_t>(1, w.nRows / (pool.threads() * 8));
    pool.parallelFor(w.nRows, grain, [&](std::int64_t begin, std::int64_t end) {
        thread_local std::vector<float> rowBuffer;
        if (w.type != GgmlType::F32 && rowBuffer.size() < static_cast<std::size_t>(w.nCols)) {
            rowBuffer.resize(static_cast<std::size_t>(w.nCols));
        }
        for (std::int64_t r = begin; r < end; ++r) {
            const float* row = nullptr;
            if (w.type == GgmlType::F32) {
                row = reinterpret_cast<const float*>(matrixRow(w, r));
            } else {
                cpuDequantizeRow(w, r, rowBuffer.data());
                row = rowBuffer.data();
            }
            for (std::int64_t t = 0; t < n; ++t) {
                y[t * w.nRows + r] = dotProduct(row, x + t * w.nCols, w.nCols);
            }
        }
    });
}

bool cpuMatmulQuantized(ParallelPool& pool, const WeightMatrix& w, const float* x, std::int64_t n,
                        float* y) {
    const VecDotFn dot = vecDotFor(w.type);
    if (!dot) {
        return false;
    }
    // The inputs are small next to the matrix (one row of activations per token), so they are
    // converted on the calling thread; the buffer lives on as long as that thread.
    const std::size_t stride = vecDotActivationBytes(w.type, w.nCols);
    thread_local std::vector<std::byte> activations;
    if (activations.size() < stride * static_cast<std::size_t>(n)) {
        activations.resize(stride * static_cast<std::size_t>(n));
    }
    for (std::int64_t t = 0; t < n; ++t) {
        quantizeVecDotActivations(w.type, x + t * w.nCols,
                                  activations.data() + stride * static_cast<std::size_t>(t),
                                  w.nCols);
    }
    const std::byte* act = activations.data();
    const auto* rows = static_cast<const std::byte*>(w.data);
    const std::size_t rowBytes = matrixRowBytes(w); // a table lookup: once, not per row
    const std::int64_t grain = std::max<std::int64_t>(1, w.nRows / (pool.threads() * 8));
    pool.parallelFor(w.nRows, grain, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t r = begin; r < end; ++r) {
            const std::byte* row = rows + rowBytes * static_cast<std::size_t>(r);
            for (std::int64_t t = 0; t < n; ++t) {
                y[t * w.nRows + r] = dot(row, act + stride * static_cast<std::size_t>(t), w.nCols);
            }
        }
    });
    return true;
}

} // namespace qs::core
