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

// Shared by the row kernels (vec_dot_avx2.cpp) and the AVX-512 row tiles, which must form the
// same integers.

// The 8 scales (bytes 0..7) and 8 mins (8..15) of a Q4_K/Q5_K block, as unpackScalesMinsK4
// but in a few vector operations: the scalar unpacking cost more than the products.
// Reads 16 bytes at `packed`; the 4 after the 12 scale bytes are the block's own qh/qs.
QS_AVX2_INLINE __m128i unpackScalesMinsK4Vector(const std::uint8_t* packed) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(packed));
    // Sources of the low bits: scales 0..3 | scales 4..7 | mins 0..3 | mins 4..7.
    const __m128i lowSource =
        _mm_shuffle_epi8(v, _mm_setr_epi8(0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 10, 11));
    // Sources of the top 2 bits of scales 4..7 and mins 4..7 (bits 6..7 of bytes 0..7).
    const __m128i highSource =
        _mm_shuffle_epi8(v, _mm_setr_epi8(-1, -1, -1, -1, 0, 1, 2, 3, -1, -1, -1, -1, 4, 5, 6, 7));
    const __m128i low = _mm_or_si128(
        _mm_and_si128(lowSource,
                      _mm_setr_epi8(63, 63, 63, 63, 15, 15, 15, 15, 63, 63, 63, 63, 0, 0, 0, 0)),
        _mm_and_si128(_mm_srli_epi16(lowSource, 4),
                      _mm_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 15, 15, 15, 15)));
    const __m128i high = _mm_and_si128(_mm_srli_epi16(highSource, 2), _mm_set1_epi8(0x30));
    return _mm_or_si128(low, high);
}

// Per sub-block (4 int32 lanes of 2): min * (sum of its 32 activations), from Q8_K's 16-sums.
QS_AVX2_INLINE __m128i minsTimesSums(__m128i scalesMins, const std::int16_t* bsums) {
    const __m128i pairSums =
        _mm_hadd_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(bsums)),
                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(bsums + 8)));
    const __m128i mins16 = _mm_cvtepu8_epi16(_mm_unpackhi_epi64(scalesMins, scalesMins));
    return _mm_madd_epi16(mins16, pairSums);
}

QS_AVX2_INLINE float horizontalSum(__m128 s) {
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// Sum over 16 groups of scale * (sum of its 16 activations), as 8 int32 lanes.
QS_AVX2_INLINE __m256i scalesTimesSums(__m128i scales, const std::int16_t* bsums) {
    return _mm256_madd_epi16(_mm256_cvtepi8_epi16(scales),
                             _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bsums)));
}

// The 16 signed scales of a Q3_K block (unpackScalesQ3K) by whole-word bit operations; a
// 16-byte load would read past the last block of a tensor.
QS_AVX2_INLINE __m128i unpackScalesQ3KVector(const std::uint8_t* packed) {
    std::uint32_t u[3];
    std::memcpy(u, packed, sizeof(u));
    const std::uint32_t lowNibbles = 0x0f0f0f0f, bits45 = 0x30303030;
    const __m128i biased =
        _mm_setr_epi32(static_cast<int>((u[0] & lowNibbles) | ((u[2] << 4) & bits45)),
                       static_cast<int>((u[1] & lowNibbles) | ((u[2] << 2) & bits45)),
                       static_cast<int>(((u[0] >> 4) & lowNibbles) | (u[2] & bits45)),
                       static_cast<int>(((u[1] >> 4) & lowNibbles) | ((u[2] >> 2) & bits45)));
    return _mm_sub_epi8(biased, _mm_set1_epi8(32));
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
