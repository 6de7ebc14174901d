#include "cli/bench_packed.h"

#include "cli/bench_kernels.h"

#include "core/compute/matvec_accuracy.h"
#include "core/quant/half.h"
#include "vkcompute/vulkan_backend.h"

#include <algorithm>
#include <numeric>
#include <random>
#include <strings.h>

namespace qs::cli {
namespace {

using core::PackedLayout;

struct PackedArrays {
    std::vector<std::int32_t> qweight, qzeros, gIdx;
    std::vector<std::uint16_t> scales;
};

core::PackedLinear makeLayer(const PackedBenchFormat& f, std::int64_t rows, std::int64_t cols,
                             PackedArrays& a) {
    const std::int64_t groupSize = f.groupSize > 0 ? f.groupSize : cols;
    core::PackedLinear w;
    w.layout = f.layout;
    w.bits = f.bits;
    w.in = cols;
    w.out = rows;
    w.groups = (cols + groupSize - 1) / groupSize;
    std::mt19937 rng(42);
    a.qweight.resize(static_cast<std::size_t>(packedQweightWords(w)));
    a.qzeros.resize(static_cast<std::size_t>(packedQzerosWords(w)));
    for (auto& v : a.qweight) {
        v = static_cast<std::int32_t>(rng());
    }
    for (auto& v : a.qzeros) {
        v = static_cast<std::int32_t>(rng());
    }
    // Scales of a trained layer's magnitude (weights ~ N(0, 0.02) over 2^bits levels).
    std::uniform_real_distribution<float> scale(0.001f, 0.004f);
    a.scales.resize(static_cast<std::size_t>(w.groups * rows));
    for (auto& s : a.scales) {
        s = core::fp32ToFp16(scale(rng));
    }
    w.qweight = a.qweight.data();
    w.qzeros = a.qzeros.data();
    w.scales = a.scales.data();
    if (f.layout != PackedLayout::AwqGemm) {
        // GPTQ checkpoints carry g_idx even without act-order (then it is column / group).
        std::vector<std::int64_t> order(static_cast<std::size_t>(cols));
        std::iota(order.begin(), order.end(), 0);
        if (f.actOrder) {
            std::shuffle(order.begin(), order.end(), rng);
        }
        a.gIdx.resize(static_cast<std::size_t>(cols));
        for (std::int64_t i = 0; i < cols; ++i) {
            a.gIdx[order[i]] = static_cast<std::int32_t>(i / groupSize);
        }
        w.gIdx = a.gIdx.data();
    }
    return w;
}

} // namespace

const std::vector<PackedBenchFormat>& packedBenchFormats() {
    static const std::vector<PackedBenchFormat> formats = {
        {"gptq-4bit-g128", PackedLayout::GptqV1, 4, 128, false},
        {"gptq-3bit-g128", PackedLayout::GptqV1, 3, 128, false},
        {"gptq-2bit-g128", PackedLayout::GptqV1, 2, 128, false},
        {"gptq-8bit-g128", PackedLayout::GptqV1, 8, 128, false},
        {"gptq-4bit-g128-actorder", PackedLayout::GptqV1, 4, 128, true},
        {"awq-4bit-g128", PackedLayout::AwqGemm, 4, 128, false},
    };
    return formats;
}

const PackedBenchFormat* findPackedBenchFormat(const std::string& name) {
    for (const auto& f : packedBenchFormats()) {
        if (strcasecmp(f.name.c_str(), name.c_str()) == 0) {
            return &f;
        }
    }
    return nullptr;
}

bool packedShapeFits(const PackedBenchFormat& format, std::int64_t rows, std::int64_t cols) {
    core::PackedLinear w;
    w.layout = format.layout;
    w.bits = format.bits;
    w.in = cols;
    w.out = rows;
    w.groups = format.groupSize > 0 ? (cols + format.groupSize - 1) / format.groupSize : 1;
    // Only the shape rules: dummy arrays, never read.
    static const std::int32_t dummy = 0;
    w.qweight = w.qzeros = &dummy;
    w.scales = reinterpret_cast<const std::uint16_t*>(&dummy);
    return (format.layout == PackedLayout::AwqGemm || format.groupSize <= 0 ||
            cols % format.groupSize == 0) &&
           core::validatePackedLinear(w).ok();
}

PackedBenchResult benchPacked(const PackedBenchFormat& format, std::int64_t rows, std::int64_t cols,
                              int repeats, core::ComputeBackend& cpu, vk::VulkanBackend* vulkan) {
    PackedBenchResult r;
    PackedArrays arrays;
    const core::PackedLinear w = makeLayer(format, rows, cols, arrays);
    r.packedBytes = static_cast<std::uint64_t>(core::packedBytes(w));
    const KernelRun run = timeKernels(w, rows, cols, r.packedBytes, repeats, cpu, vulkan);
    static_cast<KernelFigures&>(r) = run;
    if (run.vkMatvec) {
        r.matvecBudget = core::packedMatvecRowBudget(cols);
        r.matvecError = core::measureMatvecRowError(run.cpuWeights.data(), rows, cols, run.x.data(),
                                                    run.vkY.data())
                            .worst;
    }
    return r;
}

} // namespace qs::cli
