#include "vkcompute/vk_context.h"

#include "core/logging.h"
#include "vkcompute/device_info.h"
#include "vkcompute/pipeline_cache_file.h"

#include <spdlog/spdlog.h>
#include <vector>

namespace qs::vk {

const char* vkResultName(VkResult result) {
    switch (result) {
    case VK_SUCCESS:
        return "VK_SUCCESS";
    case VK_TIMEOUT:
        return "VK_TIMEOUT";
    case VK_NOT_READY:
        return "VK_NOT_READY";
    case VK_ERROR_OUT_OF_HOST_MEMORY:
        return "VK_ERROR_OUT_OF_HOST_MEMORY";
    case VK_ERROR_OUT_OF_DEVICE_MEMORY:
        return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
    case VK_ERROR_INITIALIZATION_FAILED:
        return "VK_ERROR_INITIALIZATION_FAILED";
    case VK_ERROR_DEVICE_LOST:
        return "VK_ERROR_DEVICE_LOST";
    case VK_ERROR_MEMORY_MAP_FAILED:
        return "VK_ERROR_MEMORY_MAP_FAILED";
    case VK_ERROR_FEATURE_NOT_PRESENT:
        return "VK_ERROR_FEATURE_NOT_PRESENT";
    case VK_ERROR_INCOMPATIBLE_DRIVER:
        return "VK_ERROR_INCOMPATIBLE_DRIVER";
    case VK_ERROR_TOO_MANY_OBJECTS:
        return "VK_ERROR_TOO_MANY_OBJECTS";
    case VK_ERROR_OUT_OF_POOL_MEMORY:
        return "VK_ERROR_OUT_OF_POOL_MEMORY";
    default:
        return "VkResult";
    }
}

core::Error vkError(VkResult result, const std::string& what) {
    auto error = core::makeError(core::ErrorCode::Device,
                                 "Vulkan: " + what + " failed (" + vkResultName(result) + ", " +
                                     std::to_string(static_cast<int>(result)) + ")");
    core::moduleLogger(core::kLogVulkan)->error("{}", error.message);
    return error;
}

namespace {

// The physical device in our own instance that enumerateDevices() calls `index`.
core::Result<std::uint32_t> chooseDevice(int requested) {
    auto devices = enumerateDevices();
    if (!devices) {
        return devices.error();
    }
    if (devices->empty()) {
        return core::makeError(core::ErrorCode::Device,
                               "Vulkan: no device with a compute queue was found");
    }
    if (requested < 0) {
        return (*devices)[preferredDeviceIndex(*devices)].index;
    }
    for (const auto& d : *devices) {
        if (d.index == static_cast<std::uint32_t>(requested)) {
            return d.index;
        }
    }
    return core::makeError(core::ErrorCode::InvalidArgument,
                           "Vulkan: no compute device with index " + std::to_string(requested) +
                               " (see `quantscope-cli devices`)");
}

} // namespace

core::Result<std::unique_ptr<Context>> Context::create(int deviceIndex, bool persistCache) {
    auto chosen = chooseDevice(deviceIndex);
    if (!chosen) {
        return chosen.error();
    }
    std::unique_ptr<Context> ctx(new Context());
    ctx->m_persistCache = persistCache;

    VkApplicationInfo app{};

    app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
    app.pApplicationName = "quantscope";
    app.apiVersion = VK_API_VERSION_1_2;
    VkInstanceCreateInfo instanceInfo{};
    instanceInfo.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
    instanceInfo.pApplicationInfo = &app;
    if (VkResult r = vkCreateInstance(&instanceInfo, nullptr, &ctx->instance); r != VK_SUCCESS) {
        return vkError(r, "vkCreateInstance");
    }
    std::uint32_t count = 0;
    vkEnumeratePhysicalDevices(ctx->instance, &count, nullptr);
    std::vector<VkPhysicalDevice> physical(count);
    vkEnumeratePhysicalDevices(ctx->instance, &count, physical.data());
    if (*chosen >= count) {
        return core::makeError(core::ErrorCode::Device, "Vulkan: device list changed");
    }
    ctx->physicalIndex = *chosen;
    ctx->physical = physical[*chosen];

    VkPhysicalDeviceSubgroupProperties subgroup{};

    subgroup.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES;
    VkPhysicalDeviceDriverProperties driver{};
    driver.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES;
    driver.pNext = &subgroup;
    VkPhysicalDeviceProperties2 props{};
    props.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
    props.pNext = &driver;
    vkGetPhysicalDeviceProperties2(ctx->physical, &props);
    ctx->properties = props.properties;
    ctx->driverInfo = std::string(driver.driverName) + " " + driver.driverInfo;
    if (ctx->properties.apiVersion < VK_API_VERSION_1_2) {
        // The SPIR-V is built for the Vulkan 1.2 environment (SPIR-V 1.5).
        return core::makeError(
            core::ErrorCode::Unsupported,
            std::string("Vulkan: ") + ctx->properties.deviceName + " supports only Vulkan " +
                std::to_string(VK_API_VERSION_MAJOR(ctx->properties.apiVersion)) + "." +
                std::to_string(VK_API_VERSION_MINOR(ctx->properties.apiVersion)) +
                "; 1.2 is needed");
    }
    ctx->subgroupSize = subgroup.subgroupSize;
    ctx->subgroupArithmetic = (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
                              (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_BASIC_BIT) &&
                              (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT);
    vkGetPhysicalDeviceMemoryProperties(ctx->physical, &ctx->memory);

    std::uint32_t familyCount = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(ctx->physical, &familyCount, nullptr);
    std::vector<VkQueueFamilyProperties> families(familyCount);
    vkGetPhysicalDeviceQueueFamilyProperties(ctx->physical, &familyCount, families.data());
    // Prefer a compute queue without graphics (a dedicated async-compute family on GPUs).
    std::optional<std::uint32_t> family;
    for (std::uint32_t i = 0; i < familyCount; ++i) {
        if (!(families[i].queueFlags & VK_QUEUE_COMPUTE_BIT)) {
            continue;
        }
        if (!family || !(families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT)) {
            family = i;
        }
    }
    if (!family) {
        return core::makeError(core::ErrorCode::Device, "Vulkan: device has no compute queue");
    }
    ctx->queueFamily = *family;

    const float priority = 1.0f;
    VkDeviceQueueCreateInfo queueInfo{};
    queueInfo.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
    queueInfo.queueFamilyIndex = ctx->queueFamily;
    queueInfo.queueCount = 1;
    queueInfo.pQueuePriorities = &priority;
    VkPhysicalDeviceFeatures supported{};
    vkGetPhysicalDeviceFeatures(ctx->physical, &supported);
    VkPhysicalDeviceFeatures enabled{};
    enabled.shaderInt64 = supported.shaderInt64;
    ctx->shaderInt64 = supported.shaderInt64 == VK_TRUE;
    VkDeviceCreateInfo deviceInfo{};
    deviceInfo.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
    deviceInfo.queueCreateInfoCount = 1;
    deviceInfo.pQueueCreateInfos = &queueInfo;
    deviceInfo.pEnabledFeatures = &enabled;
    if (VkResult r = vkCreateDevice(ctx->physical, &deviceInfo, nullptr, &ctx->device);
        r != VK_SUCCESS) {
        return vkError(r, "vkCreateDevice");
    }
    vkGetDeviceQueue(ctx->device, ctx->queueFamily, 0, &ctx->queue);

    VkCommandPoolCreateInfo poolInfo{};

    poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    poolInfo.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    poolInfo.queueFamilyIndex = ctx->queueFamily;
    if (VkResult r = vkCreateCommandPool(ctx->device, &poolInfo, nullptr, &ctx->commandPool);
        r != VK_SUCCESS) {
        return vkError(r, "vkCreateCommandPool");
    }
    VkCommandBufferAllocateInfo cmdInfo{};
    cmdInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    cmdInfo.commandPool = ctx->commandPool;
    cmdInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    cmdInfo.commandBufferCount = 1;
    if (VkResult r = vkAllocateCommandBuffers(ctx->device, &cmdInfo, &ctx->commandBuffer);
        r != VK_SUCCESS) {
        return vkError(r, "vkAllocateCommandBuffers");
    }
    VkFenceCreateInfo fenceInfo{};
    fenceInfo.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
    if (VkResult r = vkCreateFence(ctx->device, &fenceInfo, nullptr, &ctx->fence);
        r != VK_SUCCESS) {
        return vkError(r, "vkCreateFence");
    }

    if (families[ctx->queueFamily].timestampValidBits > 0 &&
        ctx->properties.limits.timestampPeriod > 0.0f) {
        VkQueryPoolCreateInfo queryInfo{};
        queryInfo.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO;
        queryInfo.queryType = VK_QUERY_TYPE_TIMESTAMP;
        queryInfo.queryCount = 2;
        if (vkCreateQueryPool(ctx->device, &queryInfo, nullptr, &ctx->timestampPool) ==
            VK_SUCCESS) {
            ctx->timestampPeriodNs = ctx->properties.limits.timestampPeriod;
        }
    }

    // Unified memory: a DEVICE_LOCAL type the host can map coherently. On discrete GPUs such
    // a type (resizable BAR) is slow to read back, so only integrated and CPU devices use it.
    const bool uma = ctx->properties.deviceType == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU ||
                     ctx->properties.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
    ctx->unifiedMemory = uma && ctx->findMemoryType(~0u,
                                                    VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT |
                                                        VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                                        VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                                                    0)
                                    .has_value();

    std::vector<char> cacheData;
    if (persistCache) {
        ctx->m_cachePath = pipelineCachePath(ctx->properties.vendorID, ctx->properties.deviceID,
                                             ctx->properties.driverVersion);
        cacheData = readPipelineCache(ctx->m_cachePath);
    }
    VkPipelineCacheCreateInfo cacheInfo{};
    cacheInfo.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO;
    cacheInfo.initialDataSize = cacheData.size();
    cacheInfo.pInitialData = cacheData.empty() ? nullptr : cacheData.data();
    if (vkCreatePipelineCache(ctx->device, &cacheInfo, nullptr, &ctx->pipelineCache) !=
        VK_SUCCESS) {
        // A corrupt or foreign cache file: start empty rather than fail.
        cacheInfo.initialDataSize = 0;
        cacheInfo.pInitialData = nullptr;
        if (VkResult r =
                vkCreatePipelineCache(ctx->device, &cacheInfo, nullptr, &ctx->pipelineCache);
            r != VK_SUCCESS) {
            return vkError(r, "vkCreatePipelineCache");
        }
    }
    core::moduleLogger(core::kLogVulkan)
        ->info("Vulkan device: {} ({}), subgroup {}, {} memory, pipeline cache {} bytes",
               ctx->properties.deviceName, ctx->driverInfo, ctx->subgroupSize,
               ctx->unifiedMemory ? "unified" : "device-local + staging", cacheData.size());
    return ctx;
}

Context::~Context() {
    if (device) {
        vkDeviceWaitIdle(device);
        savePipelineCache();
        vkDestroyPipelineCache(device, pipelineCache, nullptr);
        if (timestampPool) {
            vkDestroyQueryPool(device, timestampPool, nullptr);
        }
        vkDestroyFence(device, fence, nullptr);
        vkDestroyCommandPool(device, commandPool, nullptr);
        vkDestroyDevice(device, nullptr);
    }
    if (instance) {
        vkDestroyInstance(instance, nullptr);
    }
}

void Context::savePipelineCache() {
    if (!m_persistCache || !pipelineCache || lost) {
        return;
    }
    std::size_t size = 0;
    if (vkGetPipelineCacheData(device, pipelineCache, &size, nullptr) != VK_SUCCESS || size == 0) {
        return;
    }
    std::vector<char> data(size);
    if (vkGetPipelineCacheData(device, pipelineCache, &size, data.data()) != VK_SUCCESS) {
        return;
    }
    data.resize(size);
    std::string error;
    if (!writePipelineCache(m_cachePath, data, error)) {
        core::moduleLogger(core::kLogVulkan)->warn("pipeline cache not saved: {}", error);
    }
}

core::Status Context::begin() {
    if (lost) {
        return core::makeError(core::ErrorCode::Device,
                               "Vulkan: the device was lost earlier; recreate the backend");
    }
    if (VkResult r = vkResetCommandBuffer(commandBuffer, 0); r != VK_SUCCESS) {
        return vkError(r, "vkResetCommandBuffer");
    }
    VkCommandBufferBeginInfo info{};
    info.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    if (VkResult r = vkBeginCommandBuffer(commandBuffer, &info); r != VK_SUCCESS) {
        return vkError(r, "vkBeginCommandBuffer");
    }
    return {};
}

core::Status Context::end() {
    if (VkResult r = vkEndCommandBuffer(commandBuffer); r != VK_SUCCESS) {
        return vkError(r, "vkEndCommandBuffer");
    }
    return {};
}

core::Status Context::submitAndWait(std::uint64_t timeoutNs) {
    if (core::Status s = end(); !s) {
        return s;
    }
    return submit(timeoutNs);
}

core::Status Context::submit(std::uint64_t timeoutNs) {
    if (lost) {
        return core::makeError(core::ErrorCode::Device,
                               "Vulkan: the device was lost earlier; recreate the backend");
    }
    VkSubmitInfo submit{};
    submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &commandBuffer;
    if (VkResult r = vkResetFences(device, 1, &fence); r != VK_SUCCESS) {
        return vkError(r, "vkResetFences");
    }
    if (VkResult r = vkQueueSubmit(queue, 1, &submit, fence); r != VK_SUCCESS) {
        lost = lost || r == VK_ERROR_DEVICE_LOST;
        return vkError(r, "vkQueueSubmit");
    }
    const VkResult r = vkWaitForFences(device, 1, &fence, VK_TRUE, timeoutNs);
    if (r == VK_TIMEOUT) {
        // The work may still be running and own our buffers: treat the device as unusable.
        lost = true;
        return vkError(r, "waiting for the compute work (timeout " +
                              std::to_string(timeoutNs / 1000000) + " ms)");
    }
    if (r != VK_SUCCESS) {
        lost = lost || r == VK_ERROR_DEVICE_LOST;
        return vkError(r, "vkWaitForFences");
    }
    return {};
}

std::optional<std::uint32_t> Context::findMemoryType(std::uint32_t typeBits,
                                                     VkMemoryPropertyFlags required,
                                                     VkMemoryPropertyFlags preferred) const {
    std::optional<std::uint32_t> fallback;
    for (std::uint32_t i = 0; i < memory.memoryTypeCount; ++i) {
        const VkMemoryPropertyFlags flags = memory.memoryTypes[i].propertyFlags;
        if (!(typeBits & (1u << i)) || (flags & required) != required) {
            continue;
        }
        if ((flags & preferred) == preferred) {
            return i;
        }
        if (!fallback) {
            fallback = i;
        }
    }
    return fallback;
}

} // namespace qs::vk
