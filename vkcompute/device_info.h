#pragma once

#include "core/error.h"

#include <cstdint>
#include <string>
#include <vector>

// Public vkcompute headers expose no Vulkan types, so that callers (CLI, GUI wiring) need no
// Vulkan headers.
namespace qs::vk {

enum class DeviceKind { DiscreteGpu, IntegratedGpu, VirtualGpu, Cpu, Other };

const char* deviceKindName(DeviceKind kind);

struct DeviceInfo {
    std::uint32_t index = 0; // position in vkEnumeratePhysicalDevices order
    std::string name;
    DeviceKind kind = DeviceKind::Other;
    std::uint32_t apiVersionMajor = 0;
    std::uint32_t apiVersionMinor = 0;
    std::string driverInfo;
    std::uint64_t maxStorageBufferRange = 0;
    std::uint32_t subgroupSize = 0;
};

// Every Vulkan device with a compute queue. An error when no Vulkan loader or driver works.
core::Result<std::vector<DeviceInfo>> enumerateDevices();

// The device the workbench uses by default: discrete GPU, then integrated, then virtual,
// then CPU (lavapipe); ties keep enumeration order.
std::size_t preferredDeviceIndex(const std::vector<DeviceInfo>& devices);

} // namespace qs::vk
