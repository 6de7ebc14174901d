#include "vkcompute/kernel_table.h"

#include "core/logging.h"
#include "vkcompute/shaders/kernel_params.h"

#include <algorithm>
#include <spdlog/spdlog.h>

namespace qs::vk {
namespace {

struct Spirv {
    const std::uint32_t* code;
    std::size_t bytes;
};
struct KernelSpirv {
    core::GgmlType type;
    Spirv dequant;
    Spirv dequantWide; // QS_STORE_U64: stores 64-bit words, needs shaderInt64
    Spirv matvecSubgroup;
    Spirv matvecShared;
    Spirv mulMm;
};

#include "spirv/kernel_list.inc"

struct PackedKernelSpirv {
    PackedFormat format;
    Spirv dequant;
    Spirv dequantWide; // QS_STORE_U64: stores 64-bit words, needs shaderInt64
    Spirv matvec;
};

#include "spirv/packed_kernel_list.inc"

const KernelSpirv* findSpirv(core::GgmlType type) {
    for (const auto& k : kKernelList) {
        if (k.type == type) {
            return &k;
        }
    }
    return nullptr;
}

// Specialization constant ids, as declared in dequant.comp, matvec.comp, mul_mm.comp and the packed
// kernels (dequant_packed.comp, matvec_packed.comp).
enum SpecId : std::uint32_t {
    kUnitBytes = 0,
    kUnitElems = 1,
    kOutF16 = 2,
    kWorkgroupSize = 3,
    kRowPerInvocation = 4,
    kPerColumnGroups = 5,
    kSplitK = 6,
    kSpecCount = 7
};

std::size_t layoutIndex(Kernel kernel) {
    return isPackedKernel(kernel) ? 2 : KernelTable::usesMatvecLayout(kernel) ? 1 : 0;
}

} // namespace

VkFormat KernelTable::bindingFormat(Kernel kernel, std::uint32_t binding) {
    if (isPackedKernel(kernel)) {
        switch (binding) {
        case 0: // qweight
        case 3: // scales
            return VK_FORMAT_R32G32B32A32_UINT;
        case 1: // output
            return VK_FORMAT_UNDEFINED;
        case 5: // x
            return VK_FORMAT_R32G32B32A32_SFLOAT;
        default: // qzeros, group table
            return VK_FORMAT_R32_UINT;
        }
    }
    const bool matvec = usesMatvecLayout(kernel);
    if (binding == 0 || binding == (matvec ? 4u : 3u)) { // blocks as words, the code book
        return VK_FORMAT_R32_UINT;
    }
    if (binding == (matvec ? 3u : 2u)) {
        return VK_FORMAT_R32G32B32A32_UINT;
    }
    if (matvec && binding == 1) {
        return VK_FORMAT_R32G32B32A32_SFLOAT;
    }
    return VK_FORMAT_UNDEFINED;
}

PackedFormat packedFormat(core::PackedLayout layout, int bits) {
    if (layout == core::PackedLayout::AwqGemm) {
        return PackedFormat::AWQ4;
    }
    switch (bits) {
    case 2:
        return PackedFormat::GPTQ2;
    case 3:
        return PackedFormat::GPTQ3;
    case 8:
        return PackedFormat::GPTQ8;
    default:
        return PackedFormat::GPTQ4;
    }
}

bool hasKernels(core::GgmlType type) {
    return findSpirv(type) != nullptr;
}

UnitShape unitShape(core::GgmlType type) {
    const core::GgmlTypeInfo& info = core::ggmlTypeInfo(type);
    if (info.blockSize >= 32) {
        return {info.blockSize, info.bytesPerBlock};
    }
    return {32, info.bytesPerBlock * (32 / info.blockSize)};
}

KernelTable::KernelTable(Context& ctx, bool forceWorkgroupPerRow, bool forceSharedMemoryReduction,
                         bool forceWordStores)
    : m_ctx(ctx)
    , m_forceWorkgroupPerRow(forceWorkgroupPerRow)
    , m_forceSharedMemoryReduction(forceSharedMemoryReduction)
    , m_forceWordStores(forceWordStores) {
    for (auto& row : m_pipelines) {
        row.fill(VK_NULL_HANDLE);
    }
    for (auto& kernel : m_packedPipelines) {
        for (auto& format : kernel) {
            format.fill(VK_NULL_HANDLE);
        }
    }
}

KernelTable::~KernelTable() {
    for (auto& row : m_pipelines) {
        for (VkPipeline p : row) {
            if (p) {
                vkDestroyPipeline(m_ctx.device, p, nullptr);
            }
        }
    }
    for (auto& kernel : m_packedPipelines) {
        for (auto& format : kernel) {
            for (VkPipeline p : format) {
                if (p) {
                    vkDestroyPipeline(m_ctx.device, p, nullptr);
                }
            }
        }
    }
    for (std::size_t i = 0; i < kLayouts; ++i) {
        if (m_layouts[i]) {
            vkDestroyPipelineLayout(m_ctx.device, m_layouts[i], nullptr);
        }
        if (m_setLayouts[i]) {
            vkDestroyDescriptorSetLayout(m_ctx.device, m_setLayouts[i], nullptr);
        }
    }
}

core::Status KernelTable::init() {
    for (std::size_t i = 0; i < kLayouts; ++i) {
        const Kernel kernel = i == 0   ? Kernel::DequantF32
                              : i == 1 ? Kernel::Matvec
                                       : Kernel::PackedMatvec;
        const std::uint32_t bindings = bindingCount(kernel);
        VkDescriptorSetLayoutBinding b[6]{};
        for (std::uint32_t j = 0; j < bindings; ++j) {
            b[j].binding = j;
            b[j].descriptorType = descriptorType(kernel, j);
            b[j].descriptorCount = 1;
            b[j].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
        }
        VkDescriptorSetLayoutCreateInfo setInfo{};
        setInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
        setInfo.bindingCount = bindings;
        setInfo.pBindings = b;
        if (VkResult r =
                vkCreateDescriptorSetLayout(m_ctx.device, &setInfo, nullptr, &m_setLayouts[i]);
            r != VK_SUCCESS) {
            return vkError(r, "vkCreateDescriptorSetLayout");
        }
        const auto pushBytes = static_cast<std::uint32_t>(
            isPackedKernel(kernel) ? sizeof(shader::PackedParams) : sizeof(shader::KernelParams));
        VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0, pushBytes};
        VkPipelineLayoutCreateInfo layoutInfo{};
        layoutInfo.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
        layoutInfo.setLayoutCount = 1;
        layoutInfo.pSetLayouts = &m_setLayouts[i];
        layoutInfo.pushConstantRangeCount = 1;
        layoutInfo.pPushConstantRanges = &push;
        if (VkResult r = vkCreatePipelineLayout(m_ctx.device, &layoutInfo, nullptr, &m_layouts[i]);
            r != VK_SUCCESS) {
            return vkError(r, "vkCreatePipelineLayout");
        }
    }
    return {};
}

VkPipelineLayout KernelTable::layout(Kernel kernel) const {
    return m_layouts[layoutIndex(kernel)];
}

VkDescriptorSetLayout KernelTable::setLayout(Kernel kernel) const {
    return m_setLayouts[layoutIndex(kernel)];
}

std::uint32_t KernelTable::workgroupSize(Kernel kernel) const {
    if (kernel == Kernel::PackedMatvec) {
        const PackedMatvecShape shape = packedMatvecShape();
        return shape.units * shape.splitK;
    }
    if (kernel == Kernel::MatMul) {
        // 64 invocations share each staged x value on GPUs, or each workgroup task's x fetches
        // on lavapipe; Vulkan guarantees 128.
        return 64;
    }
    if (kernel != Kernel::Matvec) {
        // lavapipe runs a workgroup as one task of its thread pool: 256 invocations (32 SIMD
        // iterations) per task measured a little faster than 64. Vulkan guarantees only 128.
        const VkPhysicalDeviceLimits& l = m_ctx.properties.limits;
        return std::min({256u, l.maxComputeWorkGroupSize[0], l.maxComputeWorkGroupInvocations});
    }
    // GPUs: one row per workgroup of a few subgroups. CPU devices: 64 invocations per
    // workgroup, each computing matvec.comp's ROWS_PER_LANE rows.
    const std::uint32_t wanted = std::max(64u, 2u * m_ctx.subgroupSize);
    std::uint32_t size = 1;
    while (size * 2 <= wanted && size * 2 <= m_ctx.properties.limits.maxComputeWorkGroupSize[0] &&
           size * 2 <= m_ctx.properties.limits.maxComputeWorkGroupInvocations) {
        size *= 2;
    }
    return size; // a power of two: the shared-memory reduction halves it
}

PackedMatvecShape KernelTable::packedMatvecShape() const {
    if (matvecRowPerInvocation()) {
        return {64, 1};
    }
    // 16 units (64 GPTQ outputs, 256 bytes of a packed row) per slice and step; 16 slices
    // where the device allows 256 invocations, else 8 (Vulkan guarantees 128).
    const VkPhysicalDeviceLimits& l = m_ctx.properties.limits;
    const std::uint32_t split =
        l.maxComputeWorkGroupInvocations >= 256 && l.maxComputeWorkGroupSize[1] >= 16 ? 16 : 8;
    return {16, split};
}

bool KernelTable::matvecRowPerInvocation() const {
    return m_ctx.properties.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU && !m_forceWorkgroupPerRow;
}

core::Result<VkPipeline> KernelTable::pipeline(Kernel kernel, core::GgmlType type) {
    const auto id = static_cast<std::size_t>(type);
    VkPipeline& slot = m_pipelines[static_cast<std::size_t>(kernel)][id < kMaxTypeId ? id : 0];
    if (id < kMaxTypeId && slot) {
        return slot;
    }
    const KernelSpirv* spirv = findSpirv(type);
    if (!spirv || id >= kMaxTypeId || isPackedKernel(kernel)) {
        return core::makeError(core::ErrorCode::Unsupported,
                               "Vulkan: no kernel for " +
                                   std::string(core::ggmlTypeInfo(type).name));
    }
    const Spirv code =
        kernel == Kernel::MatMul ? spirv->mulMm
        : kernel == Kernel::Matvec
            ? (m_ctx.subgroupArithmetic && !m_forceSharedMemoryReduction ? spirv->matvecSubgroup
                                                                         : spirv->matvecShared)
            : (m_ctx.shaderInt64 && !m_forceWordStores ? spirv->dequantWide : spirv->dequant);
    const UnitShape unit = unitShape(type);
    return createPipeline(slot, kernel, code.code, code.bytes, unit.bytes, unit.elems, false,
                          core::ggmlTypeInfo(type).name);
}

core::Result<VkPipeline> KernelTable::packedPipeline(Kernel kernel, PackedFormat format,
                                                     bool perColumnGroups) {
    const auto f = static_cast<std::size_t>(format);
    if (!isPackedKernel(kernel) || f >= kPackedFormats) {
        return core::makeError(core::ErrorCode::Internal, "Vulkan: not a packed kernel");
    }
    VkPipeline& slot =
        m_packedPipelines[static_cast<std::size_t>(kernel) -
                          static_cast<std::size_t>(Kernel::PackedDequantF32)][f][perColumnGroups];
    if (slot) {
        return slot;
    }
    for (const auto& k : kPackedKernelList) {
        if (k.format == format) {
            const Spirv code = kernel == Kernel::PackedMatvec            ? k.matvec
                               : m_ctx.shaderInt64 && !m_forceWordStores ? k.dequantWide
                                                                         : k.dequant;
            return createPipeline(slot, kernel, code.code, code.bytes, 0, 0, perColumnGroups,
                                  "packed linear");
        }
    }
    return core::makeError(core::ErrorCode::Unsupported, "Vulkan: no packed kernel");
}

core::Result<VkPipeline> KernelTable::createPipeline(VkPipeline& slot, Kernel kernel,
                                                     const std::uint32_t* code,
                                                     std::size_t codeBytes, std::uint32_t unitBytes,
                                                     std::uint32_t unitElems, bool perColumnGroups,
                                                     std::string_view what) {
    VkShaderModuleCreateInfo moduleInfo{};
    moduleInfo.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
    moduleInfo.codeSize = codeBytes;
    moduleInfo.pCode = code;
    VkShaderModule module = VK_NULL_HANDLE;
    if (VkResult r = vkCreateShaderModule(m_ctx.device, &moduleInfo, nullptr, &module);
        r != VK_SUCCESS) {
        return vkError(r, "vkCreateShaderModule");
    }

    // Booleans are 32-bit VkBool32 values in specialization data.
    std::uint32_t values[kSpecCount] = {};
    values[kUnitBytes] = unitBytes;
    values[kUnitElems] = unitElems;
    values[kOutF16] = kernel == Kernel::DequantF16 || kernel == Kernel::PackedDequantF16 ? 1u : 0u;
    values[kWorkgroupSize] =
        kernel == Kernel::PackedMatvec ? packedMatvecShape().units : workgroupSize(kernel);
    values[kRowPerInvocation] = matvecRowPerInvocation() ? 1u : 0u;
    values[kPerColumnGroups] = perColumnGroups ? 1u : 0u;
    values[kSplitK] = packedMatvecShape().splitK;
    VkSpecializationMapEntry entries[kSpecCount];
    for (std::uint32_t i = 0; i < kSpecCount; ++i) {
        entries[i] = {i, i * 4u, 4u};
    }
    VkSpecializationInfo spec{};
    // Each shader declares only some ids; entries for absent ids are allowed and ignored.
    spec.mapEntryCount = kSpecCount;
    spec.pMapEntries = entries;
    spec.dataSize = sizeof(values);
    spec.pData = values;

    VkComputePipelineCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
    info.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
    info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    info.stage.module = module;
    info.stage.pName = "main";
    info.stage.pSpecializationInfo = &spec;
    info.layout = layout(kernel);
    const VkResult r =
        vkCreateComputePipelines(m_ctx.device, m_ctx.pipelineCache, 1, &info, nullptr, &slot);
    vkDestroyShaderModule(m_ctx.device, module, nullptr);
    if (r != VK_SUCCESS) {
        slot = VK_NULL_HANDLE;
        return vkError(r, "vkCreateComputePipelines");
    }
    core::moduleLogger(core::kLogVulkan)
        ->debug("created pipeline {} for {}", static_cast<int>(kernel), what);
    return slot;
}

} // namespace qs::vk
