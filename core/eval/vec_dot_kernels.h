#pragma once

#include <cstddef>
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
// vec_dot_iquants.cpp: the i-quants.
float dotIQ2XXSScalar(const void* w, const void* a, std::int64_t n);
float dotIQ2XSScalar(const void* w, const void* a, std::int64_t n);
float dotIQ2SScalar(const void* w, const void* a, std::int64_t n);
float dotIQ3XXSScalar(const void* w, const void* a, std::int64_t n);
float dotIQ3SScalar(const void* w, const void* a, std::int64_t n);
float dotIQ1SScalar(const void* w, const void* a, std::int64_t n);
float dotIQ1MScalar(const void* w, const void* a, std::int64_t n);

// Row groups: 8 consecutive rows of a matrix interleaved block by block, so that a kernel loads
// each activation byte once for 8 rows and gets the 8 results in the 8 lanes of one vector
// instead of 8 horizontal sums (llama.cpp's CPU "repack" buffers do the same). The layouts are
// this project's own, chosen for the AVX2 kernels; the scalar kernels read them too.
//
// Q4_K: one BlockQ4Kx8 per 256 columns, the same bytes as 8 BlockQ4K in another order: the 12
// packed scale bytes transposed (the AVX2 kernel unpacks all 8 rows' scales and mins with a
// dozen vector operations), 4 quant bytes of each row in turn.
struct BlockQ4Kx8 {
    std::uint16_t d[8];         // row r's d (half)
    std::uint16_t dmin[8];      // row r's dmin (half)
    std::uint8_t scales[12][8]; // [packed byte k][row r] = row r's scales[k]
    std::uint8_t qs[1024]; // [32-value chunk j][quad g][row r][byte b] = row r's qs[32j + 4g + b]
};
static_assert(sizeof(BlockQ4Kx8) == 8 * 144);

// Q6_K: one BlockQ6Kx8 per 256 columns, the same bytes as 8 BlockQ6K in another order. Level
// vector k (0..63) is values 4k..4k+3 of each row (levels 0..63, stored q + 32), 4 bytes per row
// in a 32-byte vector. Q6_K's own ql and qh bytes are kept, 4 per row in turn: q[h][2] is qh
// bytes 4h..4h+3, whose bit pairs 0..3 are the top bits of level vectors k0 + 8c (k0 = h for
// h < 8, else h + 24), and q[h][0] and q[h][1] are the ql bytes with their low bits (low
// nibbles: c = 0 and 1, high nibbles: c = 2 and 3). The kernel reads q front to back.
struct BlockQ6Kx8 {
    std::uint16_t d[8];        // row r's d (half)
    std::int8_t scales[128];   // [scale pair p][row r][s - 2p]: pairs for _mm256_madd_epi16
    std::uint8_t q[16][3][32]; // [h][ql, ql, qh][row r][byte b]
};
static_assert(sizeof(BlockQ6Kx8) == 8 * 210);

// Q8_0: one BlockQ8_0x8 per 32 columns, the same bytes as 8 BlockQ8_0 in another order.
struct BlockQ8_0x8 {
    std::uint16_t d[8];    // row r's d (half)
    std::int8_t qs[8][32]; // [quad g][row r * 4 + byte b] = row r's qs[4g + b]
};
static_assert(sizeof(BlockQ8_0x8) == 8 * 34);

// F16: n / 8 chunks of 8 rows times 8 halves (128 bytes), n a multiple of 8. Decode of F16 is
// bound by memory, so the point is less the shared activation loads than the copy itself,
// which can live in huge pages (cpu_matmul.cpp).

// Interleave rows 0..7 (each n values, rowBytes apart) into the layout above at `out`.
void repackQ4Kx8(const void* rows, std::size_t rowBytes, std::int64_t n, void* out);
void repackQ6Kx8(const void* rows, std::size_t rowBytes, std::int64_t n, void* out);
void repackF16x8(const void* rows, std::size_t rowBytes, std::int64_t n, void* out);
void repackQ8_0x8(const void* rows, std::size_t rowBytes, std::int64_t n, void* out);

// out[r] = dot(row r of the group, activations) for the 8 rows; n as for the row kernels.
void dotQ4Kx8Scalar(const void* w, const void* a, std::int64_t n, float* out);
void dotQ6Kx8Scalar(const void* w, const void* a, std::int64_t n, float* out);
void dotF16x8Scalar(const void* w, const void* a, std::int64_t n, float* out);
void dotQ8_0x8Scalar(const void* w, const void* a, std::int64_t n, float* out);

// The F16 tile converts kF16PanelChunks chunks of 8 columns (8 rows: 8 KiB of floats) at a
// time and reuses them for up to kF16Inputs inputs, whose partial row sums wait on the stack.
inline constexpr int kF16PanelChunks = 32;
inline constexpr int kF16Inputs = 24;

// Inputs per row tile (dotQ5KTileAvx2 and the others). Measured here (one thread, 1024 x 2048
// weights by 512 inputs in passes of 32, GMAC/s for Q5_K / Q3_K / Q2_K): AVX2 4 inputs 57 / 66
// / 65, 8 inputs 62 / 68 / 64 (the sums then share the 16 registers with spills of the float
// accumulators, once per block); AVX-512 8 inputs 90 / 101 / 93, 12 inputs 81-90 / 99-118 /
// 81-93, 16 inputs 71-86 / 80-91 / 81-90.
inline constexpr int kRowTileInputs = 8;
inline constexpr int kRowTileInputsAvx512 = 8;

#if defined(__x86_64__) || defined(__i386__)
#define QS_VEC_DOT_AVX2 1
void dotQ4Kx8Avx2(const void* w, const void* a, std::int64_t n, float* out);
void dotQ6Kx8Avx2(const void* w, const void* a, std::int64_t n, float* out);
void dotF16x8Avx2(const void* w, const void* a, std::int64_t n, float* out);
void dotQ8_0x8Avx2(const void* w, const void* a, std::int64_t n, float* out);
// Tiles (VecDot8TileFn, vec_dot_tile_avx2.cpp): the 8-row kernel above for each input, bit
// for bit, with each weight block decoded once per few inputs (k-quants only, see there).
void dotQ4Kx8TileAvx2(const void* w, const void* a, std::size_t stride, std::int64_t inputs,
                      std::int64_t n, float* out, std::int64_t outStride);
void dotQ6Kx8TileAvx2(const void* w, const void* a, std::size_t stride, std::int64_t inputs,
                      std::int64_t n, float* out, std::int64_t outStride);
void dotQ8_0x8TileAvx2(const void* w, const void* a, std::size_t stride, std::int64_t inputs,
                       std::int64_t n, float* out, std::int64_t outStride);
// The same with AVX-512 F/BW/VL/DQ and VNNI (vec_dot_tile_avx512.cpp), again the AVX2 8-row
// kernel's bits; only for CPUs that have all of them.
#define QS_VEC_DOT_AVX512 1
void dotQ4Kx8TileAvx512(const void* w, const void* a, std::size_t stride, std::int64_t inputs,
                        std::int64_t n, float* out, std::int64_t outStride);
void dotQ6Kx8TileAvx512(const void* w, const void* a, std::size_t stride, std::int64_t inputs,
                        std::int64_t n, float* out, std::int64_t outStride);
void dotQ8_0x8TileAvx512(const void* w, const void* a, std::size_t stride, std::int64_t inputs,
                         std::int64_t n, float* out, std::int64_t outStride);
// Row tiles (VecDotTileFn) with AVX-512 BW and VNNI: the AVX2 row kernel's bits per input.
void dotQ5KTileAvx512(const void* w, const void* a, std::size_t stride, std::int64_t inputs,
                      std::int64_t n, float* out, std::int64_t outStride);
void dotQ3KTileAvx512(const void* w, const void* a, std::size_t stride, std::int64_t inputs,
                      std::int64_t n, float* out, std::int64_t outStride);
void dotQ2KTileAvx512(const void* w, const void* a, std::size_t stride, std::int64_t inputs,
                      std::int64_t n, float* out, std::int64_t outStride);
void dotF16x8TileAvx512(const void* w, const void* a, std::size_t stride, std::int64_t inputs,
                        std::int64_t n, float* out, std::int64_t outStride);
// quantizeActivationsQ8K and roundActivations(F16) with the same results, bit for bit: decode
// runs them on one thread between matrix products, while the other threads wait.
void quantizeQ8KAvx2(const float* x, void* blocks, std::int64_t n);
void roundToHalfAvx2(float* x, std::int64_t n);
float dotQ4KAvx2(const void* w, const void* a, std::int64_t n);
float dotQ5KAvx2(const void* w, const void* a, std::int64_t n);
float dotQ6KAvx2(const void* w, const void* a, std::int64_t n);
float dotQ3KAvx2(const void* w, const void* a, std::int64_t n);
float dotQ2KAvx2(const void* w, const void* a, std::int64_t n);
// Row tiles (VecDotTileFn, vec_dot_avx2.cpp): the row kernel above for each input, bit for bit,
// with each weight block decoded once per kRowTileInputs inputs.
void dotQ5KTileAvx2(const void* w, const void* a, std::size_t stride, std::int64_t inputs,
                    std::int64_t n, float* out, std::int64_t outStride);
void dotQ3KTileAvx2(const void* w, const void* a, std::size_t stride, std::int64_t inputs,
                    std::int64_t n, float* out, std::int64_t outStride);
void dotQ2KTileAvx2(const void* w, const void* a, std::size_t stride, std::int64_t inputs,
                    std::int64_t n, float* out, std::int64_t outStride);
void dotQ4_0TileAvx2(const void* w, const void* a, std::size_t stride, std::int64_t inputs,
                     std::int64_t n, float* out, std::int64_t outStride);
float dotQ8_0Avx2(const void* w, const void* a, std::int64_t n);
float dotQ4_0Avx2(const void* w, const void* a, std::int64_t n);
float dotF16Avx2(const void* w, const void* a, std::int64_t n);
// float_kernels_avx2.cpp: dotProduct, scaledDotProducts and weightedSum (cpu_matmul.h), the
// same bits.
float dotProductAvx2(const float* a, const float* b, std::int64_t n);
void scaledDotProductsAvx2(const float* q, const float* rows, std::size_t rowStride,
                           std::int64_t count, std::int64_t n, float scale, float* out);
void weightedSumAvx2(float* out, const float* rows, std::size_t rowStride, const float* weights,
                     float scale, std::int64_t count, std::int64_t n);
// vec_dot_iquants_avx2.cpp: the same integer sums and float products as the portable builds,
// so the same results bit for bit.
float dotIQ2XXSAvx2(const void* w, const void* a, std::int64_t n);
float dotIQ2XSAvx2(const void* w, const void* a, std::int64_t n);
float dotIQ2SAvx2(const void* w, const void* a, std::int64_t n);
float dotIQ3XXSAvx2(const void* w, const void* a, std::int64_t n);
float dotIQ3SAvx2(const void* w, const void* a, std::int64_t n);
float dotIQ1SAvx2(const void* w, const void* a, std::int64_t n);
float dotIQ1MAvx2(const void* w, const void* a, std::int64_t n);
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
