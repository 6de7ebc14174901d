#include "cli/cli_common.h"
#include "cli/commands.h"

#include "core/export/quantize_model.h"
#include "core/io/imatrix.h"
#include "core/io/model_reader.h"
#include "core/model/model.h"
#include "core/plan/model_plan.h"
#include "core/plan/plan_json.h"
#include "core/workflows/calibrated_gguf.h"
#include "core/workflows/quantize_plan.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

namespace qs::cli {
namespace {

// One stderr line per tensor: "[ 12/ 39] blk.1.attn_v.weight  F32 -> Q6_K  rel.RMSE 0.0123".
void printTensorLine(const core::TensorQuantResult& r, std::size_t index, std::size_t total) {
    std::fprintf(stderr, "[%3zu/%3zu] %-28s %5s -> %-6s", index, total, r.name.c_str(),
                 std::string(core::ggmlTypeInfo(r.sourceType).name).c_str(),
                 std::string(core::ggmlTypeInfo(r.type).name).c_str());
    if (r.error) {
        std::fprintf(stderr, "  rel.RMSE %.5f  SQNR %6.2f dB%s", r.error->relativeRmse,
                     r.error->sqnrDb, r.usedImportance ? "  (imatrix)" : "");
    }
    std::fprintf(stderr, "\n");
}

nlohmann::json reportJson(const core::QuantizeReport& report, const std::string& preset) {
    nlohmann::json tensors = nlohmann::json::array();
    for (const auto& r : report.tensors) {
        nlohmann::json t = {{"name", r.name},
                            {"source_type", std::string(core::ggmlTypeInfo(r.sourceType).name)},
                            {"type", std::string(core::ggmlTypeInfo(r.type).name)},
                            {"parameters", r.parameters},
                            {"bytes", r.bytes},
                            {"imatrix", r.usedImportance}};
        if (r.error) {
            t["error"] = {{"mse", r.error->mse},
                          {"relative_rmse", r.error->relativeRmse},
                          {"sqnr_db", r.error->sqnrDb},
                          {"cosine", r.error->cosine},
                          {"max_abs_error", r.error->maxAbsError}};
            if (r.error->weightedMse) {
                t["error"]["weighted_mse"] = *r.error->weightedMse;
            }
        }
        tensors.push_back(std::move(t));
    }
    return {{"preset", preset},
            {"file_bytes", report.fileBytes},
            {"tensor_bytes", report.tensorBytes},
            {"bits_per_weight", report.bitsPerWeight},
            {"tensors", tensors}};
}

// --imatrix into `options`, as both ways of quantizing take it; `matrix` holds it meanwhile.
core::Status applyImatrixOption(const ArgParser& parser,
                                std::optional<core::ImportanceMatrix>& matrix,
                                core::QuantizeOptions& options) {
    auto read = readImatrixOption(parser);
    if (!read) {
        return read.error();
    }
    matrix = std::move(read).value();
    if (matrix) {
        options.imatrix = &*matrix;
        options.imatrixFileName = parser.value("imatrix");
    }
    const std::string missing = parser.value("imatrix-missing");
    if (missing != "uniform" && missing != "error") {
        return core::makeError(core::ErrorCode::InvalidArgument,
                               "--imatrix-missing takes uniform or error, not '" + missing + "'");
    }
    options.imatrixMissing = missing == "error" ? core::MissingImatrixPolicy::Error
                                                : core::MissingImatrixPolicy::Uniform;
    return {};
}

// Quantizes, prints a line per tensor and the summary, and writes --report. `label` names the
// preset or plan in both.
int quantizeAndReport(const ArgParser& parser, const core::Model& model,
                      const core::QuantPlan& plan, core::QuantizeOptions options,
                      const std::string& label) {
    core::CancelToken cancel;
    core::NullProgressSink progress;
    const std::size_t total = model.tensors().size();
    std::size_t done = 0;
    const auto start = std::chrono::steady_clock::now();
    // --calibrate: the block linears' bytes come from calibrated rounding (issue 20), the
    // rest of the file from quantizeModel as usual.
    core::CalibratedGgufLinears calibrated;
    if (parser.isSet("calibrate")) {
        core::CalibratedGgufOptions co;
        co.calibrationText = parser.value("calibrate");
        co.rounding.threads = options.threads;
        co.calibration.threads = static_cast<int>(options.threads);
        if (!parseInt(parser.value("nsamples"), co.calibration.nsamples) ||
            !parseInt(parser.value("seqlen"), co.calibration.seqlen) ||
            co.calibration.nsamples < 1 || co.calibration.seqlen < 2) {
            std::cerr << "quantscope-cli: --nsamples takes an integer >= 1 and --seqlen >= 2\n";
            return kExitUsage;
        }
        if (!parseInt(parser.value("min-expert-tokens"), co.calibration.minExpertTokens) ||
            co.calibration.minExpertTokens < 0) {
            std::cerr << "quantscope-cli: --min-expert-tokens takes an integer, 0 or more\n";
            return kExitUsage;
        }
        if (!parseDouble(parser.value("damp"), co.rounding.dampPercent) ||
            !(co.rounding.dampPercent > 0.0 && co.rounding.dampPercent < 1.0)) {
            std::cerr << "quantscope-cli: --damp takes a number in (0, 1) exclusive, not '"
                      << parser.value("damp") << "'\n";
            return kExitUsage;
        }
        auto linears = core::calibrateGgufLinears(model, plan, options, co, cancel, progress);
        if (!linears) {
            return reportError(linears.error());
        }
        calibrated = std::move(*linears);
        std::size_t kept = 0;
        for (const auto& r : calibrated.reports) {
            const bool calibratedKept = r.error < r.rtnError;
            kept += calibratedKept;
            std::fprintf(stderr, "%-28s output error %.6f (llama.cpp rounding %.6f)%s\n",
                         r.name.c_str(), r.error, r.rtnError,
                         calibratedKept  ? ""
                         : r.rtnFallback ? "  kept llama.cpp's (too few routed tokens)"
                                         : "  kept llama.cpp's");
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::fprintf(stderr, "calibrated %zu of %zu linears on %lld tokens in %.2f s\n", kept,
                     calibrated.reports.size(),
                     static_cast<long long>(calibrated.calibrationTokens), seconds);
        options.precomputed = &calibrated.bytes;
    }
    core::QuantizePlanRequest request;
    request.options = options;
    auto report = core::quantizePlan(
        model, plan, parser.positional("OUTPUT"), request, cancel, progress,
        [&](const core::TensorQuantResult& r) { printTensorLine(r, ++done, total); });
    if (!report) {
        return reportError(report.error());
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << parser.positional("OUTPUT") << ": " << label << ", " << report->fileBytes
              << " bytes, " << report->bitsPerWeight << " bits per weight, " << seconds << " s\n";
    if (parser.isSet("report")) {
        std::ofstream out(parser.value("report"));
        out << reportJson(*report, label).dump(2) << "\n";
        if (!out) {
            return reportError(core::Error::fromErrno(errno, parser.value("report"), "write"));
        }
    }
    return kExitOk;
}

// `quantize INPUT OUTPUT --plan FILE [THREADS]`: the plan decides every listed tensor's type;
// tensors it does not list keep their stored type.
int runQuantizeWithPlan(const ArgParser& parser) {
    core::QuantizeOptions options;
    if (const std::string threads = parser.positional("PRESET"); !threads.empty()) {
        unsigned n = 0;
        auto [end, ec] = std::from_chars(threads.data(), threads.data() + threads.size(), n);
        if (ec != std::errc() || end != threads.data() + threads.size() || n == 0) {
            std::cerr << "quantscope-cli: with --plan, the third argument is THREADS (a positive "
                         "number), not '"
                      << threads << "'\n";
            return kExitUsage;
        }
        options.threads = n;
    }
    options.measureError = !parser.isSet("no-error");
    core::PlanFileInfo info;
    auto plan = core::readPlanFile(parser.value("plan"), &info);
    if (!plan) {
        return reportError(plan.error());
    }
    options.fileType = info.fileType;
    auto model = core::openModel(parser.positional("INPUT"));
    if (!model) {
        return reportError(model.error());
    }
    if (auto st = core::checkPlanFitsModel(*model, *plan, parser.value("plan"),
                                           parser.positional("INPUT"));
        !st) {
        return reportError(st.error());
    }
    std::optional<core::ImportanceMatrix> imatrix;
    if (auto st = applyImatrixOption(parser, imatrix, options); !st) {
        return reportError(st.error());
    }
    if (auto st = core::checkPlanImatrix(*plan, info.fileType, imatrix.has_value()); !st) {
        return reportError(st.error());
    }
    return quantizeAndReport(parser, *model, *plan, options, "plan " + parser.value("plan"));
}

} // namespace

int runQuantize(const std::vector<std::string>& args) {
    ArgParser parser("quantize",
                     "Quantize a model with one of llama-quantize's presets and write GGUF.\n"
                     "Same presets, same per-tensor choices and the same bytes as llama-quantize.");
    parser.addPositional("INPUT", "GGUF file, Hugging Face folder or llama2.c checkpoint");
    parser.addPositional("OUTPUT", "GGUF file to write (complete or absent: temp file + rename)");
    parser.addPositional("PRESET", "Q2_K, Q3_K_M, Q4_K_M, Q8_0, ... (see --list-presets)", false);
    parser.addPositional("THREADS", "worker threads (as llama-quantize's last argument)", false);
    parser.addOption("imatrix", "FILE", "importance matrix (llama-imatrix .gguf or .dat)");
    parser.addOption("imatrix-missing", "uniform|error",
                     "an expert the importance matrix has no tokens for: uniform weights with a "
                     "warning (llama-quantize's behaviour) or an error naming it",
                     "uniform");
    parser.addOption("plan", "FILE",
                     "use a plan file (quantscope-cli plan, the GUI) instead of a PRESET");
    parser.addRepeatedOption(
        "tensor-type", "PATTERN=TYPE",
        "force a type on tensors whose name matches (regex), e.g. attn_v=q8_0");
    parser.addOption("output-tensor-type", "TYPE", "type of output.weight");
    parser.addOption("token-embedding-type", "TYPE", "type of token_embd.weight");
    parser.addFlag("pure", "no mixture rules: the preset's base type on every tensor");
    parser.addFlag("leave-output-tensor", "keep output.weight as it is");
    parser.addFlag("no-error", "skip measuring each tensor's quantization error");
    parser.addOption("report", "FILE", "write a JSON report (types, bytes, error per tensor)");
    parser.addFlag("list-presets", "list the presets and exit");
    parser.addOption("calibrate", "TEXT",
                     "calibrated rounding: the same types and layout, but the block linears' "
                     "levels chosen to lower each layer's output error on this text (GPTQ)");
    parser.addOption("nsamples", "N", "with --calibrate: calibration segments", "64");
    parser.addOption("seqlen", "L", "with --calibrate: tokens per segment", "256");
    parser.addOption("damp", "P", "with --calibrate: Hessian damping, of its mean diagonal", "0.1");
    parser.addOption("min-expert-tokens", "N",
                     "with --calibrate, mixture of experts: an expert routed fewer calibration "
                     "tokens than this keeps llama.cpp's rounding and is named",
                     std::to_string(core::CalibrationOptions{}.minExpertTokens));
    int exitCode = kExitOk;
    if (!parseOrExit(parser, args, exitCode)) {
        return exitCode;
    }
    if (parser.isSet("list-presets")) {
        for (const auto& p : core::allLlamaPresets()) {
            std::cout << std::string(p.name) << "\t" << std::string(p.description) << "\n";
        }
        return kExitOk;
    }
    if (parser.isSet("plan")) {
        for (const char* option : {"tensor-type", "output-tensor-type", "token-embedding-type",
                                   "pure", "leave-output-tensor"}) {
            if (parser.isSet(option)) {
                std::cerr << "quantscope-cli: --" << option
                          << " applies to presets, not to --plan\n";
                return kExitUsage;
            }
        }
        if (!parser.positional("THREADS").empty()) {
            std::cerr << "quantscope-cli: with --plan, give no PRESET or THREADS\n";
            return kExitUsage;
        }
        // With --plan the optional third positional is the thread count, as after a preset.
        return runQuantizeWithPlan(parser);
    }
    const std::string presetName = parser.positional("PRESET");
    if (presetName.empty()) {
        std::cerr << "quantscope-cli: missing argument PRESET\n";
        return kExitUsage;
    }
    const core::LlamaPreset* preset = core::llamaPresetByName(presetName);
    if (!preset) {
        std::cerr << "quantscope-cli: unknown preset '" << presetName
                  << "' (see quantscope-cli quantize --list-presets)\n";
        return kExitUsage;
    }
    core::PresetOptions presetOptions;
    presetOptions.pure = parser.isSet("pure");
    presetOptions.quantizeOutputTensor = !parser.isSet("leave-output-tensor");
    for (const auto& text : parser.values("tensor-type")) {
        auto rule = core::parseTensorTypeOverride(text);
        if (!rule) {
            std::cerr << "quantscope-cli: --tensor-type " << text << ": " << rule.error().message
                      << "\n";
            return kExitUsage;
        }
        presetOptions.tensorTypes.push_back(*rule);
    }
    for (const char* option : {"output-tensor-type", "token-embedding-type"}) {
        if (parser.isSet(option)) {
            const auto* type = core::ggmlTypeByName(parser.value(option));
            if (!type) {
                std::cerr << "quantscope-cli: --" << option << ": unknown type '"
                          << parser.value(option) << "'\n";
                return kExitUsage;
            }
            (std::string(option) == "output-tensor-type" ? presetOptions.outputTensorType
                                                         : presetOptions.tokenEmbeddingType) =
                type->type;
        }
    }
    core::QuantizeOptions options;
    if (const std::string threads = parser.positional("THREADS"); !threads.empty()) {
        unsigned n = 0;
        auto [end, ec] = std::from_chars(threads.data(), threads.data() + threads.size(), n);
        if (ec != std::errc() || end != threads.data() + threads.size() || n == 0) {
            std::cerr << "quantscope-cli: THREADS must be a positive number, not '" << threads
                      << "'\n";
            return kExitUsage;
        }
        options.threads = n;
    }
    options.measureError = !parser.isSet("no-error");
    options.fileType = static_cast<std::uint32_t>(preset->ftype);

    auto model = core::openModel(parser.positional("INPUT"));
    if (!model) {
        return reportError(model.error());
    }
    std::optional<core::ImportanceMatrix> imatrix;
    if (auto st = applyImatrixOption(parser, imatrix, options); !st) {
        return reportError(st.error());
    }
    presetOptions.hasImatrix = imatrix.has_value();

    auto plan = core::buildLlamaPlanForModel(*model, *preset, presetOptions);
    if (!plan) {
        return reportError(plan.error());
    }
    if (!imatrix && core::llamaPresetRequiresImatrix(preset->ftype)) {
        return reportError(core::makeError(core::ErrorCode::InvalidArgument,
                                           std::string(preset->name) +
                                               " needs an importance matrix (--imatrix FILE)"));
    }
    if (const auto* t = imatrix ? nullptr : core::firstTensorNeedingImatrix(*plan, preset->ftype)) {
        return reportError(core::makeError(
            core::ErrorCode::InvalidArgument,
            t->name + ": " + std::string(core::ggmlTypeInfo(t->type).name) + " in preset " +
                std::string(preset->name) + " needs an importance matrix (--imatrix FILE)"));
    }

    return quantizeAndReport(parser, *model, *plan, options, std::string(preset->name));
}

} // namespace qs::cli
