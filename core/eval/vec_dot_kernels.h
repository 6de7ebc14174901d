#pragma once

#include <cstdint>

// Internal: the kernels behind vec_dot.h, a scalar and an AVX2 build per weight type. Same
// contract as VecDotFn; the AVX2 ones may only run where the CPU has AVX2, FMA and F16C.
namespace qs::core::vecdot {

float dotQ4KScalar(const void* w, const void* a, std::int64_t n);
float dotQ5KScalar(const void* w, const void* a, std::int64_t n);
float dotQ6KScalar(const void* w, const void* a, std::int64_t n);
float dotQ3KScalar(const void* w, const void* a, std::int64_t n);
float dotQ2KScalar(const void* w, const void* a, std::int64_t n);
float dotQ8_0Scalar(const void* w, const void* a, std::int64_t n);
float dotQ4_0Scalar(const void* w, const void* a, std::int64_t n);
float dotF16Scalar(const void* w, const void* a, std::int64_t n);

#if defined(__x86_64__) || defined(__i386__)
#define QS_VEC_DOT_AVX2 1
float dotQ4KAvx2(const void* w, const void* a, std::int64_t n);
float dotQ5KAvx2(const void* w, const void* a, std::int64_t n);
float dotQ6KAvx2(const void* w, const void* a, std::int64_t n);
float dotQ3KAvx2(const void* w, const void* a, std::int64_t n);
float dotQ2KAvx2(const void* w, const void* a, std::int64_t n);
float dotQ8_0Avx2(const void* w, const void* a, std::int64_t n);
float dotQ4_0Avx2(const void* w, const void* a, std::int64_t n);
float dotF16Avx2(const void* w, const void* a, std::int64_t n);
#endif

// The 6-bit scales and mins of a Q4_K/Q5_K block (12 packed bytes) as 8 + 8 bytes: bytes 0..3
// hold the low 6 bits of scales 0..3 (top bits: high bits of scales 4..7), 4..7 the same for
// mins, 8..11 the low nibbles of scales (low) and mins (high) 4..7.
inline void unpackScalesMinsK4(const std::uint8_t* packed, std::uint8_t* scales,
                               std::uint8_t* mins) {
    for (int j = 0; j < 4; ++j) {
        scales[j] = packed[j] & 63;
        mins[j] = packed[j + 4] & 63;
        scales[j + 4] = static_cast<std::uint8_t>((packed[j + 8] & 0xF) | ((packed[j] >> 6) << 4));
        mins[j + 4] = static_cast<std::uint8_t>((packed[j + 8] >> 4) | ((packed[j + 4] >> 6) << 4));
    }
}

// The 16 signed 6-bit scales of a Q3_K block (stored +32): low nibbles in bytes 0..7 (scales
// 0..7 low, 8..15 high nibble), top 2 bits in bytes 8..11.
inline void unpackScalesQ3K(const std::uint8_t* packed, std::int8_t* scales) {
    for (int j = 0; j < 16; ++j) {
        const int low = j < 8 ? packed[j] & 0xF : packed[j - 8] >> 4;
        const int high = (packed[8 + j % 4] >> (2 * (j / 4))) & 3;
        scales[j] = static_cast<std::int8_t>((low | (high << 4)) - 32);
    }
}

} // namespace qs::core::vecdot
