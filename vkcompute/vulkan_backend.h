#pragma once

#include "core/compute/compute_backend.h"
#include "core/error.h"
#include "vkcompute/device_info.h"

#include <cstdint>
#include <memory>

// The Vulkan implementation of core's ComputeBackend. No Vulkan types here: the GUI and the
// CLI include this header without the Vulkan SDK headers.
namespace qs::vk {

struct VulkanBackendOptions {
    int deviceIndex = -1; // DeviceInfo::index; -1: the preferred device (preferredDeviceIndex)
    // 0: the device's maxStorageBufferRange. Tests set a few KiB to exercise the chunking
    // that tensors over 128 MiB need on lavapipe, without allocating such tensors.
    std::uint64_t maxBindingBytes = 0;
    // 0: the device's maxComputeWorkGroupCount. Tests lower it to exercise 2D grids.
    std::uint32_t maxWorkgroupsPerDim = 0;
    // matmul runs batches of at least this many tokens through mul_mm.comp (issue 23's
    // threshold), smaller ones as a matvec per token: a batch pays for a whole 32-token tile.
    // Tests set it past their batch to compare the two routes.
    std::int64_t minMatmulTokens = 8;
    // A dispatch still running after this long is a device error (the driver may hang).
    std::uint64_t fenceTimeoutMs = 60'000;
    bool persistPipelineCache = true; // $XDG_CACHE_HOME/quantscope/vk-pipelines-*.bin
    // Test knobs, so that lavapipe also runs the variants other devices use: matvec with a
    // workgroup per row (CPU devices default to rows per invocation) and the shared-memory
    // reduction (devices without subgroup arithmetic), dequant storing 32-bit words (devices
    // without shaderInt64).
    bool forceWorkgroupPerRow = false;
    bool forceSharedMemoryReduction = false;
    bool forceWordStores = false;
};

class VulkanBackend final : public core::ComputeBackend {
public:
    // ErrorCode::Device when there is no usable Vulkan loader, driver or device.
    static core::Result<std::unique_ptr<VulkanBackend>>
    create(const VulkanBackendOptions& options = {});
    ~VulkanBackend() override;

    std::string name() const override;
    bool runsOnHostCpu() const override; // a CPU-type device (lavapipe)
    bool supports(core::GgmlType type) const override;
    core::Status dequantize(const core::WeightMatrix& w, core::RowRange rows, float* dst) override;
    core::Status dequantizeF16(const core::WeightMatrix& w, core::RowRange rows,
                               std::uint16_t* dst) override;
    core::Status matvec(const core::WeightMatrix& w, const float* x, float* y) override;
    core::Status matmul(const core::WeightMatrix& w, const float* x, std::int64_t n,
                        float* y) override;
    core::Status dequantize(const core::PackedLinear& w, core::RowRange rows, float* dst) override;
    core::Status dequantizeF16(const core::PackedLinear& w, core::RowRange rows,
                               std::uint16_t* dst) override;
    core::Status matvec(const core::PackedLinear& w, const float* x, float* y) override;

    const DeviceInfo& device() const;

    // Device time of the kernels of the last successful call, from timestamp queries (wall
    // time of submit-to-fence where the queue has none); uploads and read-backs excluded.
    double lastKernelSeconds() const;

    // For benchmarks: upload once, run the kernels `repeats` times after one warm-up run (some
    // drivers, lavapipe among them, compile at the first dispatch), return the fastest run's
    // kernel seconds; dst / y receive the result as in dequantize / matvec.
    core::Result<double> timeDequantize(const core::WeightMatrix& w, float* dst, int repeats);
    core::Result<double> timeMatvec(const core::WeightMatrix& w, const float* x, float* y,
                                    int repeats);
    // The same on a packed GPTQ/AWQ linear (all output rows; the upload, which re-cuts the
    // arrays into chunks, is not timed).
    core::Result<double> timeDequantize(const core::PackedLinear& w, float* dst, int repeats);
    core::Result<double> timeMatvec(const core::PackedLinear& w, const float* x, float* y,
                                    int repeats);

private:
    struct Impl;
    explicit VulkanBackend(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// The backend the app should use: Vulkan on the given (or preferred) device, else the CPU
// backend. `note` receives a line for the status bar / CLI saying which one and, on fallback,
// why.
std::unique_ptr<core::ComputeBackend> createPreferredBackend(const VulkanBackendOptions& options,
                                                             std::string* note);

} // namespace qs::vk
