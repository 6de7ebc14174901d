#pragma once

#include <optional>
#include <string>

namespace qs::cli {

// What `bench vulkan` reports for one weight matrix, whatever its storage (bench_kernels.h).
struct KernelFigures {
    double cpuDequant = 0, cpuMatvec = 0; // GB/s: f32 written, weight bytes read
    std::optional<double> vkDequant, vkMatvec;
    bool dequantMatch = false; // Vulkan f32 output bit for bit the CPU backend's
    double matvecNmse = 0;     // Vulkan matvec against the CPU backend's y
    std::string error;         // set when a step failed; later steps did not run
};

} // namespace qs::cli
