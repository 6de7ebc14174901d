#version 450
#extension GL_GOOGLE_include_directive : require
// Y = W X for a batch of tokens, W in a storage type: the prompt-processing counterpart of
// matvec.comp, which decodes every weight once per token. A workgroup owns a tile of rows x
// MM_TILE_TOKENS tokens (kernel_params.h); each invocation decodes a 32-value group of its
// rows once (dequant_funcs.glsl, the decoders matvec and dequant use) and multiplies it with
// every token of the tile, accumulating in f32 in registers. Each output sums its row in
// column order, as matvec does, so both agree to f32 rounding (on lavapipe, bit for bit).
//
// Two shapes, chosen by ROW_PER_INVOCATION (KernelTable::matmulRowsPerWorkgroup):
// - GPUs: an invocation per row (WG_SIZE rows). Per step the workgroup stages MM_STEP_GROUPS
//   groups of the tile's x in shared memory; all invocations then read the same x value at
//   once, a shared-memory broadcast. (ggml's mul_mm stages the weights too; here each decoded
//   value has a single reader, so it stays in a register.)
// - CPU devices (lavapipe): ROWS_PER_LANE rows per invocation and x read through texel fetches,
//   no shared memory. llvmpipe loads shared memory lane by lane inside loops (its uniform-load
//   shortcut needs code outside control flow), so staged x cost about what decoding once per
//   tile saved; 4 rows sharing each fetched x value made prompts 3.4x faster than a matvec per
//   token, 1 or 8 rows less (docs/benchmarks.md, "Prompt batches through mul_mm").

layout(constant_id = 0) const uint UNIT_BYTES = 18;
layout(constant_id = 1) const uint UNIT_ELEMS = 32;
layout(constant_id = 3) const uint WG_SIZE = 64;
layout(constant_id = 4) const bool ROW_PER_INVOCATION = false;
const uint ROWS_PER_LANE = 4u; // must match KernelTable::matmulRowsPerWorkgroup()
layout(local_size_x_id = 3) in;

// The bindings of matvec.comp (KernelTable gives both one layout): the blocks as words and as
// 16-byte texels, the code book, x as RGBA32F vectors ([token][padded columns]), y
// ([token][yStride]).
layout(binding = 0) uniform usamplerBuffer srcBlocks;
layout(binding = 3) uniform usamplerBuffer srcQuads;
layout(binding = 4) uniform usamplerBuffer codeBook;
layout(binding = 1) uniform samplerBuffer xVec4;
layout(std430, binding = 2) writeonly buffer Y { float y[]; };

#include "kernel_params.h"
#include "dequant_funcs.glsl"

const uint TILE_TOKENS = MM_TILE_TOKENS;
const uint STEP_VEC4S = MM_STEP_GROUPS * 8u; // vec4s of one token's x per step
shared vec4 xTile[TILE_TOKENS * STEP_VEC4S];

vec4 quad(float v[32], uint k) {
    return vec4(v[4u * k], v[4u * k + 1u], v[4u * k + 2u], v[4u * k + 3u]);
}

// The CPU shape: rows firstRow .. firstRow + ROWS_PER_LANE - 1.
void cpuTile(uint firstRow, uint firstToken, uint xStride) {
    const uint groupsPerUnit = UNIT_ELEMS / 32u;
    uint rowByte[ROWS_PER_LANE];
    [[unroll]] for (uint r = 0u; r < ROWS_PER_LANE; ++r) {
        // Rows past the end repeat the last row; their sums are never written.
        rowByte[r] = pc.srcByteOffset + min(firstRow + r, pc.count - 1u) * pc.rowBytes;
    }
    float sums[ROWS_PER_LANE][TILE_TOKENS];
    [[unroll]] for (uint r = 0u; r < ROWS_PER_LANE; ++r) {
        [[unroll]] for (uint t = 0u; t < TILE_TOKENS; ++t) {
            sums[r][t] = 0.0;
        }
    }
    for (uint g = 0u; g < pc.groupsPerRow; ++g) {
        float v[ROWS_PER_LANE][32];
        [[unroll]] for (uint r = 0u; r < ROWS_PER_LANE; ++r) {
            decodeGroup(rowByte[r] + (g / groupsPerUnit) * UNIT_BYTES, g % groupsPerUnit,
                        min(32u, pc.elemCount - 32u * g), v[r]);
        }
        // x holds whole tiles of tokens, zero-padded: no fetch needs a check.
        [[unroll]] for (uint t = 0u; t < TILE_TOKENS; ++t) {
            [[unroll]] for (uint k = 0u; k < 8u; ++k) {
                const vec4 xv = texelFetch(xVec4, int((firstToken + t) * xStride + 8u * g + k));
                [[unroll]] for (uint r = 0u; r < ROWS_PER_LANE; ++r) {
                    sums[r][t] += dot(quad(v[r], k), xv);
                }
            }
        }
    }
    [[unroll]] for (uint r = 0u; r < ROWS_PER_LANE; ++r) {
        if (firstRow + r < pc.count) {
            [[unroll]] for (uint t = 0u; t < TILE_TOKENS; ++t) {
                if (firstToken + t < pc.tokens) {
                    y[pc.dstElemOffset + (firstToken + t) * pc.yStride + firstRow + r] =
                        sums[r][t];
                }
            }
        }
    }
}

// The GPU shape: one row per invocation, x staged in shared memory.
void gpuTile(uint row, uint firstToken, uint xStride) {
    const uint lid = gl_LocalInvocationID.x;
    const uint groupsPerUnit = UNIT_ELEMS / 32u;
    // Rows past the end decode the last row (no invocation may skip the barriers below);
    // their sums are never written.
    const uint rowByte = pc.srcByteOffset + min(row, pc.count - 1u) * pc.rowBytes;
    float sums[TILE_TOKENS];
    [[unroll]] for (uint t = 0u; t < TILE_TOKENS; ++t) {
        sums[t] = 0.0;
    }
    const uint steps = xStride / STEP_VEC4S;
    for (uint step = 0u; step < steps; ++step) {
        for (uint i = lid; i < TILE_TOKENS * STEP_VEC4S; i += WG_SIZE) {
            xTile[i] = texelFetch(xVec4, int((firstToken + i / STEP_VEC4S) * xStride +
                                             step * STEP_VEC4S + i % STEP_VEC4S));
        }
        barrier();
        const uint firstGroup = step * MM_STEP_GROUPS;
        const uint groups = min(MM_STEP_GROUPS, pc.groupsPerRow - firstGroup);
        for (uint s = 0u; s < groups; ++s) {
            const uint g = firstGroup + s;
            float v[32];
            decodeGroup(rowByte + (g / groupsPerUnit) * UNIT_BYTES, g % groupsPerUnit,
                        min(32u, pc.elemCount - 32u * g), v);
            [[unroll]] for (uint k = 0u; k < 8u; ++k) {
                const vec4 w = quad(v, k);
                [[unroll]] for (uint t = 0u; t < TILE_TOKENS; ++t) {
                    sums[t] += dot(w, xTile[t * STEP_VEC4S + s * 8u + k]);
                }
            }
        }
        barrier(); // the next step overwrites xTile
    }
    if (row < pc.count) {
        [[unroll]] for (uint t = 0u; t < TILE_TOKENS; ++t) {
            if (firstToken + t < pc.tokens) {
                y[pc.dstElemOffset + (firstToken + t) * pc.yStride + row] = sums[t];
            }
        }
    }
}

void main() {
    const uint firstToken = gl_WorkGroupID.y * TILE_TOKENS;
    // vec4s per token in x: columns padded to whole steps (the host writes zeros there).
    const uint steps = (pc.groupsPerRow + MM_STEP_GROUPS - 1u) / MM_STEP_GROUPS;
    const uint xStride = steps * STEP_VEC4S;
    const uint invocation = gl_WorkGroupID.x * WG_SIZE + gl_LocalInvocationID.x;
    if (ROW_PER_INVOCATION) {
        cpuTile(invocation * ROWS_PER_LANE, firstToken, xStride);
    } else {
        gpuTile(invocation, firstToken, xStride);
    }
}
