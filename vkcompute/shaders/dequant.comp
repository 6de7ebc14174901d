#version 450
#extension GL_GOOGLE_include_directive : require
// Dequantize a range of values to f32 (or f16, OUT_F16): one invocation per 32-value group.
// One group per invocation was the fastest shape of the lavapipe prototype (environment.md
// §3) and keeps each invocation's output contiguous. See dequant_funcs.glsl for what makes a
// kernel fast on lavapipe.

layout(constant_id = 0) const uint UNIT_BYTES = 18; // bytes of one block (of 32 values for plain types)
layout(constant_id = 1) const uint UNIT_ELEMS = 32; // values of one block, a multiple of 32
layout(constant_id = 2) const bool OUT_F16 = false;
layout(constant_id = 3) const uint WG_SIZE = 64;
layout(local_size_x_id = 3) in;

// The blocks through texel views of words and of 16-byte texels (see dequant_funcs.glsl).
layout(binding = 0) uniform usamplerBuffer srcBlocks;
layout(binding = 2) uniform usamplerBuffer srcQuads;
// The i-quant code book of this type (vkcompute/code_books.h), as words.
layout(binding = 3) uniform usamplerBuffer codeBook;
// The output as vectors of 4 words, or of 4 64-bit words (QS_STORE_U64, devices with
// shaderInt64): llvmpipe stores a vector one lane and one component at a time, so 64-bit
// components halve the stores. A group's output starts 32-byte aligned (64 or 128 bytes).
#ifdef QS_STORE_U64
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
layout(std430, binding = 1) writeonly buffer Dst { u64vec4 dstVec[]; };
const uint WORDS_PER_STORE = 8u;
void storeWords(uint index, uint w0, uint w1, uint w2, uint w3, uint w4, uint w5, uint w6,
                uint w7) {
    dstVec[index] = u64vec4(packUint2x32(uvec2(w0, w1)), packUint2x32(uvec2(w2, w3)),
                            packUint2x32(uvec2(w4, w5)), packUint2x32(uvec2(w6, w7)));
}
#else
layout(std430, binding = 1) writeonly buffer Dst { uvec4 dstVec[]; };
const uint WORDS_PER_STORE = 4u;
#endif

// Plain types: groups start at multiples of 16 bytes (whole 32-value units are bound).
#define QS_PLAIN_QUADS 1

#include "kernel_params.h"
#include "dequant_funcs.glsl"

void main() {
    // 2D grid: a 1D dispatch stops at 65535 workgroups.
    const uint workgroup = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
    const uint gid = workgroup * WG_SIZE + gl_LocalInvocationID.x;
    if (gid >= pc.count) {
        return;
    }
    const uint groupsPerUnit = UNIT_ELEMS / 32u;
    const uint unitByte = pc.srcByteOffset + (gid / groupsPerUnit) * UNIT_BYTES;
    const uint first = gid * 32u;
    // Only plain types have a partial group (a range whose length is not a multiple of 32):
    // it is written whole, the values past the range land in the destination's padding
    // (chunk_plan.cpp binds whole units), and the host copies out only the range.
    const uint valid = min(32u, pc.elemCount - first);
    float v[32];
    decodeGroup(unitByte, gid % groupsPerUnit, valid, v);
    // The group's output as 32-bit words: 16 pairs of halves, or 32 floats.
    const uint nWords = OUT_F16 ? 16u : 32u;
    uint w[32];
    if (OUT_F16) { // a specialization constant: no branch remains
        [[unroll]] for (uint i = 0u; i < 16u; ++i) {
            w[i] = floatToHalf(v[2u * i]) | (floatToHalf(v[2u * i + 1u]) << 16);
            w[i + 16u] = 0u;
        }
    } else {
        [[unroll]] for (uint i = 0u; i < 32u; ++i) {
            w[i] = floatBitsToUint(v[i]);
        }
    }
    const uint out0 = (pc.dstElemOffset + first) * (OUT_F16 ? 2u : 4u) / (4u * WORDS_PER_STORE);
    [[unroll]] for (uint i = 0u; i < 32u / WORDS_PER_STORE; ++i) {
        if (i < nWords / WORDS_PER_STORE) {
            const uint k = i * WORDS_PER_STORE;
#ifdef QS_STORE_U64
            storeWords(out0 + i, w[k], w[k + 1u], w[k + 2u], w[k + 3u], w[k + 4u], w[k + 5u],
                       w[k + 6u], w[k + 7u]);
#else
            dstVec[out0 + i] = uvec4(w[k], w[k + 1u], w[k + 2u], w[k + 3u]);
#endif
        }
    }
}
