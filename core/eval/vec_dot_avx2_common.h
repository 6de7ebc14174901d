#pragma once

// Internal: what the AVX2 kernel files (vec_dot_avx2.cpp, vec_dot_iquants_avx2.cpp) share.
// Those files are compiled for the baseline; only functions carrying these target attributes
// use AVX2, so no AVX2 code leaks into shared inline functions and the binary still runs on
// CPUs without AVX2 (vec_dot.cpp picks the build at run time).
#include "core/eval/vec_dot_kernels.h"

#if defined(QS_VEC_DOT_AVX2)

#include <immintrin.h>

#define QS_AVX2 __attribute__((target("avx2,fma,f16c")))
#define QS_AVX2_INLINE inline __attribute__((always_inline, target("avx2,fma,f16c")))

namespace qs::core::vecdot::avx2 {

QS_AVX2_INLINE float horizontalSum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

QS_AVX2_INLINE int horizontalSum(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(s);
}

} // namespace qs::core::vecdot::avx2

#endif
