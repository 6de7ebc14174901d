#pragma once

#include "core/compute/compute_backend.h"
#include "core/error.h"

#include <memory>
#include <string>

namespace qs::cli {

// The backend named by a --device option: "cpu" gives no backend (the forward pass then runs
// its own fused CPU kernels, the fastest CPU path), "vulkan" the preferred Vulkan device,
// "vulkan:N" device N of `quantscope-cli devices`. A Vulkan device that cannot be opened is an
// error naming the device, never a silent fallback: the user asked for that device's figures.
core::Result<std::unique_ptr<core::ComputeBackend>> backendForDevice(const std::string& device);

} // namespace qs::cli
