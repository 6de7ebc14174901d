#version 450
#extension GL_GOOGLE_include_directive : require
// Dequantize a range of values to f32 (or f16, OUT_F16): one invocation per 32-value group.
// One group per invocation, read as 32-bit words, was the fastest shape on lavapipe
// (environment.md §3) and keeps each invocation's output contiguous.

layout(constant_id = 0) const uint UNIT_BYTES = 18; // bytes of one block (of 32 values for plain types)
layout(constant_id = 1) const uint UNIT_ELEMS = 32; // values of one block, a multiple of 32
layout(constant_id = 2) const bool OUT_F16 = false;
layout(constant_id = 3) const uint WG_SIZE = 64;
layout(local_size_x_id = 3) in;

layout(std430, binding = 0) readonly buffer Src { uint srcWords[]; };
layout(std430, binding = 1) writeonly buffer Dst { uint dstWords[]; };
// The same binding as 16-byte vectors: whole groups are written 4 values per store, which
// llvmpipe turns into far fewer scatter operations. Group starts are 16-byte aligned.
layout(std430, binding = 1) writeonly buffer DstVec { uvec4 dstVec4[]; };

#include "kernel_params.h"
#include "dequant_funcs.glsl"

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
    const uint valid = min(32u, pc.elemCount - first);
    float v[32];
    // Uniform over the dispatch: lets whole-word formats skip the unaligned-load path.
    const bool aligned = ((UNIT_BYTES | pc.srcByteOffset) & 3u) == 0u;
    decodeGroup(unitByte, gid % groupsPerUnit, valid, aligned, v);
    if (OUT_F16) {
        // The destination range starts at a multiple of 32 values, so pairs never straddle.
        const uint out0 = (pc.dstElemOffset + first) >> 1;
        [[unroll]] for (uint i = 0u; i < 16u; ++i) {
#ifdef QS_PLAIN_TYPE
            if (2u * i >= valid) {
                break;
            }
#endif
            dstWords[out0 + i] = floatToHalf(v[2u * i]) | (floatToHalf(v[2u * i + 1u]) << 16);
        }
    } else {
        const uint out0 = pc.dstElemOffset + first;
#ifdef QS_PLAIN_TYPE
        // Only plain types have partial groups (a range whose length is not a multiple of 32).
        if (valid < 32u) {
            [[unroll]] for (uint i = 0u; i < 32u; ++i) {
                if (i >= valid) {
                    break;
                }
                dstWords[out0 + i] = floatBitsToUint(v[i]);
            }
            return;
        }
#endif
        [[unroll]] for (uint i = 0u; i < 8u; ++i) {
            dstVec4[(out0 >> 2) + i] =
                floatBitsToUint(vec4(v[4u * i], v[4u * i + 1u], v[4u * i + 2u], v[4u * i + 3u]));
        }
    }
}
