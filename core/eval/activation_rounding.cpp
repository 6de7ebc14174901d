#include "core/eval/activation_rounding.h"

#include "core/eval/cpu_type_traits.h"
#include "core/quant/half.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace qs::core {

namespace {

// ggml's nearest_int: round half to even by adding 1.5 * 2^23 (|x| <= 2^22), as
// std::nearbyint in the default rounding mode but without a libm call per value.
inline int nearestInt(float x) {
    const float shifted = x + 12582912.0f;
    return static_cast<int>(std::bit_cast<std::uint32_t>(shifted) & 0x007fffffu) - 0x00400000;
}

} // namespace

using quant::BlockQ8_0;
using quant::BlockQ8K;

GgmlType activationTypeFor(GgmlType weightType) {
    return cpuTypeTraits(weightType).vecDotType;
}

// quantize_row_q8_0/q8_1: per 32 values d = amax/127, q = round(x/d); the dot product uses d
// rounded to half (q8_1's extra sum does not change the values).
void quantizeActivationsQ8_0(const float* x, BlockQ8_0* out, std::int64_t n) {
    for (std::int64_t b = 0; b + 32 <= n; b += 32, ++out) {
        float amax = 0.0f;
        for (int i = 0; i < 32; ++i) {
            amax = std::max(amax, std::fabs(x[b + i]));
        }
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        out->d = fp32ToFp16(d);
        for (int i = 0; i < 32; ++i) {
            out->qs[i] = static_cast<std::int8_t>(std::round(x[b + i] * id));
        }
    }
}

// quantize_row_q8_K: per 256 values the signed value of largest magnitude maps to -127; the
// scale stays a float. bsums (sums of 16 consecutive qs) let k-quant kernels apply mins and
// offsets once per 16 values.
void quantizeActivationsQ8K(const float* x, BlockQ8K* out, std::int64_t n) {
    for (std::int64_t b = 0; b + 256 <= n; b += 256, ++out) {
        float amax = 0.0f;
        float max = 0.0f;
        for (int i = 0; i < 256; ++i) {
            if (std::fabs(x[b + i]) > amax) {
                amax = std::fabs(x[b + i]);
                max = x[b + i];
            }
        }
        if (amax == 0.0f) {
            *out = BlockQ8K{};
            continue;
        }
        const float iscale = -127.0f / max;
        out->d = 1.0f / iscale;
        for (int i = 0; i < 256; ++i) {
            out->qs[i] = static_cast<std::int8_t>(std::min(127, nearestInt(iscale * x[b + i])));
        }
        for (int g = 0; g < 16; ++g) {
            int sum = 0;
            for (int i = 0; i < 16; ++i) {
                sum += out->qs[16 * g + i];
            }
            out->bsums[g] = static_cast<std::int16_t>(sum);
        }
    }
}

void roundActivations(GgmlType type, float* x, std::int64_t n) {
    if (const auto round = cpuTypeTraits(type).roundInPlace) {
        round(x, n);
    }
}

} // namespace qs::core
