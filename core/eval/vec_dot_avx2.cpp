#include "core/eval/vec_dot_kernels.h"

#if defined(QS_VEC_DOT_AVX2)

#include "core/quant/block_types.h"

#include <cstring>
#include <immintrin.h>

// AVX2 builds of the fused dot products. The file is compiled for the baseline; only these
// functions carry the target attribute, so no AVX2 code leaks into shared inline functions and
// the binary still runs on CPUs without AVX2 (vec_dot.cpp picks the build at run time).
// Weight levels are unsigned bytes times signed activation bytes (_mm256_maddubs_epi16), whose
// pair sums stay below 2^15 for every level range used here; offsets such as Q6_K's -32 are
// applied once per 16 values through the activation block sums.
#define QS_AVX2 __attribute__((target("avx2,fma,f16c")))
#define QS_AVX2_INLINE inline __attribute__((always_inline, target("avx2,fma,f16c")))

namespace qs::core::vecdot {

using namespace qs::core::quant;

namespace {

QS_AVX2_INLINE float halfToFloat(std::uint16_t h) {
    return _cvtsh_ss(h);
}

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

// Eight 16-bit scales broadcast to both 128-bit lanes; pairScales(s, k) then holds scale 2k in
// the low lane and 2k+1 in the high one, matching a 32-value chunk whose first 16 products land
// in the low lane of _mm256_maddubs_epi16's result.
QS_AVX2_INLINE __m256i pairScales(__m256i scalesBothLanes, int k) {
    const __m256i select =
        _mm256_set_m128i(_mm_set1_epi16(static_cast<short>(0x0302 + 0x0404 * k)),
                         _mm_set1_epi16(static_cast<short>(0x0100 + 0x0404 * k)));
    return _mm256_shuffle_epi8(scalesBothLanes, select);
}

// Sum of scale * level * activation over one 32-value chunk, as 8 int32 lanes.
QS_AVX2_INLINE __m256i scaledChunk(__m256i levels, const std::int8_t* act, __m256i scales16) {
    const __m256i products =
        _mm256_maddubs_epi16(levels, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(act)));
    return _mm256_madd_epi16(products, scales16);
}

QS_AVX2_INLINE __m256i load256(const void* p) {
    return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}

QS_AVX2_INLINE __m128i load128(const void* p) {
    return _mm_loadu_si128(static_cast<const __m128i*>(p));
}

// Scale s of scalesBothLanes (eight 16-bit scales in each lane) in every 16-bit lane.
QS_AVX2_INLINE __m256i broadcastScale(__m256i scalesBothLanes, int s) {
    return _mm256_shuffle_epi8(scalesBothLanes,
                               _mm256_set1_epi16(static_cast<short>(0x0100 + 0x0202 * s)));
}

// The 8 scales (bytes 0..7) and 8 mins (8..15) of a Q4_K/Q5_K block, as unpackScalesMinsK4
// but in a few vector operations: the scalar unpacking cost more than the products.
// Reads 16 bytes at `packed`; the 4 after the 12 scale bytes are the block's own qh/qs.
QS_AVX2_INLINE __m128i unpackScalesMinsK4Vector(const std::uint8_t* packed) {
    const __m128i v = load128(packed);
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
    const __m128i pairSums = _mm_hadd_epi16(load128(bsums), load128(bsums + 8));
    const __m128i mins16 = _mm_cvtepu8_epi16(_mm_unpackhi_epi64(scalesMins, scalesMins));
    return _mm_madd_epi16(mins16, pairSums);
}

QS_AVX2_INLINE __m256i scalesBothLanesK4(__m128i scalesMins) {
    return _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(scalesMins));
}

QS_AVX2_INLINE float horizontalSum(__m128 s) {
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// Sixteen signed 8-bit scales as two 128-bit halves of 16-bit scales (0..7, 8..15), each
// broadcast to both lanes for pairScales.
struct Scales16 {
    __m256i first, second;
};

QS_AVX2_INLINE Scales16 splitScales16(__m128i s) {
    return {_mm256_broadcastsi128_si256(_mm_cvtepi8_epi16(s)),
            _mm256_broadcastsi128_si256(_mm_cvtepi8_epi16(_mm_unpackhi_epi64(s, s)))};
}

// Sum over 16 groups of scale * (sum of its 16 activations), as 8 int32 lanes.
QS_AVX2_INLINE __m256i scalesTimesSums(__m128i scales, const std::int16_t* bsums) {
    return _mm256_madd_epi16(_mm256_cvtepi8_epi16(scales), load256(bsums));
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

} // namespace

QS_AVX2 float dotQ4KAvx2(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockQ4K*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    const __m256i lowNibble = _mm256_set1_epi8(0x0F);
    __m256 acc = _mm256_setzero_ps();
    __m128 accMin = _mm_setzero_ps();
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const __m128i scalesMins = unpackScalesMinsK4Vector(x[i].scales);
        const __m256i scalesBoth = scalesBothLanesK4(scalesMins);
        // Two sums so that the two halves of each chunk do not wait on each other.
        __m256i sumLow = _mm256_setzero_si256();
        __m256i sumHigh = _mm256_setzero_si256();
        for (int j = 0; j < 4; ++j) {
            // Low nibbles: values 64j..64j+31 (scale 2j); high nibbles: the next 32 (2j+1).
            const __m256i q = load256(x[i].qs + 32 * j);
            const __m256i lo = _mm256_and_si256(q, lowNibble);
            const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), lowNibble);
            sumLow = _mm256_add_epi32(
                sumLow, scaledChunk(lo, y[i].qs + 64 * j, broadcastScale(scalesBoth, 2 * j)));
            sumHigh = _mm256_add_epi32(sumHigh, scaledChunk(hi, y[i].qs + 64 * j + 32,
                                                            broadcastScale(scalesBoth, 2 * j + 1)));
        }
        // d and dmin (adjacent halves) converted and scaled together: lane 0 d, lane 1 dmin.
        std::uint32_t halves;
        std::memcpy(&halves, &x[i].d, sizeof(halves));
        const __m128 scales = _mm_mul_ps(_mm_cvtph_ps(_mm_cvtsi32_si128(static_cast<int>(halves))),
                                         _mm_set1_ps(y[i].d));
        acc = _mm256_fmadd_ps(_mm256_broadcastss_ps(scales),
                              _mm256_cvtepi32_ps(_mm256_add_epi32(sumLow, sumHigh)), acc);
        accMin = _mm_fmadd_ps(_mm_shuffle_ps(scales, scales, 0x55),
                              _mm_cvtepi32_ps(minsTimesSums(scalesMins, y[i].bsums)), accMin);
    }
    return horizontalSum(acc) - horizontalSum(accMin);
}

QS_AVX2 float dotQ5KAvx2(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockQ5K*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    const __m256i lowNibble = _mm256_set1_epi8(0x0F);
    const __m256i bit0 = _mm256_set1_epi8(1);
    __m256 acc = _mm256_setzero_ps();
    __m128 accMin = _mm_setzero_ps();
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const __m128i scalesMins = unpackScalesMinsK4Vector(x[i].scales);
        const __m256i scalesBoth = scalesBothLanesK4(scalesMins);
        __m256i high = load256(x[i].qh); // bit 2j: fifth bit of the low nibbles of chunk j
        __m256i sumi = _mm256_setzero_si256();
        for (int j = 0; j < 4; ++j) {
            const __m256i q = load256(x[i].qs + 32 * j);
            // 16-bit shifts move bits between bytes, but the masks keep only each byte's own.
            const __m256i loHigh = _mm256_slli_epi16(_mm256_and_si256(high, bit0), 4);
            const __m256i hiHigh =
                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(high, 1), bit0), 4);
            const __m256i lo = _mm256_or_si256(_mm256_and_si256(q, lowNibble), loHigh);
            const __m256i hi =
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q, 4), lowNibble), hiHigh);
            sumi = _mm256_add_epi32(
                sumi, scaledChunk(lo, y[i].qs + 64 * j, broadcastScale(scalesBoth, 2 * j)));
            sumi = _mm256_add_epi32(sumi, scaledChunk(hi, y[i].qs + 64 * j + 32,
                                                      broadcastScale(scalesBoth, 2 * j + 1)));
            high = _mm256_srli_epi16(high, 2);
        }
        const float d = y[i].d * halfToFloat(x[i].d);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
        accMin = _mm_fmadd_ps(_mm_set1_ps(y[i].d * halfToFloat(x[i].dmin)),
                              _mm_cvtepi32_ps(minsTimesSums(scalesMins, y[i].bsums)), accMin);
    }
    return horizontalSum(acc) - horizontalSum(accMin);
}

QS_AVX2 float dotQ6KAvx2(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockQ6K*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    const __m256i lowNibble = _mm256_set1_epi8(0x0F);
    const __m256i twoBits = _mm256_set1_epi8(3);
    const __m256i bits45 = _mm256_set1_epi8(0x30);
    __m256 acc = _mm256_setzero_ps();
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const __m128i scaleBytes = load128(x[i].scales);
        const Scales16 scales = splitScales16(scaleBytes);
        __m256i sumi = _mm256_setzero_si256();
        for (int h = 0; h < 2; ++h) {
            const __m256i qh = load256(x[i].qh + 32 * h);
            const __m256i ql0 = load256(x[i].ql + 64 * h);
            const __m256i ql1 = load256(x[i].ql + 64 * h + 32);
            // Levels 0..63 (stored q + 32); the -32 is applied below through the block sums.
            const __m256i q0 = _mm256_or_si256(_mm256_and_si256(ql0, lowNibble),
                                               _mm256_slli_epi16(_mm256_and_si256(qh, twoBits), 4));
            const __m256i q1 = _mm256_or_si256(_mm256_and_si256(ql1, lowNibble),
                                               _mm256_and_si256(_mm256_slli_epi16(qh, 2), bits45));
            const __m256i q2 =
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), lowNibble),
                                _mm256_and_si256(qh, bits45));
            const __m256i q3 =
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), lowNibble),
                                _mm256_and_si256(_mm256_srli_epi16(qh, 2), bits45));
            const __m256i sc = h == 0 ? scales.first : scales.second;
            const std::int8_t* act = y[i].qs + 128 * h;
            sumi = _mm256_add_epi32(sumi, scaledChunk(q0, act, pairScales(sc, 0)));
            sumi = _mm256_add_epi32(sumi, scaledChunk(q1, act + 32, pairScales(sc, 1)));
            sumi = _mm256_add_epi32(sumi, scaledChunk(q2, act + 64, pairScales(sc, 2)));
            sumi = _mm256_add_epi32(sumi, scaledChunk(q3, act + 96, pairScales(sc, 3)));
        }
        const __m256i offset = _mm256_slli_epi32(scalesTimesSums(scaleBytes, y[i].bsums), 5);
        sumi = _mm256_sub_epi32(sumi, offset);
        const float d = y[i].d * halfToFloat(x[i].d);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
    }
    return horizontalSum(acc);
}

QS_AVX2 float dotQ3KAvx2(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockQ3K*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    const __m256i twoBits = _mm256_set1_epi8(3);
    const __m256i bit2 = _mm256_set1_epi8(4);
    __m256 acc = _mm256_setzero_ps();
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const __m128i scaleBytes = unpackScalesQ3KVector(x[i].scales);
        const Scales16 scales = splitScales16(scaleBytes);
        // hmask bit 4b+k set means level + 0, clear means level - 4: take levels 0..7 as
        // low | bit << 2 and subtract 4 per value through the block sums.
        __m256i hmask = load256(x[i].hmask);
        __m256i sumi = _mm256_setzero_si256();
        for (int b = 0; b < 2; ++b) {
            const __m256i qs = load256(x[i].qs + 32 * b);
            const __m256i sc = b == 0 ? scales.first : scales.second;
            const std::int8_t* act = y[i].qs + 128 * b;
            for (int k = 0; k < 4; ++k) {
                const __m256i low = _mm256_and_si256(_mm256_srli_epi16(qs, 2 * k), twoBits);
                const __m256i high = _mm256_and_si256(_mm256_slli_epi16(hmask, 2), bit2);
                sumi = _mm256_add_epi32(
                    sumi, scaledChunk(_mm256_or_si256(low, high), act + 32 * k, pairScales(sc, k)));
                hmask = _mm256_srli_epi16(hmask, 1);
            }
        }
        const __m256i offset = _mm256_slli_epi32(scalesTimesSums(scaleBytes, y[i].bsums), 2);
        sumi = _mm256_sub_epi32(sumi, offset);
        const float d = y[i].d * halfToFloat(x[i].d);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
    }
    return horizontalSum(acc);
}

QS_AVX2 float dotQ2KAvx2(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockQ2K*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    const __m256i twoBits = _mm256_set1_epi8(3);
    const __m128i lowNibble = _mm_set1_epi8(0x0F);
    __m256 acc = _mm256_setzero_ps();
    float minSum = 0.0f;
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const __m128i packed = load128(x[i].scales); // low nibble scale, high nibble min
        const __m128i scaleBytes = _mm_and_si128(packed, lowNibble);
        const __m128i minBytes = _mm_and_si128(_mm_srli_epi16(packed, 4), lowNibble);
        const Scales16 scales{_mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(scaleBytes)),
                              _mm256_broadcastsi128_si256(
                                  _mm_cvtepu8_epi16(_mm_unpackhi_epi64(scaleBytes, scaleBytes)))};
        __m256i sumi = _mm256_setzero_si256();
        for (int b = 0; b < 2; ++b) {
            const __m256i qs = load256(x[i].qs + 32 * b);
            const __m256i sc = b == 0 ? scales.first : scales.second;
            const std::int8_t* act = y[i].qs + 128 * b;
            for (int k = 0; k < 4; ++k) {
                const __m256i q = _mm256_and_si256(_mm256_srli_epi16(qs, 2 * k), twoBits);
                sumi = _mm256_add_epi32(sumi, scaledChunk(q, act + 32 * k, pairScales(sc, k)));
            }
        }
        const int mins =
            horizontalSum(_mm256_madd_epi16(_mm256_cvtepu8_epi16(minBytes), load256(y[i].bsums)));
        const float d = y[i].d * halfToFloat(x[i].d);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
        minSum += y[i].d * halfToFloat(x[i].dmin) * static_cast<float>(mins);
    }
    return horizontalSum(acc) - minSum;
}

namespace {

// Signed by signed bytes: |x| times y with x's sign, as _mm256_maddubs_epi16 wants.
QS_AVX2_INLINE __m256i signedDot(__m256i x, __m256i y) {
    const __m256i products = _mm256_maddubs_epi16(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
    return _mm256_madd_epi16(products, _mm256_set1_epi16(1));
}

} // namespace

QS_AVX2 float dotQ8_0Avx2(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockQ8_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    __m256 acc = _mm256_setzero_ps();
    for (std::int64_t i = 0; i < n / kQK32; ++i) {
        const __m256i sumi = signedDot(load256(x[i].qs), load256(y[i].qs));
        const float d = halfToFloat(x[i].d) * halfToFloat(y[i].d);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
    }
    return horizontalSum(acc);
}

QS_AVX2 float dotQ4_0Avx2(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockQ4_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    const __m256i lowNibble = _mm256_set1_epi8(0x0F);
    const __m256i eight = _mm256_set1_epi8(8);
    __m256 acc = _mm256_setzero_ps();
    for (std::int64_t i = 0; i < n / kQK32; ++i) {
        // Values 0..15 are the low nibbles, 16..31 the high ones.
        const __m128i packed = load128(x[i].qs);
        const __m256i both = _mm256_set_m128i(_mm_srli_epi16(packed, 4), packed);
        const __m256i q = _mm256_sub_epi8(_mm256_and_si256(both, lowNibble), eight);
        const __m256i sumi = signedDot(q, load256(y[i].qs));
        const float d = halfToFloat(x[i].d) * halfToFloat(y[i].d);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
    }
    return horizontalSum(acc);
}

QS_AVX2 float dotF16Avx2(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const std::uint16_t*>(w);
    const auto* y = static_cast<const float*>(a);
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
                     _mm256_setzero_ps()};
    std::int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        for (int k = 0; k < 4; ++k) {
            const __m256 wk = _mm256_cvtph_ps(load128(x + i + 8 * k));
            acc[k] = _mm256_fmadd_ps(wk, _mm256_loadu_ps(y + i + 8 * k), acc[k]);
        }
    }
    for (; i + 8 <= n; i += 8) {
        acc[0] = _mm256_fmadd_ps(_mm256_cvtph_ps(load128(x + i)), _mm256_loadu_ps(y + i), acc[0]);
    }
    float sum =
        horizontalSum(_mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3])));
    for (; i < n; ++i) {
        sum += halfToFloat(x[i]) * y[i];
    }
    return sum;
}

} // namespace qs::core::vecdot

#endif
