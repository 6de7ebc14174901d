#pragma once

#include <cstdint>

// ggml's block structs (ggml-common.h), byte for byte. Half-precision fields are raw IEEE
// binary16 bits (convert with half.h). The static_asserts pin each layout to the bytes per
// block in GgmlTypeInfo; a padding byte here would silently corrupt every file we write.
namespace qs::core::quant {

inline constexpr int kQK = 256; // super-block size of k-quants, IQ4_XS, TQ1_0, TQ2_0 (QK_K)
inline constexpr int kQK32 = 32;

struct BlockQ4_0 {
    std::uint16_t d;
    std::uint8_t qs[16]; // element j in the low nibble of qs[j], element j+16 in the high one
};
static_assert(sizeof(BlockQ4_0) == 18);

struct BlockQ4_1 {
    std::uint16_t d;
    std::uint16_t m;
    std::uint8_t qs[16];
};
static_assert(sizeof(BlockQ4_1) == 20);

struct BlockQ5_0 {
    std::uint16_t d;
    std::uint8_t qh[4]; // fifth bits; a byte array so the struct has no 4-byte alignment
    std::uint8_t qs[16];
};
static_assert(sizeof(BlockQ5_0) == 22);

struct BlockQ5_1 {
    std::uint16_t d;
    std::uint16_t m;
    std::uint8_t qh[4];
    std::uint8_t qs[16];
};
static_assert(sizeof(BlockQ5_1) == 24);

struct BlockQ8_0 {
    std::uint16_t d;
    std::int8_t qs[32];
};
static_assert(sizeof(BlockQ8_0) == 34);

struct BlockQ8_1 {
    std::uint16_t d;
    std::uint16_t s; // d * sum(qs)
    std::int8_t qs[32];
};
static_assert(sizeof(BlockQ8_1) == 36);

struct BlockQ2K {
    std::uint8_t scales[kQK / 16]; // low nibble scale, high nibble min, per 16 values
    std::uint8_t qs[kQK / 4];
    std::uint16_t d;
    std::uint16_t dmin;
};
static_assert(sizeof(BlockQ2K) == 84);

struct BlockQ3K {
    std::uint8_t hmask[kQK / 8];
    std::uint8_t qs[kQK / 4];
    std::uint8_t scales[12]; // 16 signed 6-bit scales, +32
    std::uint16_t d;
};
static_assert(sizeof(BlockQ3K) == 110);

struct BlockQ4K {
    std::uint16_t d;
    std::uint16_t dmin;
    std::uint8_t scales[12]; // 8 scales and 8 mins of 6 bits (see scaleMinK4)
    std::uint8_t qs[kQK / 2];
};
static_assert(sizeof(BlockQ4K) == 144);

struct BlockQ5K {
    std::uint16_t d;
    std::uint16_t dmin;
    std::uint8_t scales[12];
    std::uint8_t qh[kQK / 8];
    std::uint8_t qs[kQK / 2];
};
static_assert(sizeof(BlockQ5K) == 176);

struct BlockQ6K {
    std::uint8_t ql[kQK / 2];
    std::uint8_t qh[kQK / 4];
    std::int8_t scales[kQK / 16];
    std::uint16_t d;
};
static_assert(sizeof(BlockQ6K) == 210);

struct BlockQ8K {
    float d;
    std::int8_t qs[kQK];
    std::int16_t bsums[kQK / 16];
};
static_assert(sizeof(BlockQ8K) == 292);

struct BlockIQ4NL {
    std::uint16_t d;
    std::uint8_t qs[16];
};
static_assert(sizeof(BlockIQ4NL) == 18);

struct BlockIQ4XS {
    std::uint16_t d;
    std::uint16_t scalesHigh; // 2 high bits of each of the 8 sub-block scales
    std::uint8_t scalesLow[kQK / 64];
    std::uint8_t qs[kQK / 2];
};
static_assert(sizeof(BlockIQ4XS) == 136);

struct BlockIQ3XXS {
    std::uint16_t d;
    // 64 grid indices (4 values each), then per 32 values a little-endian uint32: four 7-bit
    // sign groups (bits 0-27) and the 4-bit sub-block scale (bits 28-31).
    std::uint8_t qs[3 * kQK / 8];
};
static_assert(sizeof(BlockIQ3XXS) == 98);

struct BlockIQ3S {
    std::uint16_t d;
    std::uint8_t qs[kQK / 4];      // low 8 bits of the 64 grid indices
    std::uint8_t qh[kQK / 32];     // ninth bit of each index, one byte per 32 values
    std::uint8_t signs[kQK / 8];   // one sign bit per value
    std::uint8_t scales[kQK / 64]; // two 4-bit sub-block scales per byte
};
static_assert(sizeof(BlockIQ3S) == 110);
// The i-quants of 2 and fewer bits (IQ2_XXS, IQ2_XS, IQ2_S, IQ1_S, IQ1_M): 8-value groups are
// indices into the code books of iq_grids.h.
struct BlockIQ2XXS {
    std::uint16_t d;
    // Per 32 values, two 32-bit words: 4 grid indices (a byte each), then 4 x 7 sign bits and
    // a 4-bit scale in the top bits.
    std::uint16_t qs[kQK / 8];
};
static_assert(sizeof(BlockIQ2XXS) == 66);

struct BlockIQ2XS {
    std::uint16_t d;
    std::uint16_t qs[kQK / 8];     // per 8 values: 9-bit grid index | 7 sign bits << 9
    std::uint8_t scales[kQK / 32]; // 4-bit scale per 16 values
};
static_assert(sizeof(BlockIQ2XS) == 74);

struct BlockIQ2S {
    std::uint16_t d;
    std::uint8_t qs[kQK / 4];  // 32 low bytes of the grid indices, then 32 sign bytes
    std::uint8_t qh[kQK / 32]; // bits 8-9 of the grid indices, 2 per 8 values
    std::uint8_t scales[kQK / 32];
};
static_assert(sizeof(BlockIQ2S) == 82);

struct BlockIQ1S {
    std::uint16_t d;
    std::uint8_t qs[kQK / 8]; // low bytes of the grid indices
    // Per 32 values: bits 8-10 of 4 grid indices, the 3-bit scale (<< 12), the delta sign (bit 15).
    std::uint16_t qh[kQK / 32];
};
static_assert(sizeof(BlockIQ1S) == 50);

struct BlockIQ1M {
    std::uint8_t qs[kQK / 8];  // low bytes of the grid indices
    std::uint8_t qh[kQK / 16]; // per 16 values: bits 8-10 of 2 indices and their delta signs
    // 3-bit scales, 4 per 16-bit word; the top nibbles of the 4 words hold the fp16 scale.
    std::uint8_t scales[kQK / 32];
};
static_assert(sizeof(BlockIQ1M) == 56);

struct BlockTQ1_0 {
    std::uint8_t qs[(kQK - 4 * kQK / 64) / 5]; // 5 trits per byte
    std::uint8_t qh[kQK / 64];                 // 4 trits per byte
    std::uint16_t d;
};
static_assert(sizeof(BlockTQ1_0) == 54);

struct BlockTQ2_0 {
    std::uint8_t qs[kQK / 4];
    std::uint16_t d;
};
static_assert(sizeof(BlockTQ2_0) == 66);

struct BlockMXFP4 {
    std::uint8_t e; // E8M0 shared exponent
    std::uint8_t qs[16];
};
static_assert(sizeof(BlockMXFP4) == 17);

} // namespace qs::core::quant
