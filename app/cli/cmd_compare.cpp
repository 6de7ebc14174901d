#include "cli/cli_common.h"
#include "cli/cli_device.h"
#include "cli/commands.h"

#include "core/eval/logprob_file.h"
#include "core/workflows/compare.h"
#include "core/workflows/policy.h"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <unistd.h>

namespace qs::cli {

namespace {

std::string joinList(const std::vector<std::string>& items) {
    std::string text;
    for (const std::string& item : items) {
        text += (text.empty() ? "" : ",") + item;
    }
    return text;
}

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> items;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
        if (!item.empty()) {
            items.push_back(item);
        }
    }
    return items;
}

class StderrVariantProgress final : public core::ProgressSink {
public:
    void progress(std::uint64_t done, std::uint64_t total, const std::string& unit,
                  const std::string& what) override {
        std::fprintf(stderr, "\r%llu/%llu %s (%s)          ", static_cast<unsigned long long>(done),
                     static_cast<unsigned long long>(total), unit.c_str(), what.c_str());
        if (done == total) {
            std::fprintf(stderr, "\n");
        }
    }
};

nlohmann::json rowJson(const core::VariantResult& v) {
    nlohmann::json j = {{"type", v.name},
                        {"reference", v.isReference},
                        {"file_bytes", v.fileBytes},
                        {"bpw", v.bitsPerWeight}};
    if (!v.path.empty()) {
        j["path"] = v.path;
    }
    if (!v.error.empty()) {
        j["error"] = v.error;
        return j;
    }
    j["ppl"] = v.kld.ppl;
    j["ppl_err"] = v.kld.pplError;
    j["delta_ppl"] = v.deltaPpl;
    j["kld_mean"] = v.kld.kldMean;
    j["kld_mean_err"] = v.kld.kldMeanError;
    j["kld_p99"] = v.kld.kldP99;
    j["kld_max"] = v.kld.kldMax;
    j["same_top_p_pct"] = 100 * v.kld.sameTop;
    j["chunks"] = v.kld.chunks;
    if (v.speed) {
        j["pp_tokens_per_second"] = v.speed->promptProcessing.tokensPerSecond;
        j["tg_tokens_per_second"] = v.speed->generation.tokensPerSecond;
        j["pp_ratio"] = v.ppRatio;
        j["tg_ratio"] = v.tgRatio;
    }
    if (!v.isReference) {
        j["quantize_seconds"] = v.quantizeSeconds;
    }
    return j;
}

void printHeader() {
    std::printf("%-12s %10s %6s %20s %9s %10s %8s %9s %9s %6s %6s\n", "type", "size", "bpw", "PPL",
                "dPPL", "KLD", "top-1%", "pp t/s", "tg t/s", "pp x", "tg x");
}

void printRow(const core::VariantResult& v) {
    if (!v.error.empty()) {
        std::printf("%-12s  failed: %s\n", v.name.c_str(), v.error.c_str());
        return;
    }
    char ppl[64];
    std::snprintf(ppl, sizeof ppl, "%.4f +/- %.4f", v.kld.ppl, v.kld.pplError);
    const double pp = v.speed ? v.speed->promptProcessing.tokensPerSecond : 0;
    const double tg = v.speed ? v.speed->generation.tokensPerSecond : 0;
    std::printf("%-12s %10llu %6.3f %20s %+9.4f %10.6f %8.3f %9.1f %9.1f %6.2f %6.2f\n",
                v.name.c_str(), static_cast<unsigned long long>(v.fileBytes), v.bitsPerWeight, ppl,
                v.deltaPpl, v.kld.kldMean, 100 * v.kld.sameTop, pp, tg, v.ppRatio, v.tgRatio);
    std::fflush(stdout);
}

} // namespace

int runCompare(const std::vector<std::string>& args) {
    ArgParser parser("compare",
                     "Quantize MODEL with several llama-quantize presets and compare every\n"
                     "variant with MODEL on a text: PPL +/- error, dPPL, mean KL divergence,\n"
                     "top-1 agreement, prompt (pp) and decode (tg) tokens/sec and their ratio.\n"
                     "--variants adds models made elsewhere (GGUF, GPTQ/AWQ folders).");
    parser.addPositional("MODEL", "F32/F16 GGUF (or another format openModel reads)");
    parser.addOption("types", "LIST", "Comma-separated presets ('none': only --variants)",
                     joinList(core::defaultComparisonPresets()));
    parser.addOption("variants", "NAME=PATH,...",
                     "Also evaluate existing models: GGUF files or GPTQ/AWQ checkpoint folders\n"
                     "(a PATH without NAME= is named after its file)");
    parser.addOption("text", "FILE", "Evaluation text (one trailing newline is dropped)");
    parser.addOption("ctx", "N", "Context length of each chunk", "512");
    parser.addOption("chunks", "N", "Evaluate at most N chunks (default: all)", "-1");
    parser.addOption("batch", "N", "Tokens per forward call", "512");
    parser.addOption("imatrix", "FILE", "Importance matrix for the quantization (.gguf or .dat)");
    parser.addOption("calibrate", "TEXT",
                     "Also compare every preset with calibrated rounding, as <PRESET>+cal (the "
                     "same types and sizes; quantize --calibrate)");
    parser.addOption("nsamples", "N", "with --calibrate: calibration segments", "64");
    parser.addOption("seqlen", "L", "with --calibrate: tokens per segment", "256");
    parser.addOption("keep", "DIR", "Write the variants to DIR and keep them");
    parser.addOption("cache-dir", "DIR", "Where the reference distribution is cached");
    parser.addOption("kld-base-file", "FILE",
                     "Measure every row against this distribution, saved by llama-perplexity "
                     "--kl-divergence-base, instead of the input model's (its context is used)");
    parser.addOption("threads", "N", "CPU threads (default: all)");
    parser.addOption("device", "DEVICE",
                     "Where the evaluation's matrix products run: cpu, vulkan or vulkan:N", "cpu");
    parser.addFlag("no-speed", "Skip the tokens/sec measurement");
    parser.addFlag("json", "Print the results as JSON");
    int exitCode = kExitOk;
    if (!parseOrExit(parser, args, exitCode)) {
        return exitCode;
    }
    core::CompareVariantsOptions options;
    int threads = 0;
    if (!parseInt(parser.value("ctx"), options.contextLength) || options.contextLength < 8 ||
        !parseInt(parser.value("chunks"), options.maxChunks) ||
        !parseInt(parser.value("batch"), options.batchSize) || options.batchSize < 1 ||
        (parser.isSet("threads") && (!parseInt(parser.value("threads"), threads) || threads < 1))) {
        std::cerr
            << "quantscope-cli compare: --ctx, --chunks, --batch and --threads take integers\n";
        return kExitUsage;
    }
    if (!parser.isSet("text")) {
        std::cerr << "quantscope-cli compare: --text FILE is required\n";
        return kExitUsage;
    }
    options.threads = threads;
    auto backend = backendForDevice(parser.value("device"));
    if (!backend) {
        return reportError(backend.error());
    }
    options.backend = backend->get();
    if (parser.value("types") != "none") {
        options.presets = splitList(parser.value("types"));
    }
    for (const std::string& item : splitList(parser.value("variants"))) {
        const auto eq = item.find('=');
        core::FileVariant variant;
        variant.path = eq == std::string::npos ? item : item.substr(eq + 1);
        // Unnamed: a file by its stem, a folder by its name.
        variant.name =
            eq != std::string::npos ? item.substr(0, eq) : core::fileVariantName(variant.path);
        if (variant.name.empty() || variant.path.empty()) {
            std::cerr << "quantscope-cli compare: --variants takes NAME=PATH items, not '" << item
                      << "'\n";
            return kExitUsage;
        }
        options.files.push_back(std::move(variant));
    }
    if (options.presets.empty() && options.files.empty()) {
        std::cerr
            << "quantscope-cli compare: nothing to compare (--types none and no --variants)\n";
        return kExitUsage;
    }
    if (parser.isSet("calibrate")) {
        core::CalibratedGgufOptions calibrated;
        calibrated.calibrationText = parser.value("calibrate");
        if (!parseInt(parser.value("nsamples"), calibrated.calibration.nsamples) ||
            !parseInt(parser.value("seqlen"), calibrated.calibration.seqlen) ||
            calibrated.calibration.nsamples < 1 || calibrated.calibration.seqlen < 2) {
            std::cerr << "quantscope-cli compare: --nsamples takes an integer >= 1 and "
                         "--seqlen >= 2\n";
            return kExitUsage;
        }
        calibrated.calibration.threads = threads;
        calibrated.rounding.threads = static_cast<unsigned>(threads);
        options.calibrated = calibrated;
    }
    options.outputDir = parser.value("keep");
    options.cacheDir = parser.value("cache-dir");
    options.referenceFile = parser.value("kld-base-file");
    if (!options.referenceFile.empty() && !parser.isSet("ctx")) {
        auto file = core::LogProbReader::open(options.referenceFile);
        if (!file) {
            return reportError(file.error());
        }
        options.contextLength = static_cast<int>(file->header().contextLength);
    }
    options.measureSpeed = !parser.isSet("no-speed");
    const bool json = parser.isSet("json");
    StderrVariantProgress stderrProgress;
    core::NullProgressSink silent;
    core::ProgressSink& progress =
        !json && isatty(fileno(stderr)) ? static_cast<core::ProgressSink&>(stderrProgress) : silent;
    core::CancelToken cancel;
    const std::string modelPath = parser.positional("MODEL");
    if (!json) {
        std::printf("model %s, text %s, ctx %d\n", modelPath.c_str(), parser.value("text").c_str(),
                    options.contextLength);
        printHeader();
    }
    // Reads the text with core::readEvalText and the --imatrix file, as the GUI's Compare does.
    const core::CompareRequest request{modelPath, parser.value("text"), options,
                                       parser.value("imatrix")};
    auto result = core::runComparison(request, cancel, progress, [&](const core::VariantResult& v) {
        if (!json) {
            printRow(v);
        }
    });
    if (!result) {
        return reportError(result.error());
    }
    bool failed = false;
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& v : result->variants) {
        rows.push_back(rowJson(v));
        failed = failed || !v.error.empty();
    }
    if (json) {
        nlohmann::json out = {{"model", modelPath},
                              {"text", parser.value("text")},
                              {"tokens", result->tokens},
                              {"ctx", options.contextLength},
                              {"device", options.backend ? options.backend->name() : "CPU"},
                              {"reference_cache", result->referenceCache},
                              {"reference_cache_reused", result->referenceCacheReused},
                              {"variants", rows}};
        std::cout << out.dump(2) << "\n";
    }
    return failed ? kExitFailure : kExitOk;
}

} // namespace qs::cli
