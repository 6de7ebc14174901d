#include "cli/cli_common.h"
#include "cli/commands.h"

#include "core/export/file_budget.h"
#include "core/io/imatrix.h"
#include "core/io/model_reader.h"
#include "core/model/model.h"
#include "core/plan/llama_presets.h"
#include "core/plan/model_plan.h"
#include "core/plan/optimizer.h"
#include "core/plan/plan_json.h"
#include "core/plan/sensitivity.h"
#include "core/workflows/kld_calibrate.h"
#include "core/workflows/kld_calibration.h"
#include "core/workflows/policy.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

namespace qs::cli {
namespace {

// "2092160", "4.5G", "1.2 GiB", "700MB": bytes (K/M/G decimal, Ki/Mi/Gi binary).
std::optional<std::uint64_t> parseSize(const std::string& text) {
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || !std::isfinite(value) || value <= 0) {
        return std::nullopt;
    }
    std::string unit(end);
    std::erase(unit, ' ');
    for (char& c : unit) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (!unit.empty() && unit.back() == 'B') {
        unit.pop_back();
    }
    static const std::map<std::string, double> scale = {
        {"", 1},           {"K", 1e3},           {"M", 1e6},
        {"G", 1e9},        {"T", 1e12},          {"KI", 1024.0},
        {"MI", 1048576.0}, {"GI", 1073741824.0}, {"TI", 1099511627776.0}};
    const auto s = scale.find(unit);
    if (s == scale.end()) {
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(std::floor(value * s->second));
}

std::optional<double> parsePositive(const std::string& text) {
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v) || v <= 0) {
        return std::nullopt;
    }
    return v;
}

std::string typeName(core::GgmlType t) {
    return std::string(core::ggmlTypeInfo(t).name);
}

// Rows: layers; columns: the roles that occur in layers; then the tensors outside layers.
void printAllocation(const core::SensitivityTable& table, const core::OptimizerResult& result) {
    std::set<int> roles;
    std::map<int, std::map<int, std::string>> cells; // layer -> role -> type
    std::vector<std::string> globals;
    std::map<core::GgmlType, std::uint64_t> parametersByType;
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        const auto& row = table.rows[i];
        const auto& choice = result.choices[i];
        parametersByType[choice.type] += row.parameters;
        const std::string cell = typeName(choice.type) + (choice.pinned ? "*" : "");
        if (row.layer < 0) {
            globals.push_back(std::string(core::tensorRoleName(row.role)) + " " + cell);
            continue;
        }
        roles.insert(static_cast<int>(row.role));
        cells[row.layer][static_cast<int>(row.role)] = cell;
    }
    std::printf("layer");
    for (int r : roles) {
        std::printf(" %-11s", core::tensorRoleName(static_cast<core::TensorRole>(r)));
    }
    std::printf("\n");
    for (const auto& [layer, byRole] : cells) {
        std::printf("%5d", layer);
        for (int r : roles) {
            const auto c = byRole.find(r);
            std::printf(" %-11s", c == byRole.end() ? "-" : c->second.c_str());
        }
        std::printf("\n");
    }
    if (!globals.empty()) {
        std::printf("outside layers:");
        for (const auto& g : globals) {
            std::printf("  %s", g.c_str());
        }
        std::printf("\n");
    }
    std::printf("parameters by type:");
    std::uint64_t total = 0;
    for (const auto& [t, n] : parametersByType) {
        total += n;
    }
    for (const auto& [t, n] : parametersByType) {
        std::printf("  %s %.1f%%", typeName(t).c_str(), total ? 100.0 * n / total : 0.0);
    }
    std::printf("\n");
}

} // namespace

int runPlan(const std::vector<std::string>& args) {
    ArgParser parser(
        "plan",
        "Measure every tensor's error in each candidate format (cached), then choose one format\n"
        "per tensor that minimises the summed error under a size target (or the size under an\n"
        "error target), and write the plan for `quantize --plan`.");
    parser.addPositional("MODEL", "GGUF file, Hugging Face folder or llama2.c checkpoint");
    parser.addOption("target-bpw", "X",
                     "bits per weight of the whole output file over all parameters");
    parser.addOption("target-size", "BYTES",
                     "bytes of the whole output file: header, metadata and every tensor "
                     "(suffixes K, M, G, KiB, ...)");
    parser.addOption("match-preset", "PRESET",
                     "the file size llama-quantize's PRESET would give (e.g. Q4_K_M), with the "
                     "same importance matrix");
    parser.addOption("max-error", "E", "smallest plan whose summed error is at most E");
    parser.addOption("imatrix", "FILE", "importance matrix: weights the error and the quantizers");
    parser.addOption("formats", "LIST",
                     "candidate formats (default Q2_K,Q3_K,Q4_K,Q5_K,Q6_K,Q8_0,IQ4_XS,F16)");
    parser.addOption("role-weights", "LIST",
                     "error multipliers per role, e.g. attn_v=2,ffn_down=1.5,output=4; "
                     "'none' for equal weights (default without --calibrate-kld: a prior, "
                     "output=8,token_embd=2,ffn_down=1.2,attn_v=1,ffn_gate=0.7,"
                     "attn_output=0.6,ffn_up=0.5,attn_q=0.3,attn_k=0.3)");
    parser.addFlag("size-weighted", "weigh each tensor's error by its parameter count");
    parser.addOption("calibrate-kld", "TEXT",
                     "weigh each tensor by its measured effect on KLD: one short eval per tensor "
                     "on TEXT with only that tensor quantized (cached)");
    parser.addOption("calib-chunks", "N", "chunks of TEXT per calibration probe", "16");
    parser.addOption("calib-ctx", "N", "context length of the calibration chunks", "256");
    parser.addRepeatedOption("pin", "NAME=TYPE", "keep tensor NAME at TYPE (not optimized)");
    parser.addOption("cache-dir", "DIR",
                     "sensitivity cache (default: <temp>/quantscope-sensitivity)");
    parser.addFlag("no-cache", "measure everything, read and write no cache");
    parser.addOption("threads", "N", "worker threads (default: all)");
    parser.addOption("output", "FILE", "write the plan (JSON) for quantize --plan (also -o)");
    // `-o FILE` as in the synopsis; the parser itself knows long options only.
    std::vector<std::string> argv = args;
    for (auto& a : argv) {
        if (a == "-o") {
            a = "--output";
        }
    }
    int exitCode = kExitOk;
    if (!parseOrExit(parser, argv, exitCode)) {
        return exitCode;
    }
    const int targets = parser.isSet("target-bpw") + parser.isSet("target-size") +
                        parser.isSet("max-error") + parser.isSet("match-preset");
    if (targets != 1) {
        std::cerr << "quantscope-cli: plan needs exactly one of --target-bpw, --target-size, "
                     "--match-preset, --max-error\n";
        return kExitUsage;
    }
    core::SensitivityOptions sensOptions;
    if (parser.isSet("formats")) {
        auto formats = core::parseFormatList(parser.value("formats"));
        if (!formats) {
            std::cerr << "quantscope-cli: --formats: " << formats.error().message << "\n";
            return kExitUsage;
        }
        sensOptions.formats = *formats;
    }
    core::OptimizerOptions optOptions;
    if (!parser.isSet("role-weights")) {
        // Calibration measures what the prior guesses; without it, the prior beats equal
        // weights by far (docs/benchmarks.md).
        if (!parser.isSet("calibrate-kld")) {
            optOptions.roleWeights = core::defaultRoleWeights();
        }
    } else if (parser.value("role-weights") != "none") {
        auto weights = core::parseRoleWeights(parser.value("role-weights"));
        if (!weights) {
            std::cerr << "quantscope-cli: --role-weights: " << weights.error().message << "\n";
            return kExitUsage;
        }
        optOptions.roleWeights = *weights;
    }
    optOptions.sizeWeighted = parser.isSet("size-weighted");
    for (const auto& pin : parser.values("pin")) {
        const auto eq = pin.find('=');
        const core::GgmlTypeInfo* type =
            eq == std::string::npos ? nullptr : core::ggmlTypeByName(pin.substr(eq + 1));
        if (!type) {
            std::cerr << "quantscope-cli: --pin " << pin << ": expected NAME=TYPE\n";
            return kExitUsage;
        }
        optOptions.pinned[pin.substr(0, eq)] = type->type;
    }
    if (parser.isSet("threads")) {
        int n = 0;
        if (!parseInt(parser.value("threads"), n) || n <= 0) {
            std::cerr << "quantscope-cli: --threads must be a positive number\n";
            return kExitUsage;
        }
        sensOptions.threads = static_cast<unsigned>(n);
    }
    std::optional<core::OptimizerTarget> target;
    std::string targetText;
    const core::LlamaPreset* matchPreset = nullptr;
    if (parser.isSet("target-bpw")) {
        const auto v = parsePositive(parser.value("target-bpw"));
        if (!v) {
            std::cerr << "quantscope-cli: --target-bpw needs a positive number\n";
            return kExitUsage;
        }
        target = core::OptimizerTarget::bitsPerWeight(*v);
        targetText = "--target-bpw " + parser.value("target-bpw");
    } else if (parser.isSet("target-size")) {
        const auto v = parseSize(parser.value("target-size"));
        if (!v) {
            std::cerr << "quantscope-cli: --target-size needs a size (bytes, or 4.5G, 700MiB)\n";
            return kExitUsage;
        }
        target = core::OptimizerTarget::bytes(*v);
        targetText = "--target-size " + parser.value("target-size");
    } else if (parser.isSet("max-error")) {
        const auto v = parsePositive(parser.value("max-error"));
        if (!v) {
            std::cerr << "quantscope-cli: --max-error needs a positive number\n";
            return kExitUsage;
        }
        target = core::OptimizerTarget::maxError(*v);
        targetText = "--max-error " + parser.value("max-error");
    } else {
        matchPreset = core::llamaPresetByName(parser.value("match-preset"));
        if (!matchPreset) {
            std::cerr << "quantscope-cli: unknown preset '" << parser.value("match-preset")
                      << "'\n";
            return kExitUsage;
        }
        targetText = "--match-preset " + std::string(matchPreset->name);
    }

    const std::string modelPath = parser.positional("MODEL");
    auto model = core::openModel(modelPath);
    if (!model) {
        return reportError(model.error());
    }
    auto imatrix = readImatrixOption(parser);
    if (!imatrix) {
        return reportError(imatrix.error());
    }
    if (!parser.isSet("formats")) {
        sensOptions.formats = core::optimizerCandidateFormats(*model, imatrix->has_value());
    }
    if (*imatrix) {
        sensOptions.imatrix = &**imatrix;
    }
    if (!parser.isSet("no-cache")) {
        sensOptions.cacheDir =
            parser.isSet("cache-dir")
                ? parser.value("cache-dir")
                : (std::filesystem::temp_directory_path() / "quantscope-sensitivity").string();
    }

    std::optional<core::QuantPlan> presetPlan;
    if (matchPreset) {
        core::PresetOptions presetOptions;
        presetOptions.hasImatrix = imatrix->has_value();
        auto plan = core::buildLlamaPlanForModel(*model, *matchPreset, presetOptions);
        if (!plan) {
            return reportError(plan.error());
        }
        presetPlan = std::move(plan).value();
    }
    // Size targets are the whole file `quantize --plan` will write with these options: the
    // header and metadata (the quantize.imatrix.* keys name the file as given here), the
    // tensors outside the plan, and the alignment padding.
    core::QuantizeOptions fileOptions;
    if (*imatrix) {
        fileOptions.imatrix = &**imatrix;
        fileOptions.imatrixFileName = parser.value("imatrix");
    }
    std::uint64_t presetFileBytes = 0;
    if (presetPlan) {
        fileOptions.fileType = static_cast<std::uint32_t>(matchPreset->ftype);
        presetFileBytes = core::quantizedFileBytes(*model, *presetPlan, fileOptions);
        target = core::OptimizerTarget::bytes(presetFileBytes);
    }

    core::CancelToken cancel;
    TerminalProgress progress;
    const auto start = std::chrono::steady_clock::now();
    auto table = core::measureSensitivity(*model, sensOptions, cancel, progress);
    if (!table) {
        return reportError(table.error());
    }
    const double measureSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    table->fileOverheadBytes = core::quantizedFileOverhead(*model, fileOptions);
    if (parser.isSet("calibrate-kld")) {
        core::KldCalibrationOptions calib;
        if (!parseInt(parser.value("calib-chunks"), calib.maxChunks) || calib.maxChunks <= 0 ||
            !parseInt(parser.value("calib-ctx"), calib.contextLength) || calib.contextLength < 8) {
            std::cerr << "quantscope-cli: --calib-chunks and --calib-ctx need positive numbers\n";
            return kExitUsage;
        }
        calib.imatrix = sensOptions.imatrix;
        calib.cacheDir = sensOptions.cacheDir;
        calib.threads = static_cast<int>(sensOptions.threads);
        const auto calibStart = std::chrono::steady_clock::now();
        auto calibration = core::calibrateKldOnTextFile(
            modelPath, *table, parser.value("calibrate-kld"), calib, cancel, progress);
        if (!calibration) {
            return reportError(calibration.error());
        }
        optOptions.tensorWeights = calibration->gains;
        std::printf(
            "KLD calibration: %zu probes (%s) in %.1f s, %s\n", calibration->probeKld.size(),
            calibration->cached ? "cached" : "measured",
            std::chrono::duration<double>(std::chrono::steady_clock::now() - calibStart).count(),
            calibration->cacheFile.c_str());
    }
    const auto optStart = std::chrono::steady_clock::now();
    const core::PlanOptimizer optimizer(*table, optOptions);
    const core::OptimizerResult result = optimizer.solve(*target);
    const double optSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - optStart).count();

    printAllocation(*table, result);
    std::printf("sensitivity: %zu tensors, %zu points (%zu cached, %zu measured) in %.2f s%s%s\n",
                table->rows.size(), table->cachedPoints + table->computedPoints,
                table->cachedPoints, table->computedPoints, measureSeconds,
                table->cacheFile.empty() ? "" : ", cache ", table->cacheFile.c_str());
    if (target->kind == core::OptimizerTarget::Kind::MaxError) {
        std::printf("target: error <= %.6g; smallest bytes possible >= %.0f\n", target->value,
                    result.lowerBound);
    } else {
        std::printf("target: %llu bytes of file (%.4f bpw)%s%s\n",
                    static_cast<unsigned long long>(result.budgetBytes),
                    table->bitsPerWeight(result.budgetBytes), matchPreset ? " = the file of " : "",
                    matchPreset ? std::string(matchPreset->name).c_str() : "");
    }
    if (!result.feasible) {
        std::fprintf(stderr,
                     "quantscope-cli: the target cannot be met with these formats (smallest "
                     "plan %llu bytes, largest %llu bytes)\n",
                     static_cast<unsigned long long>(optimizer.minBytes()),
                     static_cast<unsigned long long>(optimizer.maxBytes()));
        return kExitFailure;
    }
    // The exact file size (result.totalBytes allows the most padding every tensor can need).
    const std::uint64_t fileBytes =
        core::quantizedFileBytes(*model, result.toPlan(*table), fileOptions);
    std::printf("predicted: %llu bytes of file, %.4f bpw, error %.6g",
                static_cast<unsigned long long>(fileBytes), table->bitsPerWeight(fileBytes),
                result.objective);
    if (target->kind != core::OptimizerTarget::Kind::MaxError) {
        std::printf(" (optimum >= %.6g, gap <= %.3g%%)", result.lowerBound,
                    result.objective > 0
                        ? 100.0 * (result.objective - result.lowerBound) / result.objective
                        : 0.0);
    }
    std::printf("; solved in %.2f ms\n", optSeconds * 1000.0);
    if (presetPlan) {
        const auto score = core::scorePlan(*table, *presetPlan, optOptions);
        std::printf("preset %s: %llu bytes of file, error %.6g (optimized is %.1f%% lower)\n",
                    std::string(matchPreset->name).c_str(),
                    static_cast<unsigned long long>(presetFileBytes), score.objective,
                    score.objective > 0 ? 100.0 * (1.0 - result.objective / score.objective) : 0.0);
    }
    if (parser.isSet("output")) {
        core::PlanFileInfo info;
        info.model = modelPath;
        info.source = "optimizer " + targetText;
        // Tensors outside the table (norms) keep their type; listing them makes the plan
        // complete for readers that expect every tensor.
        core::QuantPlan plan = result.toPlan(*table);
        info.fileType = core::planFileType(*model, plan);
        if (auto st = core::writePlanFile(parser.value("output"), plan, info); !st) {
            return reportError(st.error());
        }
        std::printf("wrote %s (%zu tensors)\n", parser.value("output").c_str(), plan.size());
        if (*imatrix) {
            // The errors were measured with imatrix-weighted quantizers; so must the file be.
            std::printf("quantize it with the same importance matrix: quantize %s OUT.gguf "
                        "--plan %s --imatrix %s\n",
                        modelPath.c_str(), parser.value("output").c_str(),
                        parser.value("imatrix").c_str());
        }
    }
    return kExitOk;
}

} // namespace qs::cli
