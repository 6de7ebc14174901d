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
#else
#define QS_PARAMS_BEGIN layout(push_constant) uniform KernelParams
#define QS_PARAMS_END pc;
#endif

QS_PARAMS_BEGIN {
    uint srcByteOffset; // byte of the first unit (block) inside the bound source range
    uint dstElemOffset; // element of the first output inside the bound destination range
    uint count;         // dequant: 32-value groups to write; matvec: rows to compute
    uint elemCount;     // dequant: values in this chunk; matvec: columns (nCols)
    uint rowBytes;      // matvec: bytes per weight row
    uint groupsPerRow;  // matvec: 32-value groups per row, ceil(nCols / 32)
    uint reserved0;
    uint reserved1;
}
QS_PARAMS_END

#ifdef __cplusplus
static_assert(sizeof(KernelParams) == 8 * sizeof(uint), "push constants must stay packed uints");
static_assert(sizeof(KernelParams) <= 128, "Vulkan guarantees only 128 bytes of push constants");
} // namespace qs::vk::shader
#undef QS_PARAMS_BEGIN
#undef QS_PARAMS_END
#endif
