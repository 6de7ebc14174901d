#pragma once

// Internal: what the AVX2 kernel files (vec_dot_avx2.cpp, vec_dot_iquants_avx2.cpp and the
// tile files vec_dot_tile_avx2.cpp, vec_dot_tile_avx512.cpp) share.
// Those files are compiled for the baseline; only functions carrying these target attributes
// use AVX2, so no AVX2 code leaks into shared inline functions and the binary still runs on
// CPUs without AVX2 (vec_dot.cpp picks the build at run time).
#include "core/eval/vec_dot_kernels.h"

#if defined(QS_VEC_DOT_AVX2)

#include <cstring>
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

// Four activation bytes (values k..k+3) in every 32-bit lane: one load, no shuffle.
QS_AVX2_INLINE __m256i broadcast4(const std::int8_t* p) {
    std::int32_t v;
    std::memcpy(&v, p, sizeof(v));
    return _mm256_set1_epi32(v);
}

// The 8 rows' scales and mins of a BlockQ4Kx8 (bytes [s][r]: sub-block s of row r) from its
// 12 transposed packed bytes, as unpackScalesMinsK4 does for one row.
struct ScalesMinsQ4Kx8 {
    __m256i scales03, scales47, mins03, mins47;
};

QS_AVX2_INLINE ScalesMinsQ4Kx8 unpackScalesMinsQ4Kx8(const std::uint8_t (*packed)[8]) {
    const __m256i lowNibble = _mm256_set1_epi8(0x0F);
    const __m256i low6 = _mm256_set1_epi8(63);
    const __m256i bits45 = _mm256_set1_epi8(0x30);
    const __m256i packed03 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(packed[0]));
    const __m256i packed47 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(packed[4]));
    const __m256i packed811 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(packed[8]));
    return {_mm256_and_si256(packed03, low6),
            _mm256_or_si256(_mm256_and_si256(packed811, lowNibble),
                            _mm256_and_si256(_mm256_srli_epi16(packed03, 2), bits45)),
            _mm256_and_si256(packed47, low6),
            _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(packed811, 4), lowNibble),
                            _mm256_and_si256(_mm256_srli_epi16(packed47, 2), bits45))};
}

// The four level vectors (levels 0..63, values k0 + 8c for c = 0..3) of one BlockQ6Kx8 entry
// q[h]: its two ql vectors (low bits in the nibbles) and its qh vector (top bits in pairs).
QS_AVX2_INLINE void levelsQ6Kx8(__m256i low, __m256i high, __m256i top, __m256i* level) {
    const __m256i lowNibble = _mm256_set1_epi8(0x0F);
    const __m256i bits45 = _mm256_set1_epi8(0x30);
    level[0] = _mm256_or_si256(_mm256_and_si256(low, lowNibble),
                               _mm256_and_si256(_mm256_slli_epi16(top, 4), bits45));
    level[1] = _mm256_or_si256(_mm256_and_si256(high, lowNibble),
                               _mm256_and_si256(_mm256_slli_epi16(top, 2), bits45));
    level[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(low, 4), lowNibble),
                               _mm256_and_si256(top, bits45));
    level[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(high, 4), lowNibble),
                               _mm256_and_si256(_mm256_srli_epi16(top, 2), bits45));
}

// Lane r of the result is the sum of acc[r]'s 8 lanes (transpose-and-add of 8 row sums).
QS_AVX2_INLINE __m256 sumRows8(const __m256* acc) {
    const __m256 s01 = _mm256_hadd_ps(acc[0], acc[1]);
    const __m256 s23 = _mm256_hadd_ps(acc[2], acc[3]);
    const __m256 s45 = _mm256_hadd_ps(acc[4], acc[5]);
    const __m256 s67 = _mm256_hadd_ps(acc[6], acc[7]);
    const __m256 s0123 = _mm256_hadd_ps(s01, s23); // rows 0..3 in each lane's halves
    const __m256 s4567 = _mm256_hadd_ps(s45, s67);
    const __m256 low = _mm256_permute2f128_ps(s0123, s4567, 0x20);
    const __m256 high = _mm256_permute2f128_ps(s0123, s4567, 0x31);
    return _mm256_add_ps(low, high);
}

} // namespace qs::core::vecdot::avx2

#endif
