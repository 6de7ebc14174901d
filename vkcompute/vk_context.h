#pragma once

#include "core/error.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vulkan/vulkan.h>

// Internal to vkcompute (Vulkan types; never included by public headers): one logical device
// with its compute queue, a command buffer, a fence, a timestamp query pool and the pipeline
// cache. Not thread-safe; VulkanBackend serialises access.
namespace qs::vk {

// "Vulkan: <what> failed (VK_ERROR_DEVICE_LOST)" as ErrorCode::Device.
core::Error vkError(VkResult result, const std::string& what);
const char* vkResultName(VkResult result);

class Context {
public:
    // deviceIndex: position in vkEnumeratePhysicalDevices order (DeviceInfo::index), or -1
    // for the preferred device (discrete, integrated, virtual, then CPU).
    static core::Result<std::unique_ptr<Context>> create(int deviceIndex, bool persistCache);
    ~Context();
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    // Records into the command buffer between begin() and submitAndWait(). A timeout or a
    // lost device is an ErrorCode::Device error; after a lost device every later submit fails.
    core::Status begin();
    core::Status end();
    // Submits the recorded (and ended) command buffer and waits; may be called repeatedly
    // to run the same commands again.
    core::Status submit(std::uint64_t timeoutNs);
    core::Status submitAndWait(std::uint64_t timeoutNs);

    // A memory type with all `required` flags; among those, the first that also has all
    // `preferred` flags.
    std::optional<std::uint32_t> findMemoryType(std::uint32_t typeBits,
                                                VkMemoryPropertyFlags required,
                                                VkMemoryPropertyFlags preferred) const;

    // Writes the pipeline cache to disk (when persistence is on); errors are logged only,
    // because a missing cache costs time, never correctness.
    void savePipelineCache();

    VkInstance instance = VK_NULL_HANDLE;
    VkPhysicalDevice physical = VK_NULL_HANDLE;
    VkDevice device = VK_NULL_HANDLE;
    VkQueue queue = VK_NULL_HANDLE;
    std::uint32_t queueFamily = 0;
    std::uint32_t physicalIndex = 0;
    VkCommandPool commandPool = VK_NULL_HANDLE;
    VkCommandBuffer commandBuffer = VK_NULL_HANDLE;
    VkFence fence = VK_NULL_HANDLE;
    VkQueryPool timestampPool = VK_NULL_HANDLE; // null when the queue has no timestamps
    VkPipelineCache pipelineCache = VK_NULL_HANDLE;

    VkPhysicalDeviceProperties properties{};
    VkPhysicalDeviceMemoryProperties memory{};
    std::string driverInfo;
    std::uint32_t subgroupSize = 0;
    bool subgroupArithmetic = false; // subgroupAdd usable in compute shaders
    bool shaderInt64 = false;        // enabled when supported: kernels may use 64-bit integers
    // Device-local memory the host can map (integrated GPUs, CPU devices): no staging copies.
    bool unifiedMemory = false;
    double timestampPeriodNs = 0.0;
    bool lost = false;

private:
    Context() = default;
    bool m_persistCache = false;
    std::string m_cachePath;
};

} // namespace qs::vk
