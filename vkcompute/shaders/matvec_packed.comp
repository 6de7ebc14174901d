#version 450
#extension GL_GOOGLE_include_directive : require
// y = W x on a packed GPTQ/AWQ linear. A workgroup is WG_X neighbouring units of UNIT outputs
// (packed_funcs.glsl) times SPLIT_K slices of the 32-column blocks: invocation (x, k) sums
// blocks k, k + SPLIT_K, ... of unit x, so at every step the WG_X invocations of a slice read
// neighbouring texels of one packed GPTQ row, and each x value fetched serves UNIT outputs.
// No subgroup operation is needed: slices are added in shared memory. CPU devices use
// SPLIT_K = 1 (no barrier); GPUs split K so that a 4096-output layer still fills the device.
#define QS_PACKED_KERNEL 1

layout(constant_id = 3) const uint WG_X = 64;
layout(constant_id = 5) const bool PER_COLUMN_GROUPS = false;
layout(constant_id = 6) const uint SPLIT_K = 1;
layout(local_size_x_id = 3, local_size_y_id = 6) in;

// x zero-padded to whole 32-value blocks, as RGBA32F vectors; y as floats.
layout(binding = 5) uniform samplerBuffer xVec4;
layout(std430, binding = 1) writeonly buffer Y { float y[]; };

#include "kernel_params.h"
#include "packed_funcs.glsl"

shared float partials[WG_X * SPLIT_K * UNIT];

void main() {
    const uint workgroup = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
    const uint unit = workgroup * WG_X + gl_LocalInvocationID.x;
    // Invocations past the last unit compute it again and discard it: every invocation must
    // reach the barrier below.
    const uint o0 = (pc.firstOutput / UNIT + min(unit, pc.unitCount - 1u)) * UNIT;
    float sum[UNIT];
    [[unroll]] for (uint k = 0u; k < UNIT; ++k) {
        sum[k] = 0.0;
    }
    for (uint b = gl_LocalInvocationID.y; b < pc.blocks; b += SPLIT_K) {
#ifdef QS_PACK_AWQ
        uint words[32];
#else
        uvec4 words[BITS];
#endif
        loadBlock(b, o0, words);
        vec4 xv[8];
        [[unroll]] for (uint j = 0u; j < 8u; ++j) {
            xv[j] = texelFetch(xVec4, int(8u * b + j));
        }
        if (PER_COLUMN_GROUPS) {
            float columnScale[32][UNIT], columnZero[32][UNIT];
            [[unroll]] for (uint i = 0u; i < 32u; ++i) {
                const uint g = groupOf(min(32u * b + i, pc.inFeatures - 1u));
                unitScales(g, o0, columnScale[i]);
                unitZeros(g, o0, columnZero[i]);
            }
            [[unroll]] for (uint k = 0u; k < UNIT; ++k) {
                float q[32];
                decodeOutput(words, k, q);
                [[unroll]] for (uint j = 0u; j < 8u; ++j) {
                    vec4 w;
                    [[unroll]] for (uint c = 0u; c < 4u; ++c) {
                        const uint i = 4u * j + c;
                        w[c] = columnScale[i][k] * (q[i] - columnZero[i][k]);
                    }
                    sum[k] += dot(w, xv[j]);
                }
            }
        } else {
            // One group per block: a scale multiplies the block's sum of (q - zero) x once.
            float s[UNIT], z[UNIT];
            const uint g = groupOf(b);
            unitScales(g, o0, s);
            unitZeros(g, o0, z);
            [[unroll]] for (uint k = 0u; k < UNIT; ++k) {
                float q[32];
                decodeOutput(words, k, q);
                float blockSum = 0.0;
                [[unroll]] for (uint j = 0u; j < 8u; ++j) {
                    blockSum += dot(vec4(q[4u * j], q[4u * j + 1u], q[4u * j + 2u],
                                         q[4u * j + 3u]) - z[k],
                                    xv[j]);
                }
                sum[k] += s[k] * blockSum;
            }
        }
    }
    const bool inRange = unit < pc.unitCount;
    if (SPLIT_K > 1u) { // a specialization constant: no branch remains where it is 1
        const uint slot = (gl_LocalInvocationID.y * WG_X + gl_LocalInvocationID.x) * UNIT;
        [[unroll]] for (uint k = 0u; k < UNIT; ++k) {
            partials[slot + k] = sum[k];
        }
        barrier();
        if (gl_LocalInvocationID.y != 0u) {
            return;
        }
        for (uint slice = 1u; slice < SPLIT_K; ++slice) {
            [[unroll]] for (uint k = 0u; k < UNIT; ++k) {
                sum[k] += partials[(slice * WG_X + gl_LocalInvocationID.x) * UNIT + k];
            }
        }
    }
    if (!inRange) {
        return;
    }
    [[unroll]] for (uint k = 0u; k < UNIT; ++k) {
        const uint o = o0 + k;
        if (o >= pc.firstOutput && o < pc.firstOutput + pc.outputCount) {
            y[pc.dstElemOffset + (o - pc.firstOutput)] = sum[k];
        }
    }
}
