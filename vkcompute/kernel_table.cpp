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
};

#include "spirv/kernel_list.inc"

const KernelSpirv* findSpirv(core::GgmlType type) {
    for (const auto& k : kKernelList) {
        if (k.type == type) {
            return &k;
        }
    }
    return nullptr;
}

// Specialization constant ids, as declared in dequant.comp and matvec.comp.
enum SpecId : std::uint32_t {
    kUnitBytes = 0,
    kUnitElems = 1,
    kOutF16 = 2,
    kWorkgroupSize = 3,
    kRowPerInvocation = 4,
    kSpecCount = 5
};

std::size_t layoutIndex(Kernel kernel) {
    return kernel == Kernel::Matvec ? 1 : 0;
}

} // namespace

VkFormat KernelTable::bindingFormat(Kernel kernel, std::uint32_t binding) {
    const bool matvec = kernel == Kernel::Matvec;
    if (binding == 0) {
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
}

KernelTable::~KernelTable() {
    for (auto& row : m_pipelines) {
        for (VkPipeline p : row) {
            if (p) {
                vkDestroyPipeline(m_ctx.device, p, nullptr);
            }
        }
    }
    for (int i = 0; i < 2; ++i) {
        if (m_layouts[i]) {
            vkDestroyPipelineLayout(m_ctx.device, m_layouts[i], nullptr);
        }
        if (m_setLayouts[i]) {
            vkDestroyDescriptorSetLayout(m_ctx.device, m_setLayouts[i], nullptr);
        }
    }
}

core::Status KernelTable::init() {
    for (std::size_t i = 0; i < 2; ++i) {
        const Kernel kernel = i == 0 ? Kernel::DequantF32 : Kernel::Matvec;
        const std::uint32_t bindings = bindingCount(kernel);
        VkDescriptorSetLayoutBinding b[4]{};
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
        VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(shader::KernelParams)};
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
    if (!spirv || id >= kMaxTypeId) {
        return core::makeError(core::ErrorCode::Unsupported,
                               "Vulkan: no kernel for " +
                                   std::string(core::ggmlTypeInfo(type).name));
    }
    const Spirv code =
        kernel == Kernel::Matvec
            ? (m_ctx.subgroupArithmetic && !m_forceSharedMemoryReduction ? spirv->matvecSubgroup
                                                                         : spirv->matvecShared)
            : (m_ctx.shaderInt64 && !m_forceWordStores ? spirv->dequantWide : spirv->dequant);
    VkShaderModuleCreateInfo moduleInfo{};
    moduleInfo.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
    moduleInfo.codeSize = code.bytes;
    moduleInfo.pCode = code.code;
    VkShaderModule module = VK_NULL_HANDLE;
    if (VkResult r = vkCreateShaderModule(m_ctx.device, &moduleInfo, nullptr, &module);
        r != VK_SUCCESS) {
        return vkError(r, "vkCreateShaderModule");
    }

    const UnitShape unit = unitShape(type);
    // Booleans are 32-bit VkBool32 values in specialization data.
    std::uint32_t values[kSpecCount] = {};
    values[kUnitBytes] = unit.bytes;
    values[kUnitElems] = unit.elems;
    values[kOutF16] = kernel == Kernel::DequantF16 ? 1u : 0u;
    values[kWorkgroupSize] = workgroupSize(kernel);
    values[kRowPerInvocation] = matvecRowPerInvocation() ? 1u : 0u;
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
        ->debug("created pipeline {} for {}", static_cast<int>(kernel),
                core::ggmlTypeInfo(type).name);
    return slot;
}

} // namespace qs::vk
