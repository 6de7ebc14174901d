#include "core/eval/vec_dot_avx2_common.h"

#if defined(QS_VEC_DOT_AVX2)

// AVX2 builds of the float loops of attention (cpu_matmul.h: dotProduct, scaledDotProducts,
// weightedSum). Each
// lane does the portable build's multiply and then its add, in the same order, so the results
// are the same bits; this file is compiled with -ffp-contract=off so that no multiply and add
// are fused into one rounding.
namespace qs::core::vecdot {

namespace {

QS_AVX2 inline float dot16(const float* a, const float* b, std::int64_t n) {
    // Partial sum k takes the products i with i % 16 == k, as the portable build's acc[k].
    __m256 low = _mm256_setzero_ps();
    __m256 high = _mm256_setzero_ps();
    std::int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        low = _mm256_add_ps(low, _mm256_mul_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
        high = _mm256_add_ps(high,
                             _mm256_mul_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8)));
    }
    float sum = 0.0f;
    for (; i < n; ++i) {
        sum += a[i] * b[i];
    }
    float partial[16];
    _mm256_storeu_ps(partial, low);
    _mm256_storeu_ps(partial + 8, high);
    for (const float p : partial) {
        sum += p;
    }
    return sum;
}

} // namespace

QS_AVX2 float dotProductAvx2(const float* a, const float* b, std::int64_t n) {
    return dot16(a, b, n);
}

QS_AVX2 void scaledDotProductsAvx2(const float* q, const float* rows, std::size_t rowStride,
                                   std::int64_t count, std::int64_t n, float scale, float* out) {
    for (std::int64_t j = 0; j < count; ++j) {
        out[j] = dot16(q, rows + rowStride * static_cast<std::size_t>(j), n) * scale;
    }
}

QS_AVX2 void weightedSumAvx2(float* out, const float* rows, std::size_t rowStride,
                             const float* weights, float scale, std::int64_t count,
                             std::int64_t n) {
    // 64 columns at a time stay in 8 registers over all rows: each column still gets
    // out + weight * value for rows 0, 1, ... in turn.
    std::int64_t d = 0;
    for (; d + 64 <= n; d += 64) {
        __m256 acc[8];
        for (int k = 0; k < 8; ++k) {
            acc[k] = _mm256_loadu_ps(out + d + 8 * k);
        }
        for (std::int64_t j = 0; j < count; ++j) {
            const __m256 w = _mm256_set1_ps(weights[j] * scale);
            const float* v = rows + rowStride * static_cast<std::size_t>(j) + d;
            for (int k = 0; k < 8; ++k) {
                acc[k] = _mm256_add_ps(acc[k], _mm256_mul_ps(w, _mm256_loadu_ps(v + 8 * k)));
            }
        }
        for (int k = 0; k < 8; ++k) {
            _mm256_storeu_ps(out + d + 8 * k, acc[k]);
        }
    }
    for (; d + 8 <= n; d += 8) {
        __m256 acc = _mm256_loadu_ps(out + d);
        for (std::int64_t j = 0; j < count; ++j) {
            const __m256 w = _mm256_set1_ps(weights[j] * scale);
            acc = _mm256_add_ps(
                acc, _mm256_mul_ps(
                         w, _mm256_loadu_ps(rows + rowStride * static_cast<std::size_t>(j) + d)));
        }
        _mm256_storeu_ps(out + d, acc);
    }
    for (; d < n; ++d) {
        float acc = out[d];
        for (std::int64_t j = 0; j < count; ++j) {
            acc += weights[j] * scale * rows[rowStride * static_cast<std::size_t>(j) + d];
        }
        out[d] = acc;
    }
}

} // namespace qs::core::vecdot

#endif
