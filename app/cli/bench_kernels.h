#pragma once

#include "cli/kernel_figures.h"

#include "core/compute/compute_backend.h"
#include "core/error.h"
#include "vkcompute/vulkan_backend.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

// The measurement `bench vulkan` makes of one weight matrix, whatever its storage: a ggml
// WeightMatrix (cmd_bench.cpp) or a packed GPTQ/AWQ PackedLinear (bench_packed.cpp) — both
// have the same dequantize/matvec entry points on the CPU and Vulkan backends.
namespace qs::cli {

// Fastest of `repeats` wall-clock runs of fn.
template <typename Fn>
core::Result<double> bestWallSeconds(int repeats, Fn fn) {
    double best = std::numeric_limits<double>::infinity();
    for (int i = 0; i < repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        if (core::Status s = fn(); !s) {
            return s.error();
        }
        best = std::min(
            best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return best;
}

// Normalised squared difference sum (y - ref)^2 / sum ref^2.
inline double nmse(const std::vector<float>& y, const std::vector<float>& ref) {
    double err = 0, norm = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
        const double d = double(y[i]) - double(ref[i]);
        err += d * d;
        norm += double(ref[i]) * double(ref[i]);
    }
    return norm > 0 ? err / norm : err;
}

// The figures and the data behind them, for the caller's own accuracy checks.
struct KernelRun : KernelFigures {
    std::vector<float> x;          // the matvec input, N(0, 1)
    std::vector<float> cpuWeights; // the CPU backend's dequantized matrix, rows x cols
    std::vector<float> cpuY, vkY;  // matvec outputs (vkY empty without Vulkan)
};
// Times dequantize (all rows, f32) and matvec of w on the CPU backend, then on Vulkan when
// given, keeping the outputs for the caller's accuracy checks.
template <typename Weights>
KernelRun timeKernels(const Weights& w, std::int64_t rows, std::int64_t cols,
                      std::uint64_t weightBytes, int repeats, core::ComputeBackend& cpu,
                      vk::VulkanBackend* vulkan) {
    KernelRun run;
    const double outBytes = double(rows) * double(cols) * 4.0;
    run.cpuWeights.resize(static_cast<std::size_t>(rows * cols));
    run.x.resize(static_cast<std::size_t>(cols));
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (auto& v : run.x) {
        v = normal(rng);
    }
    run.cpuY.resize(static_cast<std::size_t>(rows));
    auto cpuDequant = bestWallSeconds(repeats, [&] {
        return cpu.dequantize(w, core::RowRange{0, rows}, run.cpuWeights.data());
    });
    auto cpuMatvec =
        bestWallSeconds(repeats, [&] { return cpu.matvec(w, run.x.data(), run.cpuY.data()); });
    if (!cpuDequant || !cpuMatvec) {
        run.error = (!cpuDequant ? cpuDequant.error() : cpuMatvec.error()).toString();
        return run;
    }
    run.cpuDequant = outBytes / *cpuDequant * 1e-9;
    run.cpuMatvec = double(weightBytes) / *cpuMatvec * 1e-9;
    if (!vulkan) {
        return run;
    }
    std::vector<float> vkOut(run.cpuWeights.size());
    auto vkDequant = vulkan->timeDequantize(w, vkOut.data(), repeats);
    if (!vkDequant) {
        run.error = vkDequant.error().toString();
        return run;
    }
    run.vkDequant = outBytes / *vkDequant * 1e-9;
    run.dequantMatch =
        std::memcmp(vkOut.data(), run.cpuWeights.data(), run.cpuWeights.size() * 4) == 0;
    run.vkY.resize(run.cpuY.size());
    auto vkMatvec = vulkan->timeMatvec(w, run.x.data(), run.vkY.data(), repeats);
    if (!vkMatvec) {
        run.error = vkMatvec.error().toString();
        return run;
    }
    run.vkMatvec = double(weightBytes) / *vkMatvec * 1e-9;
    run.matvecNmse = nmse(run.vkY, run.cpuY);
    return run;
}

} // namespace qs::cli
