#include "core/eval/vec_dot_kernels.h"
#include "core/quant/block_types.h"
#include "core/quant/half.h"
#include "core/quant/iq_grids.h"

#include <cstring>

// Fused dot products of the i-quants with Q8_K activations (ggml's vec_dot_iq*_q8_K): integer
// sums per 32-value group, exact in any order, then ggml's float operations per super-block in
// ggml's order. One portable build: the code books are gathers, so the integer loops are short
// and the compiler vectorizes them well enough for the sizes these types are used at.
namespace qs::core::vecdot {

using namespace qs::core::quant;
namespace grid = qs::core::quant::iqgrid;

namespace {

// Sum over 8 values of magnitude * activation, negated where the sign bit is set.
inline std::int32_t signedDot8(const std::uint8_t* magnitudes, const std::int8_t* q8,
                               std::uint32_t signs) {
    std::int32_t sum = 0;
    for (int j = 0; j < 8; ++j) {
        const std::int32_t p = magnitudes[j] * q8[j];
        sum += ((signs >> j) & 1u) ? -p : p;
    }
    return sum;
}

// The same for two 4-wide IQ3 entries: values 0..3 from the first, 4..7 from the second.
inline std::int32_t signedDot4x2(std::uint32_t first, std::uint32_t second, const std::int8_t* q8,
                                 std::uint32_t signs) {
    std::uint8_t magnitudes[8];
    std::memcpy(magnitudes, &first, 4);
    std::memcpy(magnitudes + 4, &second, 4);
    return signedDot8(magnitudes, q8, signs);
}

// Sum over 8 values of a -1/0/+1 IQ1 entry times the activations.
inline std::int32_t ternaryDot8(std::uint64_t entry, const std::int8_t* q8) {
    std::int8_t values[8];
    std::memcpy(values, &entry, 8);
    std::int32_t sum = 0;
    for (int j = 0; j < 8; ++j) {
        sum += values[j] * q8[j];
    }
    return sum;
}

inline const std::uint8_t* bytesOf(const std::uint64_t& entry) {
    return reinterpret_cast<const std::uint8_t*>(&entry);
}

inline std::uint32_t evenSigns(std::uint32_t sevenBits) {
    return grid::ksigns()[sevenBits & 127u];
}

} // namespace

float dotIQ2XXSScalar(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ2XXS*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    const auto& book = grid::iq2xxs();
    float sumf = 0.0f;
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const float d = fp16ToFp32(x[i].d) * y[i].d;
        const std::int8_t* q8 = y[i].qs;
        std::int32_t bsum = 0;
        for (int ib32 = 0; ib32 < kQK / 32; ++ib32) {
            std::uint32_t aux[2];
            std::memcpy(aux, x[i].qs + 4 * ib32, sizeof(aux));
            const std::int32_t ls = 2 * static_cast<std::int32_t>(aux[1] >> 28) + 1;
            std::int32_t sumi = 0;
            for (int l = 0; l < 4; ++l) {
                const std::uint32_t entry = (aux[0] >> (8 * l)) & 0xFFu;
                sumi += signedDot8(bytesOf(book[entry]), q8, evenSigns(aux[1] >> (7 * l)));
                q8 += 8;
            }
            bsum += sumi * ls;
        }
        sumf += d * static_cast<float>(bsum);
    }
    return 0.125f * sumf;
}

float dotIQ2XSScalar(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ2XS*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    const auto& book = grid::iq2xs();
    float sumf = 0.0f;
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const float d = fp16ToFp32(x[i].d) * y[i].d;
        const std::int8_t* q8 = y[i].qs;
        std::int32_t bsum = 0;
        for (int ib32 = 0; ib32 < kQK / 32; ++ib32) {
            const std::uint16_t* q2 = x[i].qs + 4 * ib32;
            const std::int32_t ls1 = 2 * (x[i].scales[ib32] & 0xF) + 1;
            const std::int32_t ls2 = 2 * (x[i].scales[ib32] >> 4) + 1;
            std::int32_t sumi[2] = {0, 0};
            for (int l = 0; l < 4; ++l) {
                sumi[l / 2] += signedDot8(bytesOf(book[q2[l] & 511u]), q8, evenSigns(q2[l] >> 9));
                q8 += 8;
            }
            bsum += sumi[0] * ls1;
            bsum += sumi[1] * ls2;
        }
        sumf += d * static_cast<float>(bsum);
    }
    return 0.125f * sumf;
}

float dotIQ2SScalar(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ2S*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    const auto& book = grid::iq2s();
    float sumf = 0.0f;
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const float d = fp16ToFp32(x[i].d) * y[i].d;
        const std::int8_t* q8 = y[i].qs;
        const std::uint8_t* qs = x[i].qs;
        const std::uint8_t* signs = x[i].qs + kQK / 8;
        std::int32_t bsum = 0;
        for (int ib32 = 0; ib32 < kQK / 32; ++ib32) {
            const std::int32_t ls1 = 1 + 2 * (x[i].scales[ib32] & 0xF);
            const std::int32_t ls2 = 1 + 2 * (x[i].scales[ib32] >> 4);
            std::int32_t sumi[2] = {0, 0};
            for (int l = 0; l < 4; ++l) {
                const std::uint32_t entry = qs[l] | ((x[i].qh[ib32] << (8 - 2 * l)) & 0x300u);
                sumi[l / 2] += signedDot8(bytesOf(book[entry]), q8, signs[l]);
                q8 += 8;
            }
            bsum += ls1 * sumi[0] + ls2 * sumi[1];
            qs += 4;
            signs += 4;
        }
        sumf += d * static_cast<float>(bsum);
    }
    return 0.125f * sumf;
}

float dotIQ3XXSScalar(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ3XXS*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    const auto& book = grid::iq3xxs();
    float sumf = 0.0f;
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const float d = fp16ToFp32(x[i].d) * y[i].d;
        const std::uint8_t* q3 = x[i].qs;
        const std::uint8_t* scalesAndSigns = x[i].qs + kQK / 4;
        const std::int8_t* q8 = y[i].qs;
        std::int32_t bsum = 0;
        for (int ib32 = 0; ib32 < kQK / 32; ++ib32) {
            std::uint32_t aux;
            std::memcpy(&aux, scalesAndSigns + 4 * ib32, sizeof(aux));
            const std::int32_t ls = 2 * static_cast<std::int32_t>(aux >> 28) + 1;
            std::int32_t sumi = 0;
            for (int l = 0; l < 4; ++l) {
                sumi += signedDot4x2(book[q3[2 * l]], book[q3[2 * l + 1]], q8,
                                     evenSigns(aux >> (7 * l)));
                q8 += 8;
            }
            q3 += 8;
            bsum += sumi * ls;
        }
        sumf += d * static_cast<float>(bsum);
    }
    return 0.25f * sumf;
}

float dotIQ3SScalar(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ3S*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    const auto& book = grid::iq3s();
    float sumf = 0.0f;
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const float d = fp16ToFp32(x[i].d) * y[i].d;
        const std::uint8_t* qs = x[i].qs;
        const std::uint8_t* signs = x[i].signs;
        const std::int8_t* q8 = y[i].qs;
        std::int32_t bsum = 0;
        for (int ib32 = 0; ib32 < kQK / 32; ++ib32) {
            const std::uint32_t qh = x[i].qh[ib32];
            const std::int32_t ls = 2 * ((x[i].scales[ib32 / 2] >> (4 * (ib32 % 2))) & 0xF) + 1;
            std::int32_t sumi = 0;
            for (int l = 0; l < 4; ++l) {
                const std::uint32_t e1 = qs[2 * l] | ((qh << (8 - 2 * l)) & 256u);
                const std::uint32_t e2 = qs[2 * l + 1] | ((qh << (7 - 2 * l)) & 256u);
                sumi += signedDot4x2(book[e1], book[e2], q8, signs[l]);
                q8 += 8;
            }
            qs += 8;
            signs += 4;
            bsum += sumi * ls;
        }
        sumf += d * static_cast<float>(bsum);
    }
    return sumf;
}

float dotIQ1SScalar(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ1S*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    const auto& book = grid::iq1s();
    float sumf = 0.0f;
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const std::int8_t* q8 = y[i].qs;
        const std::uint8_t* qs = x[i].qs;
        std::int32_t sumi = 0, sumDelta = 0;
        for (int ib = 0; ib < kQK / 32; ++ib) {
            const std::uint32_t qh = x[i].qh[ib];
            const std::int32_t ls = 2 * static_cast<std::int32_t>((qh >> 12) & 7u) + 1;
            const std::int32_t delta = (qh & 0x8000u) ? -1 : 1;
            std::int32_t lsum = 0;
            for (int l = 0; l < 4; ++l) {
                lsum += ternaryDot8(book[qs[l] | (((qh >> (3 * l)) & 7u) << 8)], q8);
                q8 += 8;
            }
            sumi += ls * lsum;
            sumDelta += ls * delta * (y[i].bsums[2 * ib] + y[i].bsums[2 * ib + 1]);
            qs += 4;
        }
        sumf += fp16ToFp32(x[i].d) * y[i].d *
                (static_cast<float>(sumi) + grid::kIq1sDelta * static_cast<float>(sumDelta));
    }
    return sumf;
}

float dotIQ1MScalar(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockIQ1M*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    const auto& book = grid::iq1s();
    float sumf = 0.0f;
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        const std::int8_t* q8 = y[i].qs;
        const std::uint8_t* qs = x[i].qs;
        const std::uint8_t* qh = x[i].qh;
        std::uint16_t sc[4];
        std::memcpy(sc, x[i].scales, sizeof(sc));
        // The super-block scale (half) is spread over the top nibbles of the four scale words.
        const std::uint16_t dBits = static_cast<std::uint16_t>(
            (sc[0] >> 12) | ((sc[1] >> 8) & 0x00F0) | ((sc[2] >> 4) & 0x0F00) | (sc[3] & 0xF000));
        std::int32_t sumi1 = 0, sumi2 = 0;
        for (int ib = 0; ib < kQK / 32; ++ib) {
            std::int32_t sum1[2] = {0, 0}, sum2[2] = {0, 0};
            for (int l = 0; l < 4; ++l) {
                const std::uint32_t h = qh[l / 2];
                const std::uint32_t entry = qs[l] | ((h << (8 - 4 * (l % 2))) & 0x700u);
                const std::int32_t delta = ((h >> (4 * (l % 2))) & 0x08u) ? -1 : 1;
                std::int32_t activations = 0;
                for (int j = 0; j < 8; ++j) {
                    activations += q8[j];
                }
                sum1[l / 2] += ternaryDot8(book[entry], q8);
                sum2[l / 2] += activations * delta;
                q8 += 8;
            }
            const std::int32_t ls1 = 2 * ((sc[ib / 2] >> (6 * (ib % 2))) & 0x7) + 1;
            const std::int32_t ls2 = 2 * ((sc[ib / 2] >> (6 * (ib % 2) + 3)) & 0x7) + 1;
            sumi1 += sum1[0] * ls1 + sum1[1] * ls2;
            sumi2 += sum2[0] * ls1 + sum2[1] * ls2;
            qs += 4;
            qh += 2;
        }
        sumf += fp16ToFp32(dBits) * y[i].d *
                (static_cast<float>(sumi1) + grid::kIq1mDelta * static_cast<float>(sumi2));
    }
    return sumf;
}

} // namespace qs::core::vecdot
