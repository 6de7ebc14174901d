// Reading packed GPTQ/AWQ linears (core/compute/packed_linear.h; formats.md 5.2, 6.2), shared
// by dequant_packed.comp and matvec_packed.comp. The including shader defines QS_PACK_BITS
// (2, 3, 4 or 8) and, for AutoAWQ's GEMM layout, QS_PACK_AWQ.
//
// An invocation works on a unit of UNIT neighbouring outputs: 4 in the GPTQ layout, whose
// packed rows hold one word per output, so a unit's words of a row are one 16-byte texel;
// 8 in the AWQ layout, one word of a packed input column. Neighbouring invocations take
// neighbouring units, so their reads of a packed row are neighbouring texels. On lavapipe
// every texel fetch is a gather costing about as much as the arithmetic on 32 values, so a
// unit's scales (one texel) and zeros (one word) are fetched once for all its outputs.
//
// Indices are local to the data chunk the host bound (packed_chunk_plan.h): output o in
// [0, chunkOutputs), a chunk's arrays cut to its outputs. Bit-exactness with the CPU: a value
// is scale * (float(q) - float(zero)); both are small integers, so the difference is exact and
// the one rounding is the product's, as in QuantizedLinear::dequantize().
#ifndef QS_PACKED_FUNCS_GLSL
#define QS_PACKED_FUNCS_GLSL

#extension GL_EXT_control_flow_attributes : require
#include "half_convert.glsl"

// qweight and scales as 16-byte texels, qzeros and the group table as words.
layout(binding = 0) uniform usamplerBuffer qweightQuads;
layout(binding = 2) uniform usamplerBuffer qzerosWords;
layout(binding = 3) uniform usamplerBuffer scaleQuads;
layout(binding = 4) uniform usamplerBuffer groupTable;

const uint BITS = QS_PACK_BITS;
const uint VALUE_MASK = (1u << BITS) - 1u;
#ifdef QS_PACK_AWQ
const uint UNIT = 8u;
#else
const uint UNIT = 4u;
#endif

uint groupOf(uint entry) { return texelFetch(groupTable, int(entry)).x; }

// a, b, c or d for r = 0, 1, 2, 3: selects, not branches (llvmpipe runs both sides of an if).
uint pick4(uint r, uint a, uint b, uint c, uint d) {
    const bool odd = (r & 1u) != 0u;
    return mix(mix(a, b, odd), mix(c, d, odd), (r & 2u) != 0u);
}

// The scales of group g for the unit's outputs o0 ... o0 + UNIT - 1 (o0 a multiple of UNIT):
// UNIT halves, 8 or 16 bytes at a multiple of their size, so one texel holds them.
void unitScales(uint g, uint o0, out float s[UNIT]) {
    const uint first = g * pc.chunkOutputs + o0; // chunkOutputs is a multiple of UNIT
    const uvec4 t = texelFetch(scaleQuads, int(first >> 3));
#ifdef QS_PACK_AWQ
    const uint w[4] = uint[4](t.x, t.y, t.z, t.w);
#else
    const bool high = (first & 4u) != 0u; // the second 8 bytes of the texel
    const uint w[2] = uint[2](high ? t.z : t.x, high ? t.w : t.y);
#endif
    [[unroll]] for (uint k = 0u; k < UNIT; ++k) {
        s[k] = halfToFloat((w[k >> 1] >> (16u * (k & 1u))) & 0xFFFFu);
    }
}

// AutoAWQ keeps output 8m + j at nibble (j >> 1) + 4 (j & 1) of word m (order 0 2 4 6 1 3 5 7).
uint awqShift(uint j) { return 4u * ((j >> 1) + 4u * (j & 1u)); }

// The zero points of group g for the unit's outputs, as the reference unpacks them: v1 adds
// 1 to the stored bits without masking (pc.zeroOffset).
void unitZeros(uint g, uint o0, out float z[UNIT]) {
#ifdef QS_PACK_AWQ
    const uint w = texelFetch(qzerosWords, int(g * (pc.chunkOutputs >> 3) + (o0 >> 3))).x;
    [[unroll]] for (uint k = 0u; k < UNIT; ++k) {
        z[k] = float(((w >> awqShift(k)) & 0xFu) + pc.zeroOffset);
    }
#else
    // The unit's UNIT * BITS bits start at a multiple of that; only 3-bit ones (12 bits)
    // may continue in the next word, which is then inside the same group row.
    const uint bit = o0 * BITS;
    const uint shift = bit & 31u;
    const uint word = g * (pc.chunkOutputs * BITS / 32u) + (bit >> 5);
    uint bits = texelFetch(qzerosWords, int(word)).x >> shift;
#if QS_PACK_BITS == 3
    const bool crosses = shift > 20u;
    const uint next = texelFetch(qzerosWords, int(crosses ? word + 1u : word)).x;
    // (next << 1) << (31 - shift) is next << (32 - shift) without a shift by 32.
    bits |= crosses ? (next << 1u) << (31u - shift) : 0u;
#endif
    [[unroll]] for (uint k = 0u; k < UNIT; ++k) {
        z[k] = float(((bits >> (BITS * k)) & VALUE_MASK) + pc.zeroOffset);
    }
#endif
}

// The packed words of block b (columns 32 b ... 32 b + 31) for the unit at o0. GPTQ: packed
// rows BITS b ... BITS b + BITS - 1 (3 bits: 32 values in 3 words), one texel of UNIT words
// each. AWQ: one word (UNIT outputs) per column. Rows past the last (a partial last block)
// are clamped: their values are garbage the callers never store, and x is zero there.
#ifdef QS_PACK_AWQ
void loadBlock(uint b, uint o0, out uint w[32]) {
    const uint rowWords = pc.chunkOutputs >> 3;
    [[unroll]] for (uint i = 0u; i < 32u; ++i) {
        const uint word = min(32u * b + i, pc.qweightRows - 1u) * rowWords + (o0 >> 3);
        const uvec4 t = texelFetch(qweightQuads, int(word >> 2));
        w[i] = pick4(word & 3u, t.x, t.y, t.z, t.w);
    }
}

// The 32 integer weights of output o0 + k, as floats.
void decodeOutput(uint w[32], uint k, out float q[32]) {
    const uint shift = awqShift(k);
    [[unroll]] for (uint i = 0u; i < 32u; ++i) {
        q[i] = float((w[i] >> shift) & 0xFu);
    }
}
#else
void loadBlock(uint b, uint o0, out uvec4 rows[BITS]) {
    [[unroll]] for (uint j = 0u; j < BITS; ++j) {
        const uint row = min(BITS * b + j, pc.qweightRows - 1u);
        rows[j] = texelFetch(qweightQuads, int((row * pc.chunkOutputs + o0) >> 2));
    }
}

void decodeOutput(uvec4 rows[BITS], uint k, out float q[32]) {
    uint w[BITS + 1u];
    [[unroll]] for (uint j = 0u; j < BITS; ++j) {
        w[j] = rows[j][k];
    }
    w[BITS] = 0u;
    [[unroll]] for (uint i = 0u; i < 32u; ++i) {
        const uint bit = i * BITS; // constants after unrolling: no run-time shifts by 32
        const uint shift = bit & 31u;
        uint v = w[bit >> 5] >> shift;
        if (shift + BITS > 32u) {
            v |= w[(bit >> 5) + 1u] << (32u - shift);
        }
        q[i] = float(v & VALUE_MASK);
    }
}
#endif

#endif
