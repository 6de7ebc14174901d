// IEEE binary16 <-> binary32 conversions with exactly the results of core/quant/half.h,
// shared by the dequantize and matvec shaders of every family.
#ifndef QS_HALF_CONVERT_GLSL
#define QS_HALF_CONVERT_GLSL

// Exact binary16 -> binary32, subnormals included, without relying on the device's 16-bit
// denormal mode (unpackHalf2x16 may flush them). Same results as core/quant/half.h; selects
// instead of branches.
float halfToFloat(uint h) {
    const uint sign = (h & 0x8000u) << 16;
    const uint exponent = (h >> 10) & 0x1Fu;
    const uint mantissa = h & 0x3FFu;
    // A subnormal half is a normal float: mantissa * 2^-24, exact.
    const uint subnormal = sign | floatBitsToUint(float(mantissa) * 5.9604644775390625e-8);
    const uint normal = sign | ((exponent + 112u) << 23) | (mantissa << 13);
    const uint special = sign | 0x7F800000u | (mantissa << 13);
    const uint bits = exponent == 0u ? subnormal : (exponent == 0x1Fu ? special : normal);
    return uintBitsToFloat(bits);
}

// Round to nearest even, as core/quant/half.h fp32ToFp16, so f16 output is bit-exact too.
uint floatToHalf(float value) {
    const uint bits = floatBitsToUint(value);
    const uint sign = (bits >> 16) & 0x8000u;
    const uint magnitude = bits & 0x7FFFFFFFu;
    if (magnitude > 0x7F800000u) {
        return sign | 0x7E00u;
    }
    if (magnitude >= 0x477FF000u) {
        return sign | 0x7C00u;
    }
    if (magnitude < 0x38800000u) {
        if (magnitude < 0x33000000u) {
            return sign;
        }
        const uint exponent = magnitude >> 23;
        const uint mantissa = (magnitude & 0x7FFFFFu) | 0x800000u;
        const uint shift = 126u - exponent;
        uint q = mantissa >> shift;
        const uint rest = mantissa & ((1u << shift) - 1u);
        const uint halfway = 1u << (shift - 1u);
        if (rest > halfway || (rest == halfway && (q & 1u) != 0u)) {
            ++q;
        }
        return sign | q;
    }
    const uint rebiased = magnitude - 0x38000000u;
    uint q = rebiased >> 13;
    const uint rest = rebiased & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (q & 1u) != 0u)) {
        ++q;
    }
    return sign | q;
}

#endif
