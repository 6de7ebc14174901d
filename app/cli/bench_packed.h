#pragma once

#include "cli/kernel_figures.h"

#include "core/compute/compute_backend.h"
#include "core/compute/packed_linear.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qs::vk {
class VulkanBackend;
}

// `bench vulkan` rows for packed GPTQ/AWQ linears (core/compute/packed_linear.h), beside the
// ggml storage types of cmd_bench.cpp.
namespace qs::cli {

struct PackedBenchFormat {
    std::string name; // "gptq-4bit-g128", "gptq-4bit-g128-actorder", "awq-4bit-g128"
    core::PackedLayout layout = core::PackedLayout::GptqV1;
    int bits = 4;
    int groupSize = 128;
    bool actOrder = false;
};

// Every packed format `bench vulkan` measures by default.
const std::vector<PackedBenchFormat>& packedBenchFormats();
// By name, case-insensitive; null when there is none.
const PackedBenchFormat* findPackedBenchFormat(const std::string& name);
// Whether a rows x cols (out x in) layer of this format exists.
bool packedShapeFits(const PackedBenchFormat& format, std::int64_t rows, std::int64_t cols);

struct PackedBenchResult : KernelFigures {
    std::uint64_t packedBytes = 0; // qweight + qzeros + scales + g_idx
    // Worst per-row |y - W x| / sum |W x| of the Vulkan matvec against a double-precision
    // product of the CPU-dequantized weights, and its budget (core::packedMatvecRowBudget).
    double matvecError = 0;
    double matvecBudget = 0;
};
// A rows x cols layer of random packed words (every pattern is a valid layer), the CPU
// backend timed by wall clock and the Vulkan device (when given) by GPU timestamps.
PackedBenchResult benchPacked(const PackedBenchFormat& format, std::int64_t rows, std::int64_t cols,
                              int repeats, core::ComputeBackend& cpu, vk::VulkanBackend* vulkan);

} // namespace qs::cli
