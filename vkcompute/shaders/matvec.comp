#version 450
#extension GL_GOOGLE_include_directive : require
// y = W x with W in a storage type. GPUs: one workgroup per row; invocations stride over the
// row's 32-value groups, then the partial sums are reduced (subgroup adds when USE_SUBGROUPS,
// else a shared-memory tree). The subgroup size is whatever the device has (8 on lavapipe,
// 32/64 on GPUs): nothing below assumes a value. CPU devices: see ROW_PER_INVOCATION.
#ifdef USE_SUBGROUPS
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif

layout(constant_id = 0) const uint UNIT_BYTES = 18;
layout(constant_id = 1) const uint UNIT_ELEMS = 32;
layout(constant_id = 3) const uint WG_SIZE = 64; // a power of two
// CPU devices (lavapipe): ROWS_PER_LANE rows per invocation, no reduction or barrier; each
// x value fetched serves ROWS_PER_LANE rows. 2 took the least CPU time on lavapipe (1, 4 and
// 8 were measured). GPUs keep a workgroup per row for coalesced weight reads. Must match
// KernelTable::matvecRowsPerWorkgroup().
layout(constant_id = 4) const bool ROW_PER_INVOCATION = false;
const uint ROWS_PER_LANE = 2u;
layout(local_size_x_id = 3) in;

// Inputs through texel views (see dequant_funcs.glsl): the blocks as words and as 16-byte
// texels, x (zero-padded to 32 values) as RGBA32F vectors.
layout(binding = 0) uniform usamplerBuffer srcBlocks;
layout(binding = 3) uniform usamplerBuffer srcQuads;
// The i-quant code book of this type (vkcompute/code_books.h), as words.
layout(binding = 4) uniform usamplerBuffer codeBook;
layout(binding = 1) uniform samplerBuffer xVec4;
layout(std430, binding = 2) writeonly buffer Y { float y[]; };

#include "kernel_params.h"
#include "dequant_funcs.glsl"

shared float partials[WG_SIZE];

void main() {
    const uint workgroup = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
    const uint groupsPerUnit = UNIT_ELEMS / 32u;
    if (ROW_PER_INVOCATION) {
        const uint firstRow = (workgroup * WG_SIZE + gl_LocalInvocationID.x) * ROWS_PER_LANE;
        if (firstRow >= pc.count) {
            return;
        }
        float sums[ROWS_PER_LANE];
        [[unroll]] for (uint j = 0u; j < ROWS_PER_LANE; ++j) {
            sums[j] = 0.0;
        }
        for (uint g = 0u; g < pc.groupsPerRow; ++g) {
            vec4 xv[8];
            [[unroll]] for (uint k = 0u; k < 8u; ++k) {
                xv[k] = texelFetch(xVec4, int(8u * g + k));
            }
            [[unroll]] for (uint j = 0u; j < ROWS_PER_LANE; ++j) {
                // Rows past the end repeat the last row; their sums are never written.
                const uint row = min(firstRow + j, pc.count - 1u);
                float v[32];
                decodeGroup(pc.srcByteOffset + row * pc.rowBytes + (g / groupsPerUnit) * UNIT_BYTES,
                            g % groupsPerUnit, min(32u, pc.elemCount - 32u * g), v);
                [[unroll]] for (uint k = 0u; k < 8u; ++k) {
                    sums[j] += dot(vec4(v[4u * k], v[4u * k + 1u], v[4u * k + 2u], v[4u * k + 3u]),
                                   xv[k]);
                }
            }
        }
        [[unroll]] for (uint j = 0u; j < ROWS_PER_LANE; ++j) {
            if (firstRow + j < pc.count) {
                y[pc.dstElemOffset + firstRow + j] = sums[j];
            }
        }
        return;
    }
    const uint row = workgroup;
    if (row >= pc.count) {
        return; // whole workgroup leaves together: no barrier is skipped by some invocations only
    }
    const uint lid = gl_LocalInvocationID.x;
    const uint rowByte = pc.srcByteOffset + row * pc.rowBytes;
    float sum = 0.0;
    for (uint g = lid; g < pc.groupsPerRow; g += WG_SIZE) {
        float v[32];
        decodeGroup(rowByte + (g / groupsPerUnit) * UNIT_BYTES, g % groupsPerUnit,
                    min(32u, pc.elemCount - 32u * g), v);
        [[unroll]] for (uint k = 0u; k < 8u; ++k) {
            sum += dot(vec4(v[4u * k], v[4u * k + 1u], v[4u * k + 2u], v[4u * k + 3u]),
                       texelFetch(xVec4, int(8u * g + k)));
        }
    }
#ifdef USE_SUBGROUPS
    sum = subgroupAdd(sum);
    if (subgroupElect()) {
        partials[gl_SubgroupID] = sum;
    }
    barrier();
    if (lid == 0u) {
        float total = 0.0;
        for (uint s = 0u; s < gl_NumSubgroups; ++s) {
            total += partials[s];
        }
        y[pc.dstElemOffset + row] = total;
    }
#else
    partials[lid] = sum;
    barrier();
    for (uint stride = WG_SIZE / 2u; stride > 0u; stride >>= 1) {
        if (lid < stride) {
            partials[lid] += partials[lid + stride];
        }
        barrier();
    }
    if (lid == 0u) {
        y[pc.dstElemOffset + row] = partials[0];
    }
#endif
}
