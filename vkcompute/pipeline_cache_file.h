#pragma once

#include <cstdint>
#include <string>
#include <vector>

// The on-disk VkPipelineCache: $XDG_CACHE_HOME/quantscope (else ~/.cache/quantscope), one
// file per device and driver version, because a driver rejects (or, worse, must validate)
// another driver's blob. Saves are atomic (temporary file + rename).
namespace qs::vk {

std::string pipelineCachePath(std::uint32_t vendorId, std::uint32_t deviceId,
                              std::uint32_t driverVersion);

// Empty when the file does not exist or cannot be read.
std::vector<char> readPipelineCache(const std::string& path);

// False (with the reason in `error`) when the directory or file cannot be written.
bool writePipelineCache(const std::string& path, const std::vector<char>& data, std::string& error);

} // namespace qs::vk
