// Push constants of every kernel, shared by the GLSL shaders (included through glslc) and the
// C++ host code, so that the two cannot drift apart. Only 32-bit uints: with those the std430
// push-constant layout and the C++ struct layout are the same by construction.
#ifdef __cplusplus
#pragma once
#include <cstdint>
namespace qs::vk::shader {
using uint = std::uint32_t;
#define QS_PARAMS_BEGIN struct KernelParams
#define QS_PARAMS_END ;
#define QS_PACKED_PARAMS_BEGIN struct PackedParams
#else
#define QS_PARAMS_BEGIN layout(push_constant) uniform KernelParams
#define QS_PARAMS_END pc;
#define QS_PACKED_PARAMS_BEGIN layout(push_constant) uniform PackedParams
#endif

// mul_mm.comp's tile: a workgroup computes KernelTable::matmulRowsPerWorkgroup() rows times
// MM_TILE_TOKENS tokens; its GPU shape stages MM_STEP_GROUPS 32-value groups of each token's x
// in shared memory per step (32 x 2 x 32 floats: 8 KiB, half of the 16 KiB every device has).
// The host lays x out to match: each token's values padded with zeros to whole steps, the
// token count to whole tiles.
const uint MM_TILE_TOKENS = 32u;
const uint MM_STEP_GROUPS = 2u;

// A shader has one push-constant block: the packed GPTQ/AWQ kernels (QS_PACKED_KERNEL) take
// PackedParams, every other kernel KernelParams. C++ sees both.
#if defined(__cplusplus) || !defined(QS_PACKED_KERNEL)
QS_PARAMS_BEGIN {
    uint srcByteOffset; // byte of the first unit (block) inside the bound source range
    uint dstElemOffset; // element of the first output inside the bound destination range
    uint count;         // dequant: 32-value groups to write; matvec, mul_mm: rows to compute
    uint elemCount;     // dequant: values in this chunk; matvec, mul_mm: columns (nCols)
    uint rowBytes;      // matvec, mul_mm: bytes per weight row
    uint groupsPerRow;  // matvec, mul_mm: 32-value groups per row, ceil(nCols / 32)
    uint tokens;        // mul_mm: tokens (columns of x and y) this dispatch computes
    uint yStride;       // mul_mm: floats from one token's outputs to the next's in y
}
QS_PARAMS_END
#endif

// Packed GPTQ/AWQ linears (dequant_packed.comp, matvec_packed.comp). The host uploads the
// arrays as data chunks of whole output granules, each array of a chunk re-cut to the chunk's
// outputs (so a chunk's GPTQ qweight is [rows][chunkOutputs] words), and binds one chunk's
// arrays, each from its start, per dispatch. Outputs are counted inside the chunk.
#if defined(__cplusplus) || defined(QS_PACKED_KERNEL)
QS_PACKED_PARAMS_BEGIN {
    uint dstElemOffset; // binding 1: value (dequant) or y entry (matvec) of firstOutput
    uint chunkOutputs;  // outputs of the chunk: the row length of its packed arrays
    uint firstOutput;   // first output of this dispatch
    uint outputCount;   // outputs this dispatch computes
    uint unitCount;     // invocation units (packed_funcs.glsl UNIT outputs) covering them
    uint inFeatures;    // columns of W (length of x, values per dequantized row)
    uint blocks;        // 32-column blocks per row, ceil(inFeatures / 32)
    uint qweightRows;   // rows of the chunk's qweight (GPTQ: in * bits / 32; AWQ: in)
    uint zeroOffset;    // added to a stored zero: 1 for GPTQ v1 (no mask after), else 0
    uint reserved0;
    uint reserved1;
    uint reserved2;
}
QS_PARAMS_END
#endif

#ifdef __cplusplus
static_assert(sizeof(KernelParams) == 8 * sizeof(uint), "push constants must stay packed uints");
static_assert(sizeof(KernelParams) <= 128, "Vulkan guarantees only 128 bytes of push constants");
static_assert(sizeof(PackedParams) == 12 * sizeof(uint), "push constants must stay packed uints");
static_assert(sizeof(PackedParams) <= 128, "Vulkan guarantees only 128 bytes of push constants");
} // namespace qs::vk::shader
#undef QS_PARAMS_BEGIN
#undef QS_PARAMS_END
#undef QS_PACKED_PARAMS_BEGIN
#endif
