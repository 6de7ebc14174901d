#pragma once

#include "core/error.h"

#include <string>

// The spelling of a compute device on the command line and in settings, parsed in one place so
// that `quantscope --device` and `quantscope-cli eval/compare --device` accept the same words
// and reject the same typos with the same message.
namespace qs::vk {

struct DeviceChoice {
    bool cpu = false;     // "cpu"
    int vulkanIndex = -1; // "vulkan:N" -> N; "vulkan" -> -1 (the preferred device)
};

// "cpu", "vulkan" or "vulkan:N" (N a decimal index >= 0, as `quantscope-cli devices` lists).
// Anything else is InvalidArgument quoting the text and the accepted forms.
core::Result<DeviceChoice> parseDeviceChoice(const std::string& text);

} // namespace qs::vk
