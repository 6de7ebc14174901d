#include "cli/cli_common.h"
#include "cli/cmd_calibrated.h"
#include "cli/commands.h"

#include "core/jobs/threads.h"
#include "core/workflows/calibrated_export.h"
#include "core/workflows/calibrated_export_job.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <set>

namespace qs::cli {

namespace {

core::CancelToken* g_calibratedCancel = nullptr;

extern "C" void onCalibratedInterrupt(int) {
    if (g_calibratedCancel != nullptr) {
        g_calibratedCancel->requestCancel(); // a lock-free atomic store: safe in a signal handler
    }
}

// One stderr line per step ("layer 3/4, ffn_down"): a few dozen lines for a whole model.
class StepProgress final : public core::ProgressSink {
public:
    void progress(std::uint64_t done, std::uint64_t total, const std::string& unit,
                  const std::string& what) override {
        std::lock_guard lock(m_mutex);
        if (what == m_last) {
            return;
        }
        m_last = what;
        std::fprintf(stderr, "[%llu/%llu %s] %s\n", static_cast<unsigned long long>(done),
                     static_cast<unsigned long long>(total), unit.c_str(), what.c_str());
    }

private:
    std::mutex m_mutex;
    std::string m_last;
};

} // namespace

int runCalibratedCommand(const std::vector<std::string>& args, bool awq) {
    const std::string cmd = awq ? "awq" : "gptq";
    ArgParser parser(
        cmd,
        awq ? "Quantize with AWQ (4-bit, groups): activation-aware per-input-channel scales\n"
              "searched on a calibration text and folded into the RMSNorms (and the up\n"
              "projection's rows), then a clipping search; written as an AutoAWQ GEMM\n"
              "checkpoint folder (model.safetensors, config.json, tokenizer files)."
            : "Quantize with GPTQ on a calibration text, block by block with the earlier\n"
              "blocks already quantized, and write an AutoGPTQ checkpoint folder\n"
              "(model.safetensors, config.json with quantization_config, quantize_config.json,\n"
              "tokenizer files, README.md). --rtn writes round-to-nearest in the same layout.\n"
              "Formats: gptq (v1, zeros stored minus one) loads in AutoGPTQ, GPTQModel, vLLM\n"
              "and transformers; gptq_v2 (zeros as is; config names it in checkpoint_format\n"
              "and format) loads in GPTQModel and vLLM, not in AutoGPTQ. Symmetric output is\n"
              "v1 unless --format gptq_v2; asymmetric output is always v2, because GPTQModel\n"
              "refuses asymmetric v1 checkpoints that GPTQModel did not write.");
    parser.addPositional("MODEL", "GGUF file or Hugging Face folder (Llama layout)");
    parser.addPositional("OUTDIR", "Output folder (must not exist, or be empty)");
    if (!awq) {
        parser.addOption("bits", "B", "Bits per weight: 2, 3, 4 or 8", "4");
    }
    parser.addOption("group-size", "G", "Input columns per scale (32, 64, 128, ...; -1: one group)",
                     "128");
    if (!awq) {
        parser.addFlag("desc-act", "Act-order: columns by descending Hessian diagonal (g_idx)");
        parser.addFlag("sym", "Symmetric quantization (the default)");
        parser.addFlag("asym", "Asymmetric quantization (a zero point per group)");
        parser.addOption("damp", "P",
                         "Damping, fraction of the mean Hessian diagonal: in (0, 1) exclusive",
                         "0.01");
        parser.addOption("format", "gptq|gptq_v2",
                         "Checkpoint format (see above); asymmetric output is always gptq_v2",
                         "gptq");
        parser.addFlag("rtn", "Round-to-nearest instead of GPTQ (same layout; for comparison)");
    }
    parser.addOption("calib", "FILE", "Calibration text");
    parser.addOption("nsamples", "N", "Calibration segments", "128");
    parser.addOption("seqlen", "L", "Tokens per segment (at most the model's context)", "512");
    parser.addOption("tokenizer-from", "DIR",
                     "Copy tokenizer files from this folder (default: the source HF folder)");
    parser.addOption("max-shard-size", "BYTES", "Shard model.safetensors above this size",
                     "5000000000");
    parser.addOption("threads", "N", "CPU threads (default: all)");
    parser.addOption("min-expert-tokens", "N",
                     "Mixture of experts: an expert routed fewer calibration tokens than this is "
                     "quantized with round-to-nearest and named",
                     std::to_string(core::CalibrationOptions{}.minExpertTokens));
    parser.addFlag("report", "Print the per-linear output error against round-to-nearest");
    int exitCode = kExitOk;
    if (!parseOrExit(parser, args, exitCode)) {
        return exitCode;
    }
    auto usage = [&](const std::string& message) {
        std::cerr << "quantscope-cli " << cmd << ": " << message << "\n";
        return kExitUsage;
    };
    core::GptqOptions options;
    core::CalibrationOptions calibration;
    calibration.threads = core::effectiveThreads(0);
    long long maxShard = 0;
    if ((!awq && !parseInt(parser.value("bits"), options.bits)) ||
        !parseInt(parser.value("group-size"), options.groupSize) ||
        !parseInt(parser.value("nsamples"), calibration.nsamples) ||
        !parseInt(parser.value("seqlen"), calibration.seqlen) ||
        (parser.isSet("threads") &&
         (!parseInt(parser.value("threads"), calibration.threads) || calibration.threads < 1))) {
        return usage("--bits, --group-size, --nsamples, --seqlen and --threads take integers");
    }
    if (!parseInt(parser.value("min-expert-tokens"), calibration.minExpertTokens) ||
        calibration.minExpertTokens < 0) {
        return usage("--min-expert-tokens takes an integer, 0 or more");
    }
    try {
        std::size_t used = 0;
        const std::string text = parser.value("max-shard-size");
        maxShard = std::stoll(text, &used);
        if (used != text.size() || maxShard <= 0) {
            return usage("--max-shard-size takes a positive number of bytes");
        }
    } catch (...) {
        return usage("--max-shard-size takes a positive number of bytes");
    }
    if (!parser.isSet("calib")) {
        return usage("--calib FILE is required");
    }
    if (calibration.nsamples < 1 || calibration.seqlen < 2) {
        return usage("--nsamples must be >= 1 and --seqlen >= 2");
    }
    core::CalibratedExportOptions exportOptions;
    exportOptions.checkpoint.maxShardBytes = static_cast<std::uint64_t>(maxShard);
    exportOptions.checkpoint.tokenizerFolder = parser.value("tokenizer-from");
    exportOptions.calibrationText = parser.value("calib");
    if (awq) {
        exportOptions.method = core::CalibratedMethod::Awq;
    } else {
        exportOptions.method =
            parser.isSet("rtn") ? core::CalibratedMethod::Rtn : core::CalibratedMethod::Gptq;
        if (parser.isSet("sym") && parser.isSet("asym")) {
            return usage("--sym and --asym exclude each other");
        }
        options.sym = !parser.isSet("asym");
        options.descAct = parser.isSet("desc-act");
        // The range (0, 1) is checked once, in core (normalizeCalibratedOptions below).
        if (!parseDouble(parser.value("damp"), options.dampPercent)) {
            return usage("--damp takes a number in (0, 1) exclusive (0.01 = 1%), not '" +
                         parser.value("damp") + "'");
        }
        exportOptions.checkpoint.format = parser.value("format");
        if (exportOptions.checkpoint.format != "gptq" &&
            exportOptions.checkpoint.format != "gptq_v2") {
            return usage("--format is gptq or gptq_v2");
        }
    }
    exportOptions.gptq = options;
    exportOptions.calibration = calibration;
    if (auto st = core::normalizeCalibratedOptions(exportOptions); !st) {
        return usage(st.error().message);
    }
    options = exportOptions.gptq;
    const core::CalibratedMethod method = exportOptions.method;

    core::CancelToken cancel;
    g_calibratedCancel = &cancel;
    struct sigaction action {};
    action.sa_handler = onCalibratedInterrupt;
    sigemptyset(&action.sa_mask);
    struct sigaction oldInt {};
    struct sigaction oldTerm {};
    ::sigaction(SIGINT, &action, &oldInt);
    ::sigaction(SIGTERM, &action, &oldTerm);
    StepProgress progress;
    const auto start = std::chrono::steady_clock::now();
    auto result = core::runCalibratedExport(parser.positional("MODEL"), parser.positional("OUTDIR"),
                                            exportOptions, cancel, progress);
    ::sigaction(SIGINT, &oldInt, nullptr);
    ::sigaction(SIGTERM, &oldTerm, nullptr);
    g_calibratedCancel = nullptr;
    if (!result) {
        return reportError(result.error());
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    int better = 0;
    double sum = 0, sumRtn = 0;
    for (const auto& r : result->reports) {
        better += r.error < r.rtnError ? 1 : 0;
        sum += r.error;
        sumRtn += r.rtnError;
        if (parser.isSet("report")) {
            std::printf("%-28s error %.6f  rtn %.6f\n", r.name.c_str(), r.error, r.rtnError);
        }
    }
    const auto n = static_cast<double>(std::max<std::size_t>(1, result->reports.size()));
    std::printf("%s: %s %d-bit g%d%s, %zu linears, %lld calibration tokens, %.1f s\n",
                parser.positional("OUTDIR").c_str(),
                awq ? "AWQ" : (method == core::CalibratedMethod::Rtn ? "RTN" : "GPTQ"),
                options.bits, options.groupSize, options.descAct ? " desc_act" : "",
                result->linears.size(), static_cast<long long>(result->calibrationTokens), seconds);
    std::printf("layer-output error (mean relative): %.6f vs RTN %.6f; lower than RTN in %d/%zu "
                "linears\n",
                sum / n, sumRtn / n, better, result->reports.size());
    std::set<std::string> starved; // one entry per expert, not per linear
    for (const auto& r : result->reports) {
        if (r.rtnFallback) {
            starved.insert(r.name.substr(0, r.name.find('.', 4)) + " expert " +
                           std::to_string(r.expert) + " (" + std::to_string(r.tokens) + " tokens)");
        }
    }
    if (!starved.empty()) {
        std::printf("experts under --min-expert-tokens %d, quantized with round-to-nearest:",
                    calibration.minExpertTokens);
        for (const auto& e : starved) {
            std::printf(" %s;", e.c_str());
        }
        std::printf("\n");
    }
    return kExitOk;
}

int runGptq(const std::vector<std::string>& args) {
    return runCalibratedCommand(args, false);
}

} // namespace qs::cli
