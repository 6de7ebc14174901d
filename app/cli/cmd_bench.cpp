#include "cli/bench_kernels.h"
#include "cli/bench_packed.h"
#include "cli/cli_common.h"
#include "cli/commands.h"

#include "core/compute/compute_backend.h"
#include "core/quant/format_registry.h"
#include "vkcompute/vulkan_backend.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>

// `bench vulkan`: dequantize and matvec throughput of every format on the Vulkan device, with
// the CPU backend's figures beside them and a check of each Vulkan result against the CPU.
// Formats are the ggml storage types and the packed GPTQ/AWQ layouts of bench_packed.h.
namespace qs::cli {
namespace {

struct Shape {
    std::int64_t rows;
    std::int64_t cols;
};

std::optional<std::vector<Shape>> parseShapes(const std::string& text) {
    std::vector<Shape> shapes;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        long long rows = 0, cols = 0;
        char x = 0;
        std::stringstream one(item);
        if (!(one >> rows >> x >> cols) || x != 'x' || rows <= 0 || cols <= 0) {
            return std::nullopt;
        }
        shapes.push_back({rows, cols});
    }
    return shapes.empty() ? std::nullopt : std::optional(shapes);
}

// Realistic bytes without quantizing the whole matrix (k-quant search is slow): 64 quantized
// rows of N(0, 0.02) weights, repeated.
std::vector<std::uint8_t> makeWeights(core::GgmlType type, Shape shape) {
    constexpr std::int64_t kSampleRows = 64;
    std::mt19937 rng(42);
    std::normal_distribution<float> normal(0.0f, 0.02f);
    std::vector<float> sample(static_cast<std::size_t>(kSampleRows * shape.cols));
    for (auto& v : sample) {
        v = normal(rng);
    }
    const std::uint64_t rowBytes = *core::ggmlRowBytes(type, std::uint64_t(shape.cols));
    std::vector<std::uint8_t> sampleBytes(rowBytes * kSampleRows);
    (void)core::quantizeRows(type, sample.data(), sampleBytes.data(), kSampleRows, shape.cols,
                             nullptr);
    std::vector<std::uint8_t> bytes(rowBytes * static_cast<std::uint64_t>(shape.rows));
    for (std::int64_t r = 0; r < shape.rows; ++r) {
        std::memcpy(bytes.data() + rowBytes * r, sampleBytes.data() + rowBytes * (r % kSampleRows),
                    rowBytes);
    }
    return bytes;
}

// Matvec agrees with the CPU when the normalised squared error is below this; both sides sum
// the same dequantized weights in f32, so disagreement means a wrong kernel (see
// tests/vkcompute/backend_test_data.h).
constexpr double kMatvecNmseBudget = 1e-9;

struct Row : KernelFigures {
    std::string format;
    Shape shape{};
    std::uint64_t weightBytes = 0;
    // Packed GPTQ/AWQ rows: matvec is checked per row against a double-precision product,
    // normalised by sum |W x|, within a budget (bench_packed.h).
    const PackedBenchFormat* packed = nullptr;
    double matvecRowError = 0, matvecRowBudget = 0;

    bool matvecMatches() const {
        return vkMatvec &&
               (packed ? matvecRowError <= matvecRowBudget : matvecNmse < kMatvecNmseBudget);
    }
};

Row benchOne(core::GgmlType type, Shape shape, int repeats, core::ComputeBackend& cpu,
             vk::VulkanBackend* vulkan) {
    Row row;
    row.format = std::string(core::ggmlTypeInfo(type).name);
    row.shape = shape;
    const auto bytes = makeWeights(type, shape);
    row.weightBytes = bytes.size();
    const core::WeightMatrix w{type, bytes.data(), shape.rows, shape.cols};
    static_cast<KernelFigures&>(row) =
        timeKernels(w, shape.rows, shape.cols, row.weightBytes, repeats, cpu, vulkan);
    return row;
}

Row benchPackedRow(const PackedBenchFormat& format, Shape shape, int repeats,
                   core::ComputeBackend& cpu, vk::VulkanBackend* vulkan) {
    const PackedBenchResult p = benchPacked(format, shape.rows, shape.cols, repeats, cpu, vulkan);
    Row row;
    static_cast<KernelFigures&>(row) = p;
    row.format = format.name;
    row.shape = shape;
    row.packed = &format;
    row.weightBytes = p.packedBytes;
    row.matvecRowError = p.matvecError;
    row.matvecRowBudget = p.matvecBudget;
    return row;
}

std::string gbps(const std::optional<double>& v) {
    if (!v) {
        return "-";
    }
    char text[32];
    std::snprintf(text, sizeof(text), "%.2f", *v);
    return text;
}

} // namespace

int runBench(const std::vector<std::string>& args) {
    if (!args.empty() && args.front() == "quant") {
        return runBenchQuant(std::vector<std::string>(args.begin() + 1, args.end()));
    }
    if (!args.empty() && args.front() == "all") {
        return runBenchAll(std::vector<std::string>(args.begin() + 1, args.end()));
    }
    ArgParser parser("bench", "Measure kernel throughput per storage format.\n"
                              "bench vulkan: dequantize (GB/s of f32 written) and matvec (GB/s "
                              "of weights read) on the Vulkan device, timed with GPU timestamps, "
                              "beside the CPU backend (wall time); each Vulkan result is checked "
                              "against the CPU.");
    parser.addPositional("target", "What to benchmark: vulkan, quant or all (see bench quant "
                                   "--help, bench all --help)");
    parser.addOption("device", "N", "Vulkan device index (see `devices`); default: preferred");
    parser.addOption("shapes", "RxC[,RxC...]", "Matrix shapes (rows x columns)",
                     "4096x4096,14336x4096");
    parser.addOption("formats", "LIST",
                     "Comma-separated formats: storage types (Q4_K, ...) and packed GPTQ/AWQ "
                     "layers (gptq-4bit-g128, gptq-3bit-g128, gptq-2bit-g128, gptq-8bit-g128, "
                     "gptq-4bit-g128-actorder, awq-4bit-g128); default: every format");
    parser.addOption("repeats", "N", "Runs per measurement; the fastest counts", "3");
    parser.addOption("threads", "N", "CPU backend threads; 0: all hardware threads", "0");
    parser.addFlag("json", "Print the results as JSON");
    int exitCode = kExitOk;
    if (!parseOrExit(parser, args, exitCode)) {
        return exitCode;
    }
    if (parser.positional("target") != "vulkan") {
        std::cerr << "quantscope-cli: bench: unknown target '" << parser.positional("target")
                  << "' (vulkan, quant or all)\n";
        return kExitUsage;
    }
    const auto shapes = parseShapes(parser.value("shapes"));
    int repeats = 0, threads = -1, device = -1;
    try {
        repeats = std::stoi(parser.value("repeats"));
        threads = std::stoi(parser.value("threads"));
        if (parser.isSet("device")) {
            device = std::stoi(parser.value("device"));
        }
    } catch (const std::exception&) {
        repeats = 0;
    }
    if (!shapes || repeats < 1 || threads < 0) {
        std::cerr << "quantscope-cli: bench: bad --shapes, --repeats, --threads or --device\n";
        return kExitUsage;
    }

    std::vector<core::GgmlType> formats;
    std::vector<const PackedBenchFormat*> packedFormats;
    if (parser.isSet("formats")) {
        std::stringstream in(parser.value("formats"));
        std::string name;
        while (std::getline(in, name, ',')) {
            if (const PackedBenchFormat* packed = findPackedBenchFormat(name)) {
                packedFormats.push_back(packed);
                continue;
            }
            const core::GgmlTypeInfo* info = core::ggmlTypeByName(name);
            if (!info) {
                std::cerr << "quantscope-cli: bench: unknown format '" << name << "'\n";
                return kExitUsage;
            }
            formats.push_back(info->type);
        }
    }
    auto cpu = core::makeCpuBackend(static_cast<unsigned>(threads));
    vk::VulkanBackendOptions options;
    options.deviceIndex = device;
    auto vulkanResult = vk::VulkanBackend::create(options);
    std::unique_ptr<vk::VulkanBackend> vulkan;
    std::string vulkanNote;
    if (vulkanResult) {
        vulkan = std::move(*vulkanResult);
    } else if (device >= 0) {
        return reportError(vulkanResult.error());
    } else {
        vulkanNote = "Vulkan unavailable (" + vulkanResult.error().message + "); CPU figures only";
        std::cerr << "quantscope-cli: " << vulkanNote << "\n";
    }
    if (formats.empty() && packedFormats.empty()) {
        for (const auto& f : core::allQuantFormats()) {
            if (f.cpuQuantize && f.cpuDequantize && (!vulkan || vulkan->supports(f.type))) {
                formats.push_back(f.type);
            }
        }
        for (const auto& f : packedBenchFormats()) {
            packedFormats.push_back(&f);
        }
    }
    // The format column fits the longest name (7, the old width, for storage types only).
    int nameWidth = 7;
    for (const PackedBenchFormat* f : packedFormats) {
        nameWidth = std::max(nameWidth, static_cast<int>(f->name.size()));
    }

    const bool json = parser.isSet("json");
    const std::string deviceName = vulkan ? vulkan->name() : "none";
    if (!json) {
        std::printf("Device: %s\nCPU backend: %s\n", deviceName.c_str(), cpu->name().c_str());
        std::printf("GB/s: dequant = f32 bytes written / time, matvec = weight bytes / time\n");
        if (!packedFormats.empty()) {
            std::printf("GPTQ/AWQ rows: matvec GB/s = packed bytes (qweight, qzeros, scales, "
                        "g_idx) / time\n");
        }
        std::printf("%-*s %-11s %10s %10s %10s %10s  %s\n", nameWidth, "format", "shape", "deq vk",
                    "deq cpu", "mv vk", "mv cpu", "matches CPU");
    }
    nlohmann::json results = nlohmann::json::array();
    bool allMatch = true;
    auto report = [&](const Row& r) {
        const bool mvMatch = r.matvecMatches();
        const bool ok = r.error.empty() && (!vulkan || (r.dequantMatch && mvMatch));
        allMatch = allMatch && ok;
        const std::string shapeText =
            std::to_string(r.shape.rows) + "x" + std::to_string(r.shape.cols);
        if (json) {
            nlohmann::json j = {{"format", r.format},
                                {"rows", r.shape.rows},
                                {"cols", r.shape.cols},
                                {"weight_bytes", r.weightBytes},
                                {"cpu_dequant_gbps", r.cpuDequant},
                                {"cpu_matvec_gbps", r.cpuMatvec}};
            j["vk_dequant_gbps"] = r.vkDequant ? nlohmann::json(*r.vkDequant) : nullptr;
            j["vk_matvec_gbps"] = r.vkMatvec ? nlohmann::json(*r.vkMatvec) : nullptr;
            if (r.packed) {
                j["packed"] = {{"layout", core::packedLayoutName(r.packed->layout)},
                               {"bits", r.packed->bits},
                               {"group_size", r.packed->groupSize},
                               {"act_order", r.packed->actOrder}};
            }
            if (vulkan) {
                j["dequant_bit_exact"] = r.dequantMatch;
                j["matvec_nmse"] = r.matvecNmse;
                if (r.packed) {
                    j["matvec_row_error"] = r.matvecRowError;
                    j["matvec_row_budget"] = r.matvecRowBudget;
                }
                j["matvec_match"] = mvMatch;
            }
            if (!r.error.empty()) {
                j["error"] = r.error;
            }
            results.push_back(j);
        } else {
            std::string match = !r.error.empty() ? r.error
                                : !vulkan        ? "-"
                                : ok             ? "yes"
                                                 : (r.dequantMatch ? "matvec NO" : "dequant NO");
            std::printf("%-*s %-11s %10s %10s %10s %10s  %s\n", nameWidth, r.format.c_str(),
                        shapeText.c_str(), gbps(r.vkDequant).c_str(), gbps(r.cpuDequant).c_str(),
                        gbps(r.vkMatvec).c_str(), gbps(r.cpuMatvec).c_str(), match.c_str());
            std::fflush(stdout);
        }
    };
    for (const Shape& shape : *shapes) {
        for (core::GgmlType type : formats) {
            if (shape.cols % core::ggmlTypeInfo(type).blockSize != 0) {
                continue;
            }
            report(benchOne(type, shape, repeats, *cpu, vulkan.get()));
        }
        for (const PackedBenchFormat* f : packedFormats) {
            if (packedShapeFits(*f, shape.rows, shape.cols)) {
                report(benchPackedRow(*f, shape, repeats, *cpu, vulkan.get()));
            }
        }
    }
    if (json) {
        nlohmann::json out = {{"device", deviceName},
                              {"cpu_backend", cpu->name()},
                              {"repeats", repeats},
                              {"results", results}};
        if (!vulkanNote.empty()) {
            out["note"] = vulkanNote;
        }
        std::cout << out.dump(2) << "\n";
    }
    return allMatch ? kExitOk : kExitFailure;
}

} // namespace qs::cli
