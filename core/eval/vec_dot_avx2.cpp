#include "core/eval/vec_dot_avx2_common.h"

#if defined(QS_VEC_DOT_AVX2)

#include "core/quant/block_types.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>

// AVX2 builds of the fused dot products (see vec_dot_avx2_common.h for how they stay out of
// the baseline code). Weight levels are unsigned bytes times signed activation bytes
// (_mm256_maddubs_epi16), whose pair sums stay below 2^15 for every level range used here; offsets
// such as Q6_K's -32 are applied once per 16 values through the activation block sums.
namespace qs::core::vecdot {

using namespace qs::core::quant;

namespace {

QS_AVX2_INLINE float halfToFloat(std::uint16_t h) {
    return _cvtsh_ss(h);
}

using avx2::horizontalSum;
using avx2::minsTimesSums;
using avx2::scalesTimesSums;
using avx2::unpackScalesMinsK4Vector;
using avx2::unpackScalesQ3KVector;

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

QS_AVX2_INLINE __m256i scalesBothLanesK4(__m128i scalesMins) {
    return _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(scalesMins));
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

using avx2::broadcast4;

// 8 rows at once (BlockQ4Kx8): lane r of every vector belongs to row r. A quant vector holds
// values k..k+3 of each row, so the broadcast activations k..k+3 serve all 8 rows and
// _mm256_maddubs_epi16 leaves two pair sums per row. Those are added in 16 bits over a whole
// 32-value sub-block (8 products of at most 2 * 15 * 127 each stay below 2^15), so the sub-block
// scale costs one _mm256_madd_epi16 per 8 rows rather than per row.
QS_AVX2 void dotQ4Kx8Avx2(const void* w, const void* a, std::int64_t n, float* out) {
    const auto* x = static_cast<const BlockQ4Kx8*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    const __m256i lowNibble = _mm256_set1_epi8(0x0F);
    // From scale bytes [s][r] of sub-blocks 2j, 2j+1 in both lanes: row r's scale of the even
    // (odd) sub-block in both 16-bit halves of 32-bit lane r (rows 4..7 in the high lane).
    const __m256i evenScale =
        _mm256_setr_epi8(0, -1, 0, -1, 1, -1, 1, -1, 2, -1, 2, -1, 3, -1, 3, -1, 4, -1, 4, -1, 5,
                         -1, 5, -1, 6, -1, 6, -1, 7, -1, 7, -1);
    const __m256i oddScale = _mm256_add_epi8(evenScale, _mm256_set1_epi16(8));
    __m256 acc = _mm256_setzero_ps();
    __m256 accMin = _mm256_setzero_ps();
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        // unpackScalesMinsK4 for all 8 rows: [s][r], s = 0..3 and 4..7.
        const auto [scales03, scales47, mins03, mins47] = avx2::unpackScalesMinsQ4Kx8(x[i].scales);
        const __m256i scalePairs[4] = {_mm256_permute2x128_si256(scales03, scales03, 0x00),
                                       _mm256_permute2x128_si256(scales03, scales03, 0x11),
                                       _mm256_permute2x128_si256(scales47, scales47, 0x00),
                                       _mm256_permute2x128_si256(scales47, scales47, 0x11)};
        const std::uint8_t* qs = x[i].qs;
        const std::int8_t* act = y[i].qs;
        __m256i sumi = _mm256_setzero_si256();
        for (int j = 0; j < 4; ++j) {
            __m256i sumLow = _mm256_setzero_si256();  // sub-block 2j, 16-bit pair sums
            __m256i sumHigh = _mm256_setzero_si256(); // sub-block 2j + 1
            for (int g = 0; g < 8; ++g) {
                const __m256i q = load256(qs + 256 * j + 32 * g);
                const __m256i lo = _mm256_and_si256(q, lowNibble);
                sumLow = _mm256_add_epi16(
                    sumLow, _mm256_maddubs_epi16(lo, broadcast4(act + 64 * j + 4 * g)));
            }
            for (int g = 0; g < 8; ++g) {
                const __m256i q = load256(qs + 256 * j + 32 * g);
                const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), lowNibble);
                sumHigh = _mm256_add_epi16(
                    sumHigh, _mm256_maddubs_epi16(hi, broadcast4(act + 64 * j + 32 + 4 * g)));
            }
            sumi = _mm256_add_epi32(
                sumi,
                _mm256_add_epi32(
                    _mm256_madd_epi16(sumLow, _mm256_shuffle_epi8(scalePairs[j], evenScale)),
                    _mm256_madd_epi16(sumHigh, _mm256_shuffle_epi8(scalePairs[j], oddScale))));
        }
        // Mins: row r's sum over sub-blocks s of min[r][s] * (sum of the 32 activations of s).
        // Interleaving the bytes of s and s + 1 per lane gives 16-bit pairs per row.
        const __m256i sums32 = _mm256_broadcastsi128_si256(
            _mm_hadd_epi16(load128(y[i].bsums), load128(y[i].bsums + 8)));
        const __m256i pairs03 = _mm256_unpacklo_epi8(mins03, _mm256_srli_si256(mins03, 8));
        const __m256i pairs47 = _mm256_unpacklo_epi8(mins47, _mm256_srli_si256(mins47, 8));
        __m256i mins = _mm256_madd_epi16(_mm256_cvtepu8_epi16(_mm256_castsi256_si128(pairs03)),
                                         _mm256_shuffle_epi32(sums32, 0x00));
        mins = _mm256_add_epi32(
            mins, _mm256_madd_epi16(_mm256_cvtepu8_epi16(_mm256_extracti128_si256(pairs03, 1)),
                                    _mm256_shuffle_epi32(sums32, 0x55)));
        mins = _mm256_add_epi32(
            mins, _mm256_madd_epi16(_mm256_cvtepu8_epi16(_mm256_castsi256_si128(pairs47)),
                                    _mm256_shuffle_epi32(sums32, 0xAA)));
        mins = _mm256_add_epi32(
            mins, _mm256_madd_epi16(_mm256_cvtepu8_epi16(_mm256_extracti128_si256(pairs47, 1)),
                                    _mm256_shuffle_epi32(sums32, 0xFF)));
        const __m256 yd = _mm256_set1_ps(y[i].d);
        acc = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtph_ps(load128(x[i].d)), yd),
                              _mm256_cvtepi32_ps(sumi), acc);
        accMin = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtph_ps(load128(x[i].dmin)), yd),
                                 _mm256_cvtepi32_ps(mins), accMin);
    }
    _mm256_storeu_ps(out, _mm256_sub_ps(acc, accMin));
}

// Q6_K for 8 rows (BlockQ6Kx8), as dotQ4Kx8Avx2. Levels 0..63 reach 2 * 63 * 127 per pair, so
// two products are added in 16 bits before each scale; the scale is per 16 values (4 vectors).
// The -32 of the levels is applied once per block through the activation sums, as dotQ6KAvx2.
QS_AVX2 void dotQ6Kx8Avx2(const void* w, const void* a, std::int64_t n, float* out) {
    const auto* x = static_cast<const BlockQ6Kx8*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    // From a vector of scale pairs (16-bit, row r's pair in 32-bit lane r): the even (odd) one
    // in both halves of the lane.
    const __m256i evenScale = _mm256_setr_epi8(0, 1, 0, 1, 4, 5, 4, 5, 8, 9, 8, 9, 12, 13, 12, 13,
                                               0, 1, 0, 1, 4, 5, 4, 5, 8, 9, 8, 9, 12, 13, 12, 13);
    const __m256i oddScale = _mm256_add_epi8(evenScale, _mm256_set1_epi8(2));
    __m256 acc = _mm256_setzero_ps();
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const std::int8_t* act = y[i].qs;
        const std::int8_t* scales = x[i].scales;
        __m256i sumi = _mm256_setzero_si256();
        // q[h] holds level vectors k0 + 8c, c = 0..3 (k0 = h, or h + 24 from h = 8 on); the
        // scale of vector k is k / 4, so h = 4m..4m+3 share the scales m' + 2c (m' = k0 / 4).
        for (int m = 0; m < 4; ++m) {
            const int firstScale = m < 2 ? m : m + 6;
            __m256i scale[4];
            for (int c = 0; c < 4; ++c) {
                const int s = firstScale + 2 * c;
                const __m256i pairs = _mm256_cvtepi8_epi16(load128(scales + 16 * (s / 2)));
                scale[c] = _mm256_shuffle_epi8(pairs, s % 2 ? oddScale : evenScale);
            }
            for (int half = 0; half < 2; ++half) {
                __m256i sum16[4];
                for (int e = 0; e < 2; ++e) {
                    const int h = 4 * m + 2 * half + e;
                    const __m256i low = load256(x[i].q[h][0]);
                    const __m256i high = load256(x[i].q[h][1]);
                    const __m256i top = load256(x[i].q[h][2]);
                    __m256i level[4];
                    avx2::levelsQ6Kx8(low, high, top, level);
                    const int k0 = h < 8 ? h : h + 24;
                    for (int c = 0; c < 4; ++c) {
                        const __m256i p =
                            _mm256_maddubs_epi16(level[c], broadcast4(act + 4 * (k0 + 8 * c)));
                        sum16[c] = e == 0 ? p : _mm256_add_epi16(sum16[c], p);
                    }
                }
                for (int c = 0; c < 4; ++c) {
                    sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(sum16[c], scale[c]));
                }
            }
        }
        // 32 * sum over the 16 scales of scale * (sum of its 16 activations), per row.
        __m256i offset = _mm256_setzero_si256();
        for (int p = 0; p < 8; ++p) {
            offset = _mm256_add_epi32(
                offset, _mm256_madd_epi16(
                            _mm256_cvtepi8_epi16(load128(scales + 16 * p)),
                            broadcast4(reinterpret_cast<const std::int8_t*>(y[i].bsums + 2 * p))));
        }
        sumi = _mm256_sub_epi32(sumi, _mm256_slli_epi32(offset, 5));
        acc =
            _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtph_ps(load128(x[i].d)), _mm256_set1_ps(y[i].d)),
                            _mm256_cvtepi32_ps(sumi), acc);
    }
    _mm256_storeu_ps(out, acc);
}

// F16 for 8 rows: one activation load per 8 columns serves the 8 rows, each row keeps its own
// 8-lane sum, and the 8 sums are reduced together at the end.
QS_AVX2 void dotF16x8Avx2(const void* w, const void* a, std::int64_t n, float* out) {
    const auto* x = static_cast<const std::uint16_t*>(w);
    const auto* y = static_cast<const float*>(a);
    __m256 acc[8];
    for (auto& v : acc) {
        v = _mm256_setzero_ps();
    }
    for (std::int64_t c = 0; c < n / 8; ++c) {
        const __m256 act = _mm256_loadu_ps(y + 8 * c);
        for (int r = 0; r < 8; ++r) {
            acc[r] = _mm256_fmadd_ps(_mm256_cvtph_ps(load128(x + 64 * c + 8 * r)), act, acc[r]);
        }
    }
    _mm256_storeu_ps(out, avx2::sumRows8(acc));
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

// Row tiles (VecDotTileFn): one weight row against T inputs. Each block's levels and scales
// are decoded once and used for all T inputs; per input the integer sums land in the same
// lanes as in the row kernel above (integer adds in any order give the same sums), and the
// float scaling, accumulation and final sums are the row kernel's operations in its order, in
// this same file so that the compiler treats the float expressions alike. So every result has
// exactly the row kernel's bits.
namespace {

// Input t's Q8_K block i.
QS_AVX2_INLINE const BlockQ8K* q8kBlock(const std::byte* a, std::size_t stride, int t,
                                        std::int64_t i) {
    return reinterpret_cast<const BlockQ8K*>(a + stride * static_cast<std::size_t>(t)) + i;
}

// dotQ5KAvx2 for T inputs.
template <int T>
QS_AVX2_INLINE void q5kRowTile(const BlockQ5K* x, const std::byte* a, std::size_t stride,
                               std::int64_t blocks, float* out, std::int64_t outStride) {
    const __m256i lowNibble = _mm256_set1_epi8(0x0F);
    const __m256i bit0 = _mm256_set1_epi8(1);
    __m256 acc[T];
    __m128 accMin[T];
    for (int t = 0; t < T; ++t) {
        acc[t] = _mm256_setzero_ps();
        accMin[t] = _mm_setzero_ps();
    }
    for (std::int64_t i = 0; i < blocks; ++i) {
        const __m128i scalesMins = unpackScalesMinsK4Vector(x[i].scales);
        const __m256i scalesBoth = scalesBothLanesK4(scalesMins);
        __m256i high = load256(x[i].qh);
        __m256i sumi[T];
        for (int t = 0; t < T; ++t) {
            sumi[t] = _mm256_setzero_si256();
        }
        for (int j = 0; j < 4; ++j) {
            const __m256i q = load256(x[i].qs + 32 * j);
            const __m256i loHigh = _mm256_slli_epi16(_mm256_and_si256(high, bit0), 4);
            const __m256i hiHigh =
                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(high, 1), bit0), 4);
            const __m256i lo = _mm256_or_si256(_mm256_and_si256(q, lowNibble), loHigh);
            const __m256i hi =
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q, 4), lowNibble), hiHigh);
            const __m256i scaleLo = broadcastScale(scalesBoth, 2 * j);
            const __m256i scaleHi = broadcastScale(scalesBoth, 2 * j + 1);
            for (int t = 0; t < T; ++t) {
                const std::int8_t* act = q8kBlock(a, stride, t, i)->qs + 64 * j;
                sumi[t] = _mm256_add_epi32(sumi[t], scaledChunk(lo, act, scaleLo));
                sumi[t] = _mm256_add_epi32(sumi[t], scaledChunk(hi, act + 32, scaleHi));
            }
            high = _mm256_srli_epi16(high, 2);
        }
        for (int t = 0; t < T; ++t) {
            const BlockQ8K* y = q8kBlock(a, stride, t, i);
            const float d = y->d * halfToFloat(x[i].d);
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi[t]), acc[t]);
            accMin[t] =
                _mm_fmadd_ps(_mm_set1_ps(y->d * halfToFloat(x[i].dmin)),
                             _mm_cvtepi32_ps(minsTimesSums(scalesMins, y->bsums)), accMin[t]);
        }
    }
    for (int t = 0; t < T; ++t) {
        out[outStride * t] = horizontalSum(acc[t]) - horizontalSum(accMin[t]);
    }
}

// dotQ3KAvx2 for T inputs.
template <int T>
QS_AVX2_INLINE void q3kRowTile(const BlockQ3K* x, const std::byte* a, std::size_t stride,
                               std::int64_t blocks, float* out, std::int64_t outStride) {
    const __m256i twoBits = _mm256_set1_epi8(3);
    const __m256i bit2 = _mm256_set1_epi8(4);
    __m256 acc[T];
    for (int t = 0; t < T; ++t) {
        acc[t] = _mm256_setzero_ps();
    }
    for (std::int64_t i = 0; i < blocks; ++i) {
        const __m128i scaleBytes = unpackScalesQ3KVector(x[i].scales);
        const Scales16 scales = splitScales16(scaleBytes);
        __m256i hmask = load256(x[i].hmask);
        __m256i sumi[T];
        for (int t = 0; t < T; ++t) {
            sumi[t] = _mm256_setzero_si256();
        }
        for (int b = 0; b < 2; ++b) {
            const __m256i qs = load256(x[i].qs + 32 * b);
            const __m256i sc = b == 0 ? scales.first : scales.second;
            for (int k = 0; k < 4; ++k) {
                const __m256i low = _mm256_and_si256(_mm256_srli_epi16(qs, 2 * k), twoBits);
                const __m256i high = _mm256_and_si256(_mm256_slli_epi16(hmask, 2), bit2);
                const __m256i levels = _mm256_or_si256(low, high);
                const __m256i scale = pairScales(sc, k);
                for (int t = 0; t < T; ++t) {
                    const std::int8_t* act = q8kBlock(a, stride, t, i)->qs + 128 * b + 32 * k;
                    sumi[t] = _mm256_add_epi32(sumi[t], scaledChunk(levels, act, scale));
                }
                hmask = _mm256_srli_epi16(hmask, 1);
            }
        }
        for (int t = 0; t < T; ++t) {
            const BlockQ8K* y = q8kBlock(a, stride, t, i);
            const __m256i offset = _mm256_slli_epi32(scalesTimesSums(scaleBytes, y->bsums), 2);
            const float d = y->d * halfToFloat(x[i].d);
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(d),
                                     _mm256_cvtepi32_ps(_mm256_sub_epi32(sumi[t], offset)), acc[t]);
        }
    }
    for (int t = 0; t < T; ++t) {
        out[outStride * t] = horizontalSum(acc[t]);
    }
}

// dotQ2KAvx2 for T inputs.
template <int T>
QS_AVX2_INLINE void q2kRowTile(const BlockQ2K* x, const std::byte* a, std::size_t stride,
                               std::int64_t blocks, float* out, std::int64_t outStride) {
    const __m256i twoBits = _mm256_set1_epi8(3);
    const __m128i lowNibble = _mm_set1_epi8(0x0F);
    __m256 acc[T];
    float minSum[T];
    for (int t = 0; t < T; ++t) {
        acc[t] = _mm256_setzero_ps();
        minSum[t] = 0.0f;
    }
    for (std::int64_t i = 0; i < blocks; ++i) {
        const __m128i packed = load128(x[i].scales); // low nibble scale, high nibble min
        const __m128i scaleBytes = _mm_and_si128(packed, lowNibble);
        const __m256i mins16 =
            _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(packed, 4), lowNibble));
        const Scales16 scales{_mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(scaleBytes)),
                              _mm256_broadcastsi128_si256(
                                  _mm_cvtepu8_epi16(_mm_unpackhi_epi64(scaleBytes, scaleBytes)))};
        __m256i sumi[T];
        for (int t = 0; t < T; ++t) {
            sumi[t] = _mm256_setzero_si256();
        }
        for (int b = 0; b < 2; ++b) {
            const __m256i qs = load256(x[i].qs + 32 * b);
            const __m256i sc = b == 0 ? scales.first : scales.second;
            for (int k = 0; k < 4; ++k) {
                const __m256i q = _mm256_and_si256(_mm256_srli_epi16(qs, 2 * k), twoBits);
                const __m256i scale = pairScales(sc, k);
                for (int t = 0; t < T; ++t) {
                    const std::int8_t* act = q8kBlock(a, stride, t, i)->qs + 128 * b + 32 * k;
                    sumi[t] = _mm256_add_epi32(sumi[t], scaledChunk(q, act, scale));
                }
            }
        }
        for (int t = 0; t < T; ++t) {
            const BlockQ8K* y = q8kBlock(a, stride, t, i);
            const int mins = horizontalSum(_mm256_madd_epi16(mins16, load256(y->bsums)));
            const float d = y->d * halfToFloat(x[i].d);
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi[t]), acc[t]);
            minSum[t] += y->d * halfToFloat(x[i].dmin) * static_cast<float>(mins);
        }
    }
    for (int t = 0; t < T; ++t) {
        out[outStride * t] = horizontalSum(acc[t]) - minSum[t];
    }
}

template <int T>
struct Q5KRowTile {
    QS_AVX2_INLINE static void run(const void* w, const std::byte* a, std::size_t stride,
                                   std::int64_t blocks, float* out, std::int64_t outStride) {
        q5kRowTile<T>(static_cast<const BlockQ5K*>(w), a, stride, blocks, out, outStride);
    }
};

template <int T>
struct Q3KRowTile {
    QS_AVX2_INLINE static void run(const void* w, const std::byte* a, std::size_t stride,
                                   std::int64_t blocks, float* out, std::int64_t outStride) {
        q3kRowTile<T>(static_cast<const BlockQ3K*>(w), a, stride, blocks, out, outStride);
    }
};

template <int T>
struct Q2KRowTile {
    QS_AVX2_INLINE static void run(const void* w, const std::byte* a, std::size_t stride,
                                   std::int64_t blocks, float* out, std::int64_t outStride) {
        q2kRowTile<T>(static_cast<const BlockQ2K*>(w), a, stride, blocks, out, outStride);
    }
};

// Tile<T> for a tile of `count` <= T inputs.
template <template <int> class Tile, int T>
QS_AVX2_INLINE void runRowTile(std::int64_t count, const void* w, const std::byte* a,
                               std::size_t stride, std::int64_t blocks, float* out,
                               std::int64_t outStride) {
    if (count == T) {
        Tile<T>::run(w, a, stride, blocks, out, outStride);
    } else if constexpr (T > 1) {
        runRowTile<Tile, T - 1>(count, w, a, stride, blocks, out, outStride);
    }
}

// The inputs in tiles of kMax, the last one smaller.
template <int kMax, template <int> class Tile, int kBlockValues = kQK>
QS_AVX2_INLINE void runRowTiles(const void* w, const void* a, std::size_t stride,
                                std::int64_t inputs, std::int64_t n, float* out,
                                std::int64_t outStride) {
    const auto* act = static_cast<const std::byte*>(a);
    for (std::int64_t t0 = 0; t0 < inputs; t0 += kMax) {
        const std::int64_t count = std::min<std::int64_t>(kMax, inputs - t0);
        runRowTile<Tile, kMax>(count, w, act + stride * static_cast<std::size_t>(t0), stride,
                               n / kBlockValues, out + outStride * t0, outStride);
    }
}

} // namespace

QS_AVX2 void dotQ5KTileAvx2(const void* w, const void* a, std::size_t stride, std::int64_t inputs,
                            std::int64_t n, float* out, std::int64_t outStride) {
    runRowTiles<kRowTileInputs, Q5KRowTile>(w, a, stride, inputs, n, out, outStride);
}

QS_AVX2 void dotQ3KTileAvx2(const void* w, const void* a, std::size_t stride, std::int64_t inputs,
                            std::int64_t n, float* out, std::int64_t outStride) {
    runRowTiles<kRowTileInputs, Q3KRowTile>(w, a, stride, inputs, n, out, outStride);
}

QS_AVX2 void dotQ2KTileAvx2(const void* w, const void* a, std::size_t stride, std::int64_t inputs,
                            std::int64_t n, float* out, std::int64_t outStride) {
    runRowTiles<kRowTileInputs, Q2KRowTile>(w, a, stride, inputs, n, out, outStride);
}

namespace {

// Signed by signed bytes: |x| times y with x's sign, as _mm256_maddubs_epi16 wants.
QS_AVX2_INLINE __m256i signedDot(__m256i x, __m256i y) {
    const __m256i products = _mm256_maddubs_epi16(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
    return _mm256_madd_epi16(products, _mm256_set1_epi16(1));
}

} // namespace

// Q8_0 for 8 rows (BlockQ8_0x8): signed weights times signed activations as |w| times the
// activations with w's sign (_mm256_maddubs_epi16 wants one unsigned side), one 4-byte
// activation broadcast per quad for all 8 rows.
QS_AVX2 void dotQ8_0x8Avx2(const void* w, const void* a, std::int64_t n, float* out) {
    const auto* x = static_cast<const BlockQ8_0x8*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc = _mm256_setzero_ps();
    for (std::int64_t i = 0; i < n / kQK32; ++i) {
        __m256i sumi = _mm256_setzero_si256();
        for (int g = 0; g < 8; ++g) {
            const __m256i q = load256(x[i].qs[g]);
            const __m256i p = _mm256_maddubs_epi16(
                _mm256_abs_epi8(q), _mm256_sign_epi8(broadcast4(y[i].qs + 4 * g), q));
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p, ones));
        }
        acc = _mm256_fmadd_ps(
            _mm256_mul_ps(_mm256_cvtph_ps(load128(x[i].d)), _mm256_set1_ps(halfToFloat(y[i].d))),
            _mm256_cvtepi32_ps(sumi), acc);
    }
    _mm256_storeu_ps(out, acc);
}

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

namespace {

// dotQ4_0Avx2 for T inputs: the levels and their magnitudes once per block, their signs put on
// each input's activations as signedDot does.
template <int T>
QS_AVX2_INLINE void q4_0RowTile(const BlockQ4_0* x, const std::byte* a, std::size_t stride,
                                std::int64_t blocks, float* out, std::int64_t outStride) {
    const __m256i lowNibble = _mm256_set1_epi8(0x0F);
    const __m256i eight = _mm256_set1_epi8(8);
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[T];
    for (int t = 0; t < T; ++t) {
        acc[t] = _mm256_setzero_ps();
    }
    for (std::int64_t i = 0; i < blocks; ++i) {
        const __m128i packed = load128(x[i].qs);
        const __m256i both = _mm256_set_m128i(_mm_srli_epi16(packed, 4), packed);
        const __m256i q = _mm256_sub_epi8(_mm256_and_si256(both, lowNibble), eight);
        const __m256i magnitude = _mm256_sign_epi8(q, q);
        const float xd = halfToFloat(x[i].d);
        for (int t = 0; t < T; ++t) {
            const BlockQ8_0* y =
                reinterpret_cast<const BlockQ8_0*>(a + stride * static_cast<std::size_t>(t)) + i;
            const __m256i products =
                _mm256_maddubs_epi16(magnitude, _mm256_sign_epi8(load256(y->qs), q));
            const float d = xd * halfToFloat(y->d);
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(d),
                                     _mm256_cvtepi32_ps(_mm256_madd_epi16(products, ones)), acc[t]);
        }
    }
    for (int t = 0; t < T; ++t) {
        out[outStride * t] = horizontalSum(acc[t]);
    }
}

template <int T>
struct Q4_0RowTile {
    QS_AVX2_INLINE static void run(const void* w, const std::byte* a, std::size_t stride,
                                   std::int64_t blocks, float* out, std::int64_t outStride) {
        q4_0RowTile<T>(static_cast<const BlockQ4_0*>(w), a, stride, blocks, out, outStride);
    }
};

} // namespace

QS_AVX2 void dotQ4_0TileAvx2(const void* w, const void* a, std::size_t stride, std::int64_t inputs,
                             std::int64_t n, float* out, std::int64_t outStride) {
    runRowTiles<kRowTileInputs, Q4_0RowTile, kQK32>(w, a, stride, inputs, n, out, outStride);
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

QS_AVX2 void quantizeQ8KAvx2(const float* x, void* blocks, std::int64_t n) {
    auto* out = static_cast<BlockQ8K*>(blocks);
    const __m256 signBit = _mm256_set1_ps(-0.0f);
    for (std::int64_t b = 0; b + kQK <= n; b += kQK, ++out) {
        const float* xb = x + b;
        // max(|x|, m) keeps m for a NaN, which the scalar search skips too.
        __m256 m = _mm256_setzero_ps();
        for (int i = 0; i < kQK; i += 8) {
            m = _mm256_max_ps(_mm256_andnot_ps(signBit, _mm256_loadu_ps(xb + i)), m);
        }
        __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
        const float amax = _mm_cvtss_f32(m4);
        if (amax == 0.0f) {
            *out = BlockQ8K{};
            continue;
        }
        // The scalar version keeps the first value of largest magnitude, with its sign.
        float max = 0.0f;
        for (int i = 0; i < kQK; ++i) {
            if (std::fabs(xb[i]) == amax) {
                max = xb[i];
                break;
            }
        }
        const float iscale = -127.0f / max;
        out->d = 1.0f / iscale;
        const __m256 scale = _mm256_set1_ps(iscale);
        for (int i = 0; i < kQK; i += 32) {
            __m256i q[4];
            for (int k = 0; k < 4; ++k) {
                // Ties to even, as the scalar nearestInt; |values| <= 127 need no clamp but the
                // saturating packs below give min(127, .) anyway.
                const __m256 v =
                    _mm256_round_ps(_mm256_mul_ps(scale, _mm256_loadu_ps(xb + i + 8 * k)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
                q[k] = _mm256_cvtps_epi32(v);
            }
            // The packs work per 128-bit lane; the permutation puts the 32 bytes back in order.
            const __m256i bytes =
                _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
            const __m256i ordered =
                _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(out->qs + i), ordered);
        }
        for (int g = 0; g < kQK / 16; ++g) {
            // Sums of 16 bytes: pair sums against ones, then a horizontal add of 8 words.
            const __m128i pairs =
                _mm_maddubs_epi16(_mm_set1_epi8(1), load128(out->qs + 16 * g)); // u8 1 x s8
            const __m128i quads = _mm_madd_epi16(pairs, _mm_set1_epi16(1));
            __m128i s = _mm_add_epi32(quads, _mm_shuffle_epi32(quads, _MM_SHUFFLE(1, 0, 3, 2)));
            s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
            out->bsums[g] = static_cast<std::int16_t>(_mm_cvtsi128_si32(s));
        }
    }
}

QS_AVX2 void roundToHalfAvx2(float* x, std::int64_t n) {
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        // F16C rounds to nearest, ties to even, as fp32ToFp16, whatever MXCSR says.
        const __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT);
        _mm256_storeu_ps(x + i, _mm256_cvtph_ps(h));
    }
    for (; i < n; ++i) {
        x[i] = _cvtsh_ss(_cvtss_sh(x[i], _MM_FROUND_TO_NEAREST_INT));
    }
}

} // namespace qs::core::vecdot

#endif
