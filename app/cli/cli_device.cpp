#include "cli/cli_device.h"

#include "cli/cli_common.h"

#include "vkcompute/vulkan_backend.h"

namespace qs::cli {

core::Result<std::unique_ptr<core::ComputeBackend>> backendForDevice(const std::string& device) {
    if (device == "cpu") {
        return std::unique_ptr<core::ComputeBackend>();
    }
    vk::VulkanBackendOptions options;
    if (device.rfind("vulkan:", 0) == 0) {
        if (!parseInt(device.substr(7), options.deviceIndex) || options.deviceIndex < 0) {
            return core::makeError(core::ErrorCode::InvalidArgument,
                                   "--device " + device + ": expected vulkan:N with N >= 0");
        }
    } else if (device != "vulkan") {
        return core::makeError(core::ErrorCode::InvalidArgument,
                               "--device " + device + ": expected cpu, vulkan or vulkan:N");
    }
    auto backend = vk::VulkanBackend::create(options);
    if (!backend) {
        return core::makeError(backend.error().code,
                               "--device " + device + ": " + backend.error().message);
    }
    return std::unique_ptr<core::ComputeBackend>(std::move(*backend));
}

} // namespace qs::cli
