#include "core/eval/activation_rounding.h"

#include "core/quant/half.h"

#include <algorithm>
#include <cmath>

namespace qs::core {

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

namespace {

// quantize_row_q8_0/q8_1: per 32 values d = amax/127, q = round(x/d); the dot product uses d
// rounded to half.
void roundQ8Blocks32(float* x, std::int64_t n) {
    for (std::int64_t b = 0; b + 32 <= n; b += 32) {
        float amax = 0.0f;
        for (int i = 0; i < 32; ++i) {
            amax = std::max(amax, std::fabs(x[b + i]));
        }
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        const float dHalf = fp16ToFp32(fp32ToFp16(d));
        for (int i = 0; i < 32; ++i) {
            x[b + i] = dHalf * std::round(x[b + i] * id);
        }
    }
}

// quantize_row_q8_K: per 256 values the signed value of largest magnitude maps to -127; the
// scale stays a float.
void roundQ8KBlocks(float* x, std::int64_t n) {
    for (std::int64_t b = 0; b + 256 <= n; b += 256) {
        float amax = 0.0f;
        float max = 0.0f;
        for (int i = 0; i < 256; ++i) {
            if (std::fabs(x[b + i]) > amax) {
                amax = std::fabs(x[b + i]);
                max = x[b + i];
            }
        }
        if (amax == 0.0f) {
            std::fill(x + b, x + b + 256, 0.0f);
            continue;
        }
        const float iscale = -127.0f / max;
        const float d = 1.0f / iscale;
        for (int i = 0; i < 256; ++i) {
            const float q = std::min(127.0f, std::nearbyint(iscale * x[b + i]));
            x[b + i] = d * q;
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
