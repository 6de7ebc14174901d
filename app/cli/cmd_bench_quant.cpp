// `bench quant`: CPU quantize and dequantize throughput of every format the registry can
// produce, on one thread and on all threads, next to memcpy of the same bytes; with --model,
// also the end-to-end time of quantizing that model with a llama.cpp preset.
#include "cli/cli_common.h"
#include "cli/commands.h"

#include "core/export/quantize_model.h"
#include "core/io/model_reader.h"
#include "core/jobs/parallel_for.h"
#include "core/jobs/threads.h"
#include "core/model/model.h"
#include "core/plan/llama_presets.h"
#include "core/plan/model_plan.h"
#include "core/quant/format_registry.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <unistd.h>

namespace qs::cli {
namespace {

using Clock = std::chrono::steady_clock;

// Heavy-tailed weights (Student-t, 5 degrees of freedom, scaled like a trained matrix).
std::vector<float> syntheticRows(std::int64_t rows, std::int64_t perRow) {
    std::mt19937 rng(1234);
    std::student_t_distribution<float> t(5.0f);
    std::vector<float> values(static_cast<std::size_t>(rows * perRow));
    for (auto& v : values) {
        v = 0.02f * t(rng);
    }
    return values;
}

// Runs fn(firstRow, count) split over `threads` threads, one share of the rows each; returns
// the fastest wall time of `repeats` runs in seconds, thread starts included.
template <typename Fn>
double timeRows(std::int64_t rows, unsigned threads, int repeats, Fn fn) {
    double best = 1e30;
    const std::int64_t per = (rows + threads - 1) / threads;
    for (int r = 0; r < repeats; ++r) {
        const auto start = Clock::now();
        // The bodies cannot fail: the loop's Status is always success.
        static_cast<void>(core::parallelFor(static_cast<int>(threads), rows, per,
                                            [&](std::int64_t begin, std::int64_t end) {
                                                fn(begin, end - begin);
                                                return core::Status{};
                                            }));
        best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
    }
    return best;
}

// Quantizes `modelPath` with `presetName` on `threads` threads into a temporary file (removed
// afterwards), as `quantize --no-error` does; the result as JSON, or an error.
core::Result<nlohmann::json> endToEnd(const std::string& modelPath, const std::string& presetName,
                                      unsigned threads) {
    const core::LlamaPreset* preset = core::llamaPresetByName(presetName);
    if (!preset) {
        return core::makeError(core::ErrorCode::InvalidArgument,
                               "unknown preset '" + presetName + "'");
    }
    auto model = core::openModel(modelPath);
    if (!model) {
        return model.error();
    }
    auto plan = core::buildLlamaPlanForModel(*model, *preset, core::PresetOptions{});
    if (!plan) {
        return plan.error();
    }
    core::QuantizeOptions options;
    options.threads = threads;
    options.measureError = false;
    options.fileType = static_cast<std::uint32_t>(preset->ftype);
    const auto out = std::filesystem::temp_directory_path() /
                     ("quantscope-bench-quant-" + std::to_string(::getpid()) + ".gguf");
    core::CancelToken cancel;
    core::NullProgressSink progress;
    const auto start = Clock::now();
    auto report = core::quantizeModel(*model, *plan, out.string(), options, cancel, progress);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::error_code ignored;
    std::filesystem::remove(out, ignored);
    if (!report) {
        return report.error();
    }
    return nlohmann::json{{"model", modelPath},
                          {"preset", presetName},
                          {"threads", threads},
                          {"parameters", model->parameterCount()},
                          {"output_bytes", report->fileBytes},
                          {"seconds", seconds},
                          {"values_per_s", static_cast<double>(model->parameterCount()) / seconds}};
}

} // namespace

int runBenchQuant(const std::vector<std::string>& args) {
    ArgParser parser("bench quant",
                     "CPU quantize and dequantize throughput per format: values/s and GB/s of "
                     "f32 (read when quantizing, written when dequantizing), on 1 thread and on "
                     "all threads, beside memcpy of the same f32 bytes. Input: heavy-tailed "
                     "synthetic rows of 4096 values.");
    parser.addOption("rows", "N", "Rows of 4096 values per measurement", "512");
    parser.addOption("repeats", "N", "Runs per measurement; the fastest counts", "3");
    parser.addOption("formats", "LIST", "Comma-separated formats; default: every quantizable one");
    parser.addFlag("imatrix", "Pass importance weights (the weighted search paths); the types "
                              "that require them always get them");
    parser.addOption("model", "FILE",
                     "Also time quantizing this model end to end (as quantize --no-error, into "
                     "a temporary file)");
    parser.addOption("preset", "NAME", "Preset of the end-to-end run", "Q4_K_M");
    parser.addOption("threads", "N", "Threads of the end-to-end run; default: all");
    parser.addFlag("json", "Print the results as JSON");
    int exitCode = kExitOk;
    if (!parseOrExit(parser, args, exitCode)) {
        return exitCode;
    }
    std::int64_t rows = 0;
    int repeats = 0;
    try {
        rows = std::stoll(parser.value("rows"));
        repeats = std::stoi(parser.value("repeats"));
    } catch (const std::exception&) {
        std::cerr << "quantscope-cli: --rows and --repeats take positive numbers\n";
        return kExitUsage;
    }
    if (rows <= 0 || repeats <= 0) {
        std::cerr << "quantscope-cli: --rows and --repeats take positive numbers\n";
        return kExitUsage;
    }
    auto e2eThreads = static_cast<unsigned>(core::effectiveThreads(0));
    if (parser.isSet("threads")) {
        int n = 0;
        try {
            n = std::stoi(parser.value("threads"));
        } catch (const std::exception&) {
        }
        if (n <= 0) {
            std::cerr << "quantscope-cli: --threads takes a positive number\n";
            return kExitUsage;
        }
        e2eThreads = static_cast<unsigned>(n);
    }
    std::vector<core::GgmlType> types;
    if (parser.isSet("formats")) {
        std::string list = parser.value("formats");
        for (std::size_t pos = 0; pos <= list.size();) {
            const std::size_t comma = std::min(list.find(',', pos), list.size());
            const auto* info = core::ggmlTypeByName(list.substr(pos, comma - pos));
            if (!info || !core::quantFormat(info->type) ||
                !core::quantFormat(info->type)->cpuQuantize) {
                std::cerr << "quantscope-cli: cannot quantize to '" << list.substr(pos, comma - pos)
                          << "'\n";
                return kExitUsage;
            }
            types.push_back(info->type);
            pos = comma + 1;
        }
    } else {
        for (const auto& f : core::allQuantFormats()) {
            if (f.cpuQuantize && f.type != core::GgmlType::F32) {
                types.push_back(f.type);
            }
        }
    }

    constexpr std::int64_t perRow = 4096;
    const auto allThreads = static_cast<unsigned>(core::effectiveThreads(0));
    const std::vector<float> source = syntheticRows(rows, perRow);
    std::vector<float> importance(perRow);
    for (std::size_t i = 0; i < importance.size(); ++i) {
        importance[i] = 0.1f + static_cast<float>((i * 2654435761u) % 1000) / 100.0f;
    }
    const double f32Bytes = static_cast<double>(source.size()) * sizeof(float);
    const double values = static_cast<double>(source.size());

    std::vector<float> copy(source.size());
    const double memcpySeconds =
        timeRows(rows, 1, repeats, [&](std::int64_t first, std::int64_t count) {
            std::memcpy(copy.data() + first * perRow, source.data() + first * perRow,
                        static_cast<std::size_t>(count * perRow) * sizeof(float));
        });

    nlohmann::json results = nlohmann::json::array();
    if (!parser.isSet("json")) {
        std::printf("%lld rows x %lld values, %u hardware threads; memcpy %.2f GB/s (1 thread)\n",
                    static_cast<long long>(rows), static_cast<long long>(perRow), allThreads,
                    f32Bytes / memcpySeconds / 1e9);
        std::printf("%-8s %14s %14s %14s %14s %14s\n", "format", "quant Mv/s 1T", "quant Mv/s all",
                    "deq GB/s 1T", "deq GB/s all", "deq vs memcpy");
    }
    for (core::GgmlType type : types) {
        const std::uint64_t rowBytes = *core::ggmlRowBytes(type, perRow);
        std::vector<std::byte> packed(static_cast<std::size_t>(rows) * rowBytes);
        std::vector<float> out(source.size());
        // Types that cannot be made without importance weights (IQ1_*, IQ2_*, IQ3_XXS) get them
        // even without --imatrix.
        const bool weighted = parser.isSet("imatrix") || core::quantFormat(type)->requiresImatrix;
        const float* weights = weighted ? importance.data() : nullptr;
        bool ok = true;
        auto quantize = [&](std::int64_t first, std::int64_t count) {
            ok &= core::quantizeRows(type, source.data() + first * perRow,
                                     packed.data() + first * rowBytes, count, perRow, weights)
                      .ok();
        };
        auto dequantize = [&](std::int64_t first, std::int64_t count) {
            ok &= core::dequantizeRow(type, packed.data() + first * rowBytes,
                                      out.data() + first * perRow, count * perRow)
                      .ok();
        };
        const double q1 = timeRows(rows, 1, repeats, quantize);
        const double qAll = timeRows(rows, allThreads, repeats, quantize);
        const double d1 = timeRows(rows, 1, repeats, dequantize);
        const double dAll = timeRows(rows, allThreads, repeats, dequantize);
        if (!ok) {
            return reportError(core::makeError(core::ErrorCode::Internal,
                                               "bench quant: a quantize/dequantize call failed"));
        }
        const std::string name(core::ggmlTypeInfo(type).name);
        results.push_back({{"format", name},
                           {"quantize_values_per_s_1t", values / q1},
                           {"quantize_values_per_s_all", values / qAll},
                           {"dequantize_gb_per_s_1t", f32Bytes / d1 / 1e9},
                           {"dequantize_gb_per_s_all", f32Bytes / dAll / 1e9},
                           {"dequantize_vs_memcpy_1t", memcpySeconds / d1}});
        if (!parser.isSet("json")) {
            std::printf("%-8s %14.1f %14.1f %14.2f %14.2f %13.2fx\n", name.c_str(),
                        values / q1 / 1e6, values / qAll / 1e6, f32Bytes / d1 / 1e9,
                        f32Bytes / dAll / 1e9, memcpySeconds / d1);
        }
    }
    nlohmann::json e2e;
    if (parser.isSet("model")) {
        auto result = endToEnd(parser.value("model"), parser.value("preset"), e2eThreads);
        if (!result) {
            return reportError(result.error());
        }
        e2e = std::move(result).value();
        if (!parser.isSet("json")) {
            std::printf("end to end: %s to %s, %u threads: %.2f s (%.1f M values/s)\n",
                        parser.value("model").c_str(), parser.value("preset").c_str(), e2eThreads,
                        e2e["seconds"].get<double>(), e2e["values_per_s"].get<double>() / 1e6);
        }
    }
    if (parser.isSet("json")) {
        nlohmann::json doc = {{"rows", rows},
                              {"values_per_row", perRow},
                              {"threads", allThreads},
                              {"imatrix", parser.isSet("imatrix")},
                              {"memcpy_gb_per_s_1t", f32Bytes / memcpySeconds / 1e9},
                              {"formats", results}};
        if (!e2e.is_null()) {
            doc["end_to_end"] = e2e;
        }
        std::cout << doc.dump(2) << "\n";
    }
    return kExitOk;
}

} // namespace qs::cli
