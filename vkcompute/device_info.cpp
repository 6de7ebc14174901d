#include "vkcompute/device_info.h"

#include "core/logging.h"

#include <memory>
#include <spdlog/spdlog.h>
#include <vulkan/vulkan.h>

namespace qs::vk {
namespace {

DeviceKind kindOf(VkPhysicalDeviceType type) {
    switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
        return DeviceKind::DiscreteGpu;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
        return DeviceKind::IntegratedGpu;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
        return DeviceKind::VirtualGpu;
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
        return DeviceKind::Cpu;
    default:
        return DeviceKind::Other;
    }
}

int preferenceRank(DeviceKind kind) {
    switch (kind) {
    case DeviceKind::DiscreteGpu:
        return 0;
    case DeviceKind::IntegratedGpu:
        return 1;
    case DeviceKind::VirtualGpu:
        return 2;
    case DeviceKind::Cpu:
        return 3;
    case DeviceKind::Other:
        return 4;
    }
    return 5;
}

struct InstanceDeleter {
    void operator()(VkInstance_T* instance) const { vkDestroyInstance(instance, nullptr); }
};

} // namespace

const char* deviceKindName(DeviceKind kind) {
    switch (kind) {
    case DeviceKind::DiscreteGpu:
        return "discrete GPU";
    case DeviceKind::IntegratedGpu:
        return "integrated GPU";
    case DeviceKind::VirtualGpu:
        return "virtual GPU";
    case DeviceKind::Cpu:
        return "CPU";
    case DeviceKind::Other:
        return "other";
    }
    return "other";
}

core::Result<std::vector<DeviceInfo>> enumerateDevices() {
    VkApplicationInfo app{};
    app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
    app.pApplicationName = "quantscope";
    app.apiVersion = VK_API_VERSION_1_2;
    VkInstanceCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
    info.pApplicationInfo = &app;
    VkInstance raw = VK_NULL_HANDLE;
    if (VkResult r = vkCreateInstance(&info, nullptr, &raw); r != VK_SUCCESS) {
        return core::makeError(core::ErrorCode::Device,
                               "Vulkan: cannot create an instance (VkResult " + std::to_string(r) +
                                   "); is a Vulkan driver installed (e.g. mesa-vulkan-drivers)?");
    }
    std::unique_ptr<VkInstance_T, InstanceDeleter> instance(raw);

    std::uint32_t count = 0;
    vkEnumeratePhysicalDevices(raw, &count, nullptr);
    std::vector<VkPhysicalDevice> physical(count);
    vkEnumeratePhysicalDevices(raw, &count, physical.data());

    std::vector<DeviceInfo> devices;
    for (std::uint32_t i = 0; i < count; ++i) {
        VkPhysicalDeviceSubgroupProperties subgroup{};
        subgroup.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES;
        VkPhysicalDeviceDriverProperties driver{};
        driver.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES;
        driver.pNext = &subgroup;
        VkPhysicalDeviceProperties2 props{};
        props.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
        props.pNext = &driver;
        vkGetPhysicalDeviceProperties2(physical[i], &props);

        std::uint32_t familyCount = 0;
        vkGetPhysicalDeviceQueueFamilyProperties(physical[i], &familyCount, nullptr);
        std::vector<VkQueueFamilyProperties> families(familyCount);
        vkGetPhysicalDeviceQueueFamilyProperties(physical[i], &familyCount, families.data());
        bool hasCompute = false;
        for (const auto& f : families) {
            hasCompute = hasCompute || (f.queueFlags & VK_QUEUE_COMPUTE_BIT);
        }
        if (!hasCompute) {
            continue;
        }
        DeviceInfo d;
        d.index = i;
        d.name = props.properties.deviceName;
        d.kind = kindOf(props.properties.deviceType);
        d.apiVersionMajor = VK_API_VERSION_MAJOR(props.properties.apiVersion);
        d.apiVersionMinor = VK_API_VERSION_MINOR(props.properties.apiVersion);
        d.driverInfo = std::string(driver.driverName) + " " + driver.driverInfo;
        d.maxStorageBufferRange = props.properties.limits.maxStorageBufferRange;
        d.subgroupSize = subgroup.subgroupSize;
        devices.push_back(std::move(d));
    }
    core::moduleLogger(core::kLogVulkan)->debug("{} Vulkan device(s) with compute", devices.size());
    return devices;
}

std::size_t preferredDeviceIndex(const std::vector<DeviceInfo>& devices) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < devices.size(); ++i) {
        if (preferenceRank(devices[i].kind) < preferenceRank(devices[best].kind)) {
            best = i;
        }
    }
    return best;
}

} // namespace qs::vk
