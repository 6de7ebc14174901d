#pragma once

#include "core/compute/packed_linear.h"
#include "core/error.h"
#include "core/quant/ggml_type.h"
#include "vkcompute/vk_context.h"

#include <array>
#include <cstdint>
#include <string_view>

// Internal: the compute pipelines, one per (kernel, storage type), created on first use from
// the embedded SPIR-V and kept for the life of the device. The formats with kernels are the
// list in vkcompute/sources.cmake.
namespace qs::vk {

enum class Kernel : std::uint32_t {
    DequantF32,
    DequantF16,
    Matvec,
    MatMul, // mul_mm.comp: a batch of tokens; matvec's bindings and layout
    // On packed GPTQ/AWQ linears (core/compute/packed_linear.h); pipelines by PackedFormat.
    PackedDequantF32,
    PackedDequantF16,
    PackedMatvec,
    Count
};

inline bool isPackedKernel(Kernel kernel) {
    return kernel == Kernel::PackedDequantF32 || kernel == Kernel::PackedDequantF16 ||
           kernel == Kernel::PackedMatvec;
}

// The SPIR-V variants of the packed kernels: a packed layout and bit width (v1 and v2 GPTQ
// differ only by a push constant).
enum class PackedFormat : std::uint32_t { GPTQ2, GPTQ3, GPTQ4, GPTQ8, AWQ4, Count };
PackedFormat packedFormat(core::PackedLayout layout, int bits);

// The matvec_packed.comp workgroup: WG_X units (packed_funcs.glsl: 4 GPTQ or 8 AWQ outputs)
// times SPLIT_K slices of the columns.
struct PackedMatvecShape {
    std::uint32_t units = 64;
    std::uint32_t splitK = 1;
};

// Outputs one packed-kernel invocation computes (packed_funcs.glsl UNIT).
inline std::uint32_t packedUnitOutputs(PackedFormat format) {
    return format == PackedFormat::AWQ4 ? 8 : 4;
}

// Whether SPIR-V for this type was built into the binary.
bool hasKernels(core::GgmlType type);

// How a kernel addresses a type: a unit is one block, or 32 values of a plain type, so that
// every unit holds a whole number of the shaders' 32-value groups.
struct UnitShape {
    std::uint32_t elems = 0;
    std::uint32_t bytes = 0;
};
UnitShape unitShape(core::GgmlType type);

class KernelTable {
public:
    KernelTable(Context& ctx, bool forceWorkgroupPerRow, bool forceSharedMemoryReduction,
                bool forceWordStores);
    ~KernelTable();
    KernelTable(const KernelTable&) = delete;
    KernelTable& operator=(const KernelTable&) = delete;

    core::Status init();
    core::Result<VkPipeline> pipeline(Kernel kernel, core::GgmlType type);
    // A packed kernel; perColumnGroups: the group table has an entry per column, not per
    // 32-column block (packed_funcs.glsl).
    core::Result<VkPipeline> packedPipeline(Kernel kernel, PackedFormat format,
                                            bool perColumnGroups);
    VkPipelineLayout layout(Kernel kernel) const;
    VkDescriptorSetLayout setLayout(Kernel kernel) const;
    static std::uint32_t bindingCount(Kernel kernel) {
        return isPackedKernel(kernel) ? 6 : usesMatvecLayout(kernel) ? 5 : 4;
    }
    static bool usesMatvecLayout(Kernel kernel) {
        return kernel == Kernel::Matvec || kernel == Kernel::MatMul;
    }
    // Inputs are uniform texel buffers read through a view of this format (texelFetch: on
    // lavapipe a vector gather, where a storage-buffer load is a loop over the SIMD lanes);
    // outputs are storage buffers (VK_FORMAT_UNDEFINED). Dequant: 0 = blocks as words
    // (R32_UINT), 1 = output, 2 = the same blocks as 16-byte texels (R32G32B32A32_UINT),
    // 3 = the type's i-quant code book as words (code_books.h; other types never read it).
    // Matvec and MatMul: 0 = blocks as words, 1 = x (R32G32B32A32_SFLOAT), 2 = y, 3 = blocks as
    // 16 bytes, 4 = the code book.
    // Packed kernels: 0 = qweight and 3 = scales as 16-byte texels, 2 = qzeros and 4 = the
    // group table as words, 1 = output (dequantized rows or y), 5 = x (RGBA32F; dequant binds
    // the scales there, unused).
    static VkFormat bindingFormat(Kernel kernel, std::uint32_t binding);
    static VkDescriptorType descriptorType(Kernel kernel, std::uint32_t binding) {
        return bindingFormat(kernel, binding) == VK_FORMAT_UNDEFINED
                   ? VK_DESCRIPTOR_TYPE_STORAGE_BUFFER
                   : VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
    }
    std::uint32_t workgroupSize(Kernel kernel) const;
    // Matvec computes 2 rows per invocation (CPU devices) instead of one per workgroup.
    bool matvecRowPerInvocation() const;
    // Rows one matvec workgroup computes (matvec.comp ROWS_PER_LANE in that mode).
    std::uint32_t matvecRowsPerWorkgroup() const {
        return matvecRowPerInvocation() ? 2 * workgroupSize(Kernel::Matvec) : 1;
    }
    // Rows one mul_mm workgroup computes: mul_mm.comp's ROWS_PER_LANE per invocation on CPU
    // devices, one per invocation on GPUs.
    std::uint32_t matmulRowsPerWorkgroup() const {
        return (matvecRowPerInvocation() ? 4 : 1) * workgroupSize(Kernel::MatMul);
    }
    // CPU devices: 64 units, no split; GPUs (and forceWorkgroupPerRow): 16 units times 16 (or
    // 8) slices of the columns, reduced in shared memory.
    PackedMatvecShape packedMatvecShape() const;

private:
    static constexpr std::size_t kMaxTypeId = 64;
    Context& m_ctx;
    bool m_forceWorkgroupPerRow;
    bool m_forceSharedMemoryReduction;
    bool m_forceWordStores;
    static constexpr std::size_t kLayouts = 3;
    static constexpr std::size_t kPackedFormats = static_cast<std::size_t>(PackedFormat::Count);
    core::Result<VkPipeline> createPipeline(VkPipeline& slot, Kernel kernel,
                                            const std::uint32_t* code, std::size_t codeBytes,
                                            std::uint32_t unitBytes, std::uint32_t unitElems,
                                            bool perColumnGroups, std::string_view what);
    // Dequant kernels share one layout, matvec has its own, the packed kernels a third.
    VkDescriptorSetLayout m_setLayouts[kLayouts] = {VK_NULL_HANDLE, VK_NULL_HANDLE, VK_NULL_HANDLE};
    VkPipelineLayout m_layouts[kLayouts] = {VK_NULL_HANDLE, VK_NULL_HANDLE, VK_NULL_HANDLE};
    std::array<std::array<VkPipeline, kMaxTypeId>, static_cast<std::size_t>(Kernel::Count)>
        m_pipelines{};
    // [kernel - PackedDequantF32][format][perColumnGroups]
    std::array<std::array<std::array<VkPipeline, 2>, kPackedFormats>, 3> m_packedPipelines{};
};

} // namespace qs::vk
