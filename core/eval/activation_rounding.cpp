#include "core/eval/activation_rounding.h"

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
    switch (weightType) {
    case GgmlType::F32:
        return GgmlType::F32;
    case GgmlType::F16:
        return GgmlType::F16;
    case GgmlType::BF16:
        return GgmlType::BF16;
    case GgmlType::Q4_0:
    case GgmlType::Q5_0:
    case GgmlType::Q8_0:
    case GgmlType::IQ4_NL:
    case GgmlType::MXFP4:
        return GgmlType::Q8_0;
    case GgmlType::Q4_1:
    case GgmlType::Q5_1:
        return GgmlType::Q8_1;
    default:
        return GgmlType::Q8_K; // Q2_K..Q6_K, IQ2/IQ3/IQ1, IQ4_XS, TQ1_0, TQ2_0
    }
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

namespace {

void roundQ8Blocks32(float* x, std::int64_t n) {
    for (std::int64_t b = 0; b + 32 <= n; b += 32) {
        BlockQ8_0 block;
        quantizeActivationsQ8_0(x + b, &block, 32);
        const float d = fp16ToFp32(block.d);
        for (int i = 0; i < 32; ++i) {
            x[b + i] = d * static_cast<float>(block.qs[i]);
        }
    }
}

void roundQ8KBlocks(float* x, std::int64_t n) {
    for (std::int64_t b = 0; b + 256 <= n; b += 256) {
        BlockQ8K block;
        quantizeActivationsQ8K(x + b, &block, 256);
        for (int i = 0; i < 256; ++i) {
            x[b + i] = block.d * static_cast<float>(block.qs[i]);
        }
    }
}

} // namespace

void roundActivations(GgmlType type, float* x, std::int64_t n) {
    switch (type) {
    case GgmlType::F16:
        for (std::int64_t i = 0; i < n; ++i) {
            x[i] = fp16ToFp32(fp32ToFp16(x[i]));
        }
        return;
    case GgmlType::BF16:
        for (std::int64_t i = 0; i < n; ++i) {
            x[i] = bf16ToFp32(fp32ToBf16(x[i]));
        }
        return;
    case GgmlType::Q8_0:
    case GgmlType::Q8_1:
        roundQ8Blocks32(x, n);
        return;
    case GgmlType::Q8_K:
        roundQ8KBlocks(x, n);
        return;
    default:
        return;
    }
}

} // namespace qs::core
