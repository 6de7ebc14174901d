#pragma once

#include "core/error.h"
#include "core/quant/ggml_type.h"
#include "vkcompute/vk_context.h"

#include <array>
#include <cstdint>

// Internal: the compute pipelines, one per (kernel, storage type), created on first use from
// the embedded SPIR-V and kept for the life of the device. The formats with kernels are the
// list in vkcompute/sources.cmake.
namespace qs::vk {

enum class Kernel : std::uint32_t { DequantF32, DequantF16, Matvec, Count };

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
    VkPipelineLayout layout(Kernel kernel) const;
    VkDescriptorSetLayout setLayout(Kernel kernel) const;
    static std::uint32_t bindingCount(Kernel kernel) { return kernel == Kernel::Matvec ? 4 : 3; }
    // Inputs are uniform texel buffers read through a view of this format (texelFetch: on
    // lavapipe a vector gather, where a storage-buffer load is a loop over the SIMD lanes);
    // outputs are storage buffers (VK_FORMAT_UNDEFINED). Dequant: 0 = blocks as words
    // (R32_UINT), 1 = output, 2 = the same blocks as 16-byte texels (R32G32B32A32_UINT).
    // Matvec: 0 = blocks as words, 1 = x (R32G32B32A32_SFLOAT), 2 = y, 3 = blocks as 16 bytes.
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

private:
    static constexpr std::size_t kMaxTypeId = 64;
    Context& m_ctx;
    bool m_forceWorkgroupPerRow;
    bool m_forceSharedMemoryReduction;
    bool m_forceWordStores;
    // Dequant kernels share one layout, matvec has its own.
    VkDescriptorSetLayout m_setLayouts[2] = {VK_NULL_HANDLE, VK_NULL_HANDLE};
    VkPipelineLayout m_layouts[2] = {VK_NULL_HANDLE, VK_NULL_HANDLE};
    std::array<std::array<VkPipeline, kMaxTypeId>, static_cast<std::size_t>(Kernel::Count)>
        m_pipelines{};
};

} // namespace qs::vk
