#include "core/eval/vec_dot_avx2_common.h"

#if defined(QS_VEC_DOT_AVX2)

#include "core/quant/block_types.h"
#include "core/quant/half.h"
#include "core/quant/iq_grids.h"

#include <cstring>

// AVX2 builds of the i-quant dot products (vec_dot_iquants.cpp has the portable ones). Each
// 32-value group is four 8-value code-book entries (eight 4-value ones for IQ3) gathered into
// one vector of unsigned magnitudes; the sign bits become +-1 bytes that _mm256_sign_epi8 puts
// on the activations, _mm256_maddubs_epi16 multiplies, and _mm256_madd_epi16 applies the
// group's scales. Every sum is an exact integer until the one float product per super-block,
// which is the portable kernel's, so both builds return the same bits (tst_vec_dot checks it).
namespace qs::core::vecdot {

using namespace qs::core::quant;
namespace grid = qs::core::quant::iqgrid;

namespace {

// A sign byte as 8 multipliers, one per value: 0xFF (-1) where the bit is set, else 0x01.
struct SignMasks {
    std::uint64_t byBits[256];      // IQ2_S, IQ3_S: 8 stored sign bits
    std::uint64_t byEvenSeven[128]; // IQ2_XXS, IQ2_XS, IQ3_XXS: 7 stored bits + parity
};

const SignMasks& signMasks() {
    static const SignMasks masks = [] {
        SignMasks m{};
        for (unsigned s = 0; s < 256; ++s) {
            std::uint64_t v = 0;
            for (unsigned j = 0; j < 8; ++j) {
                v |= std::uint64_t((s >> j) & 1u ? 0xFF : 0x01) << (8 * j);
            }
            m.byBits[s] = v;
        }
        for (unsigned s = 0; s < 128; ++s) {
            m.byEvenSeven[s] = m.byBits[grid::ksigns()[s]];
        }
        return m;
    }();
    return masks;
}

using avx2::horizontalSum;

// Scales per 16 values of a group: ls1 on values 0..15, ls2 on 16..31 (16-bit lanes 0..7 of
// a maddubs result hold value pairs 0..15).
QS_AVX2_INLINE __m256i halfScales(int ls1, int ls2) {
    return _mm256_set_m128i(_mm_set1_epi16(static_cast<short>(ls2)),
                            _mm_set1_epi16(static_cast<short>(ls1)));
}

// Sum of magnitudes * signs * activations over 32 values, as 16-bit pair sums times `scales`.
QS_AVX2_INLINE __m256i scaledGroupDot(__m256i magnitudes, __m256i signs, const std::int8_t* q8,
                                      __m256i scales) {
    const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q8));
    const __m256i products = _mm256_maddubs_epi16(magnitudes, _mm256_sign_epi8(q, signs));
    return _mm256_madd_epi16(products, scales);
}

QS_AVX2_INLINE __m256i entries64(std::uint64_t e0, std::uint64_t e1, std::uint64_t e2,
                                 std::uint64_t e3) {
    return _mm256_set_epi64x(static_cast<long long>(e3), static_cast<long long>(e2),
                             static_cast<long long>(e1), static_cast<long long>(e0));
}

} // namespace

QS_AVX2 float dotIQ2XXSAvx2(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ2XXS*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    const auto& book = grid::iq2xxs();
    const SignMasks& sign = signMasks();
    float sumf = 0.0f;
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const float d = fp16ToFp32(x[i].d) * y[i].d;
        __m256i acc = _mm256_setzero_si256();
        for (int ib32 = 0; ib32 < kQK / 32; ++ib32) {
            std::uint32_t aux[2];
            std::memcpy(aux, x[i].qs + 4 * ib32, sizeof(aux));
            const __m256i g = entries64(book[aux[0] & 0xFF], book[(aux[0] >> 8) & 0xFF],
                                        book[(aux[0] >> 16) & 0xFF], book[aux[0] >> 24]);
            const __m256i s = entries64(
                sign.byEvenSeven[aux[1] & 127], sign.byEvenSeven[(aux[1] >> 7) & 127],
                sign.byEvenSeven[(aux[1] >> 14) & 127], sign.byEvenSeven[(aux[1] >> 21) & 127]);
            const int ls = 2 * static_cast<int>(aux[1] >> 28) + 1;
            acc = _mm256_add_epi32(acc,
                                   scaledGroupDot(g, s, y[i].qs + 32 * ib32, halfScales(ls, ls)));
        }
        sumf += d * static_cast<float>(horizontalSum(acc));
    }
    return 0.125f * sumf;
}

QS_AVX2 float dotIQ2XSAvx2(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ2XS*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    const auto& book = grid::iq2xs();
    const SignMasks& sign = signMasks();
    float sumf = 0.0f;
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const float d = fp16ToFp32(x[i].d) * y[i].d;
        __m256i acc = _mm256_setzero_si256();
        for (int ib32 = 0; ib32 < kQK / 32; ++ib32) {
            const std::uint16_t* q2 = x[i].qs + 4 * ib32;
            const __m256i g = entries64(book[q2[0] & 511], book[q2[1] & 511], book[q2[2] & 511],
                                        book[q2[3] & 511]);
            const __m256i s = entries64(sign.byEvenSeven[q2[0] >> 9], sign.byEvenSeven[q2[1] >> 9],
                                        sign.byEvenSeven[q2[2] >> 9], sign.byEvenSeven[q2[3] >> 9]);
            const int ls1 = 2 * (x[i].scales[ib32] & 0xF) + 1;
            const int ls2 = 2 * (x[i].scales[ib32] >> 4) + 1;
            acc = _mm256_add_epi32(acc,
                                   scaledGroupDot(g, s, y[i].qs + 32 * ib32, halfScales(ls1, ls2)));
        }
        sumf += d * static_cast<float>(horizontalSum(acc));
    }
    return 0.125f * sumf;
}

QS_AVX2 float dotIQ2SAvx2(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ2S*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    const auto& book = grid::iq2s();
    const SignMasks& sign = signMasks();
    float sumf = 0.0f;
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const float d = fp16ToFp32(x[i].d) * y[i].d;
        const std::uint8_t* qs = x[i].qs;
        const std::uint8_t* signs = x[i].qs + kQK / 8;
        __m256i acc = _mm256_setzero_si256();
        for (int ib32 = 0; ib32 < kQK / 32; ++ib32) {
            const std::uint32_t qh = x[i].qh[ib32];
            const std::uint8_t* q = qs + 4 * ib32;
            const std::uint8_t* sg = signs + 4 * ib32;
            const __m256i g =
                entries64(book[q[0] | ((qh << 8) & 0x300u)], book[q[1] | ((qh << 6) & 0x300u)],
                          book[q[2] | ((qh << 4) & 0x300u)], book[q[3] | ((qh << 2) & 0x300u)]);
            const __m256i s = entries64(sign.byBits[sg[0]], sign.byBits[sg[1]], sign.byBits[sg[2]],
                                        sign.byBits[sg[3]]);
            const int ls1 = 1 + 2 * (x[i].scales[ib32] & 0xF);
            const int ls2 = 1 + 2 * (x[i].scales[ib32] >> 4);
            acc = _mm256_add_epi32(acc,
                                   scaledGroupDot(g, s, y[i].qs + 32 * ib32, halfScales(ls1, ls2)));
        }
        sumf += d * static_cast<float>(horizontalSum(acc));
    }
    return 0.125f * sumf;
}

QS_AVX2 float dotIQ3XXSAvx2(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ3XXS*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    const auto& book = grid::iq3xxs();
    const SignMasks& sign = signMasks();
    float sumf = 0.0f;
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const float d = fp16ToFp32(x[i].d) * y[i].d;
        const std::uint8_t* scalesAndSigns = x[i].qs + kQK / 4;
        __m256i acc = _mm256_setzero_si256();
        for (int ib32 = 0; ib32 < kQK / 32; ++ib32) {
            const std::uint8_t* q3 = x[i].qs + 8 * ib32;
            std::uint32_t aux;
            std::memcpy(&aux, scalesAndSigns + 4 * ib32, sizeof(aux));
            const __m256i g =
                _mm256_set_epi32(static_cast<int>(book[q3[7]]), static_cast<int>(book[q3[6]]),
                                 static_cast<int>(book[q3[5]]), static_cast<int>(book[q3[4]]),
                                 static_cast<int>(book[q3[3]]), static_cast<int>(book[q3[2]]),
                                 static_cast<int>(book[q3[1]]), static_cast<int>(book[q3[0]]));
            const __m256i s =
                entries64(sign.byEvenSeven[aux & 127], sign.byEvenSeven[(aux >> 7) & 127],
                          sign.byEvenSeven[(aux >> 14) & 127], sign.byEvenSeven[(aux >> 21) & 127]);
            const int ls = 2 * static_cast<int>(aux >> 28) + 1;
            acc = _mm256_add_epi32(acc,
                                   scaledGroupDot(g, s, y[i].qs + 32 * ib32, halfScales(ls, ls)));
        }
        sumf += d * static_cast<float>(horizontalSum(acc));
    }
    return 0.25f * sumf;
}

QS_AVX2 float dotIQ3SAvx2(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ3S*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    const auto& book = grid::iq3s();
    const SignMasks& sign = signMasks();
    float sumf = 0.0f;
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const float d = fp16ToFp32(x[i].d) * y[i].d;
        __m256i acc = _mm256_setzero_si256();
        for (int ib32 = 0; ib32 < kQK / 32; ++ib32) {
            const std::uint8_t* qs = x[i].qs + 8 * ib32;
            const std::uint8_t* sg = x[i].signs + 4 * ib32;
            const std::uint32_t qh = x[i].qh[ib32];
            int e[8];
            for (int l = 0; l < 4; ++l) {
                e[2 * l] = static_cast<int>(book[qs[2 * l] | ((qh << (8 - 2 * l)) & 256u)]);
                e[2 * l + 1] = static_cast<int>(book[qs[2 * l + 1] | ((qh << (7 - 2 * l)) & 256u)]);
            }
            const __m256i g = _mm256_set_epi32(e[7], e[6], e[5], e[4], e[3], e[2], e[1], e[0]);
            const __m256i s = entries64(sign.byBits[sg[0]], sign.byBits[sg[1]], sign.byBits[sg[2]],
                                        sign.byBits[sg[3]]);
            const int ls = 2 * ((x[i].scales[ib32 / 2] >> (4 * (ib32 % 2))) & 0xF) + 1;
            acc = _mm256_add_epi32(acc,
                                   scaledGroupDot(g, s, y[i].qs + 32 * ib32, halfScales(ls, ls)));
        }
        sumf += d * static_cast<float>(horizontalSum(acc));
    }
    return sumf;
}

QS_AVX2 float dotIQ1SAvx2(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ1S*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    const auto& book = grid::iq1s();
    const __m256i ones = _mm256_set1_epi8(1);
    float sumf = 0.0f;
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const std::uint8_t* qs = x[i].qs;
        __m256i acc = _mm256_setzero_si256();
        std::int32_t sumDelta = 0;
        for (int ib = 0; ib < kQK / 32; ++ib) {
            const std::uint32_t qh = x[i].qh[ib];
            const std::uint8_t* q = qs + 4 * ib;
            // The entries are -1, 0 or +1: _mm256_sign_epi8 multiplies the activations by them.
            const __m256i g = entries64(
                book[q[0] | ((qh & 7u) << 8)], book[q[1] | (((qh >> 3) & 7u) << 8)],
                book[q[2] | (((qh >> 6) & 7u) << 8)], book[q[3] | (((qh >> 9) & 7u) << 8)]);
            const int ls = 2 * static_cast<int>((qh >> 12) & 7u) + 1;
            const __m256i act =
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[i].qs + 32 * ib));
            const __m256i pairs = _mm256_maddubs_epi16(ones, _mm256_sign_epi8(act, g));
            acc = _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, halfScales(ls, ls)));
            const std::int32_t delta = (qh & 0x8000u) ? -1 : 1;
            sumDelta += ls * delta * (y[i].bsums[2 * ib] + y[i].bsums[2 * ib + 1]);
        }
        sumf += fp16ToFp32(x[i].d) * y[i].d *
                (static_cast<float>(horizontalSum(acc)) +
                 grid::kIq1sDelta * static_cast<float>(sumDelta));
    }
    return sumf;
}

QS_AVX2 float dotIQ1MAvx2(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ1M*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    const auto& book = grid::iq1s();
    const __m256i ones = _mm256_set1_epi8(1);
    constexpr std::uint64_t kPlus = 0x0101010101010101ull;
    constexpr std::uint64_t kMinus = 0xFFFFFFFFFFFFFFFFull;
    float sumf = 0.0f;
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        std::uint16_t sc[4];
        std::memcpy(sc, x[i].scales, sizeof(sc));
        const std::uint16_t dBits = static_cast<std::uint16_t>(
            (sc[0] >> 12) | ((sc[1] >> 8) & 0x00F0) | ((sc[2] >> 4) & 0x0F00) | (sc[3] & 0xF000));
        __m256i accGrid = _mm256_setzero_si256();
        __m256i accDelta = _mm256_setzero_si256();
        for (int ib = 0; ib < kQK / 32; ++ib) {
            const std::uint8_t* q = x[i].qs + 4 * ib;
            const std::uint32_t h0 = x[i].qh[2 * ib];
            const std::uint32_t h1 = x[i].qh[2 * ib + 1];
            const __m256i g =
                entries64(book[q[0] | ((h0 << 8) & 0x700u)], book[q[1] | ((h0 << 4) & 0x700u)],
                          book[q[2] | ((h1 << 8) & 0x700u)], book[q[3] | ((h1 << 4) & 0x700u)]);
            const __m256i deltas =
                entries64(h0 & 0x08u ? kMinus : kPlus, h0 & 0x80u ? kMinus : kPlus,
                          h1 & 0x08u ? kMinus : kPlus, h1 & 0x80u ? kMinus : kPlus);
            const int ls1 = 2 * ((sc[ib / 2] >> (6 * (ib % 2))) & 0x7) + 1;
            const int ls2 = 2 * ((sc[ib / 2] >> (6 * (ib % 2) + 3)) & 0x7) + 1;
            const __m256i scales = halfScales(ls1, ls2);
            const __m256i act =
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[i].qs + 32 * ib));
            accGrid = _mm256_add_epi32(
                accGrid,
                _mm256_madd_epi16(_mm256_maddubs_epi16(ones, _mm256_sign_epi8(act, g)), scales));
            accDelta = _mm256_add_epi32(
                accDelta, _mm256_madd_epi16(
                              _mm256_maddubs_epi16(ones, _mm256_sign_epi8(act, deltas)), scales));
        }
        sumf += fp16ToFp32(dBits) * y[i].d *
                (static_cast<float>(horizontalSum(accGrid)) +
                 grid::kIq1mDelta * static_cast<float>(horizontalSum(accDelta)));
    }
    return sumf;
}

} // namespace qs::core::vecdot

#endif
