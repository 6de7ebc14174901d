#include "core/logging.h"
#include "vkcompute/vulkan_backend.h"

#include <spdlog/spdlog.h>

namespace qs::vk {

std::unique_ptr<core::ComputeBackend> createPreferredBackend(const VulkanBackendOptions& options,
                                                             std::string* note) {
    auto vulkan = VulkanBackend::create(options);
    if (vulkan) {
        if (note) {
            *note = "Compute: " + (*vulkan)->name();
        }
        return std::move(*vulkan);
    }
    auto cpu = core::makeCpuBackend();
    const std::string text =
        "Compute: " + cpu->name() + "; Vulkan unavailable (" + vulkan.error().message + ")";
    core::moduleLogger(core::kLogVulkan)->warn("{}", text);
    if (note) {
        *note = text;
    }
    return cpu;
}

} // namespace qs::vk
