#version 450
#extension GL_GOOGLE_include_directive : require
// Dequantize output rows of a packed GPTQ/AWQ linear to f32 (or f16, OUT_F16), row-major:
// one invocation per (unit of UNIT outputs, 32-column block), neighbouring invocations on
// neighbouring units (packed_funcs.glsl), each storing its outputs' 32 values contiguously.
#define QS_PACKED_KERNEL 1

layout(constant_id = 2) const bool OUT_F16 = false;
layout(constant_id = 3) const uint WG_SIZE = 64;
// The group table holds a group per column (act-order, or groups not made of whole blocks)
// instead of one per 32-column block.
layout(constant_id = 5) const bool PER_COLUMN_GROUPS = false;
layout(local_size_x_id = 3) in;

// The same output binding as 4-word (f32) and 2-word (f16) vectors: rows hold a multiple of
// 4 values (every layout packs whole words of inputs), so both start aligned.
layout(std430, binding = 1) writeonly buffer DstF32 { uvec4 dstF32[]; };
layout(std430, binding = 1) writeonly buffer DstF16 { uvec2 dstF16[]; };
#ifdef QS_STORE_U64
// Devices with shaderInt64: 8 floats per store. llvmpipe stores a vector one lane and one
// component at a time, so 64-bit components halve the stores (as dequant.comp).
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
layout(std430, binding = 1) writeonly buffer DstF32x8 { u64vec4 dstF32x8[]; };
#endif

#include "kernel_params.h"
#include "packed_funcs.glsl"

// Stores the 32 values of output o in block b (only the valid ones of a partial block), if o
// is one of this dispatch's outputs: units at the ends of the range hold others.
void storeOutput(uint o, uint b, float v[32]) {
    if (o < pc.firstOutput || o >= pc.firstOutput + pc.outputCount) {
        return;
    }
    // A last, partial block (inFeatures % 32 != 0) stores whole vectors of 4 values only:
    // every layout's inFeatures is a multiple of 4, so nothing spills into the next row.
    const uint valid = min(32u, pc.inFeatures - 32u * b);
    const uint first = pc.dstElemOffset + (o - pc.firstOutput) * pc.inFeatures + 32u * b;
#ifdef QS_STORE_U64
    // A row's values start at a multiple of 4: 8-value stores need a multiple of 8.
    if (!OUT_F16 && ((first | pc.inFeatures) & 7u) == 0u) {
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            if (8u * j < valid) {
                dstF32x8[first / 8u + j] =
                    u64vec4(packUint2x32(uvec2(floatBitsToUint(v[8u * j]),
                                               floatBitsToUint(v[8u * j + 1u]))),
                            packUint2x32(uvec2(floatBitsToUint(v[8u * j + 2u]),
                                               floatBitsToUint(v[8u * j + 3u]))),
                            packUint2x32(uvec2(floatBitsToUint(v[8u * j + 4u]),
                                               floatBitsToUint(v[8u * j + 5u]))),
                            packUint2x32(uvec2(floatBitsToUint(v[8u * j + 6u]),
                                               floatBitsToUint(v[8u * j + 7u]))));
            }
        }
        return;
    }
#endif
    [[unroll]] for (uint j = 0u; j < 8u; ++j) {
        if (4u * j < valid) {
            if (OUT_F16) { // a specialization constant: no branch remains
                dstF16[first / 4u + j] =
                    uvec2(floatToHalf(v[4u * j]) | (floatToHalf(v[4u * j + 1u]) << 16),
                          floatToHalf(v[4u * j + 2u]) | (floatToHalf(v[4u * j + 3u]) << 16));
            } else {
                dstF32[first / 4u + j] =
                    uvec4(floatBitsToUint(v[4u * j]), floatBitsToUint(v[4u * j + 1u]),
                          floatBitsToUint(v[4u * j + 2u]), floatBitsToUint(v[4u * j + 3u]));
            }
        }
    }
}

void main() {
    // 2D grid: a 1D dispatch stops at 65535 workgroups.
    const uint workgroup = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
    const uint gid = workgroup * WG_SIZE + gl_LocalInvocationID.x;
    if (gid >= pc.unitCount * pc.blocks) { // the host keeps this product below 2^31
        return;
    }
    const uint b = gid / pc.unitCount;
    const uint o0 = (pc.firstOutput / UNIT + gid % pc.unitCount) * UNIT;
#ifdef QS_PACK_AWQ
    uint words[32];
#else
    uvec4 words[BITS];
#endif
    loadBlock(b, o0, words);
    if (PER_COLUMN_GROUPS) { // a specialization constant: only one side remains
        // Each column's group: its scales and zeros for the unit, once for all outputs.
        float columnScale[32][UNIT], columnZero[32][UNIT];
        [[unroll]] for (uint i = 0u; i < 32u; ++i) {
            const uint g = groupOf(min(32u * b + i, pc.inFeatures - 1u));
            unitScales(g, o0, columnScale[i]);
            unitZeros(g, o0, columnZero[i]);
        }
        [[unroll]] for (uint k = 0u; k < UNIT; ++k) {
            float q[32];
            decodeOutput(words, k, q);
            precise float v[32];
            [[unroll]] for (uint i = 0u; i < 32u; ++i) {
                v[i] = columnScale[i][k] * (q[i] - columnZero[i][k]);
            }
            storeOutput(o0 + k, b, v);
        }
    } else {
        float s[UNIT], z[UNIT];
        const uint g = groupOf(b);
        unitScales(g, o0, s);
        unitZeros(g, o0, z);
        // Not unrolled: UNIT copies of the 32-value code (with f16 rounding) multiplied the
        // pipeline's compile time on lavapipe for no measurable gain.
        [[dont_unroll]] for (uint k = 0u; k < UNIT; ++k) {
            float q[32];
            decodeOutput(words, k, q);
            precise float v[32];
            [[unroll]] for (uint i = 0u; i < 32u; ++i) {
                v[i] = s[k] * (q[i] - z[k]);
            }
            storeOutput(o0 + k, b, v);
        }
    }
}
