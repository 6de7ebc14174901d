#pragma once

#include <bit>
#include <cstdint>

// IEEE half and bfloat16 conversions with the rounding ggml uses (round to nearest, ties to
// even; NaN stays a quiet NaN). The only place in the project that converts these formats.
namespace qs::core {

// Branch-free so that loops over many values vectorize: exponent rebias for normal numbers
// (again for inf/NaN, whose exponent must become 0xff), an exact int-to-float product for
// subnormals. Checked against the bit-by-bit definition for all 65536 inputs.
inline float fp16ToFp32(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t magnitude = h & 0x7fffu;
    const std::uint32_t rebias = magnitude >= 0x7c00u ? (224u << 23) : (112u << 23);
    const float normal = std::bit_cast<float>((magnitude << 13) + rebias);
    // Subnormal half (and zero): magnitude * 2^-24, exactly representable in float.
    const float subnormal = static_cast<float>(static_cast<std::int32_t>(magnitude)) * 0x1p-24f;
    const float value = magnitude < 0x400u ? subnormal : normal;
    return std::bit_cast<float>(std::bit_cast<std::uint32_t>(value) | sign);
}

inline std::uint16_t fp32ToFp16(float value) {
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
    const std::uint16_t sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000u);
    const std::uint32_t magnitude = bits & 0x7fffffffu;
    if (magnitude > 0x7f800000u) {
        return sign | 0x7e00u; // NaN
    }
    if (magnitude >= 0x477ff000u) {
        return sign | 0x7c00u; // at or above 65520 rounds to infinity
    }
    if (magnitude < 0x38800000u) { // below 2^-14: the result is subnormal or zero
        if (magnitude < 0x33000000u) {
            return sign; // below 2^-25 rounds to zero
        }
        const std::uint32_t exponent = magnitude >> 23;
        const std::uint32_t mantissa = (magnitude & 0x7fffffu) | 0x800000u;
        const std::uint32_t shift = 126u - exponent; // to units of 2^-24
        std::uint32_t q = mantissa >> shift;
        const std::uint32_t rest = mantissa & ((1u << shift) - 1u);
        const std::uint32_t halfway = 1u << (shift - 1u);
        if (rest > halfway || (rest == halfway && (q & 1u))) {
            ++q;
        }
        return sign | static_cast<std::uint16_t>(q);
    }
    const std::uint32_t rebiased = magnitude - 0x38000000u; // exponent bias 127 -> 15
    std::uint32_t q = rebiased >> 13;
    const std::uint32_t rest = rebiased & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (q & 1u))) {
        ++q; // a carry into the exponent is the correct rounding
    }
    return sign | static_cast<std::uint16_t>(q);
}

inline float bf16ToFp32(std::uint16_t h) {
    return std::bit_cast<float>(static_cast<std::uint32_t>(h) << 16);
}

inline std::uint16_t fp32ToBf16(float value) {
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
    if ((bits & 0x7fffffffu) > 0x7f800000u) {
        return static_cast<std::uint16_t>((bits >> 16) | 0x40u); // keep NaN, make it quiet
    }
    const std::uint32_t roundingBias = 0x7fffu + ((bits >> 16) & 1u);
    return static_cast<std::uint16_t>((bits + roundingBias) >> 16);
}

} // namespace qs::core
