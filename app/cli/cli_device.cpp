#include "cli/cli_device.h"

#include "vkcompute/device_choice.h"
#include "vkcompute/vulkan_backend.h"

namespace qs::cli {

core::Result<std::unique_ptr<core::ComputeBackend>> backendForDevice(const std::string& device) {
    auto choice = vk::parseDeviceChoice(device);
    if (!choice) {
        return core::makeError(choice.error().code, "--" + choice.error().message);
    }
    if (choice->cpu) {
        return std::unique_ptr<core::ComputeBackend>();
    }
    vk::VulkanBackendOptions options;
    options.deviceIndex = choice->vulkanIndex;
    auto backend = vk::VulkanBackend::create(options);
    if (!backend) {
        return core::makeError(backend.error().code,
                               "--device " + device + ": " + backend.error().message);
    }
    return std::unique_ptr<core::ComputeBackend>(std::move(*backend));
}

} // namespace qs::cli
