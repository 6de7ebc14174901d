#include "cli/cli_common.h"
#include "cli/cli_device.h"
#include "cli/commands.h"

#include "core/workflows/evaluate.h"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <unistd.h>

namespace qs::cli {

namespace {

nlohmann::json kldJson(const core::KlDivergenceResult& k) {
    return {{"chunks", k.chunks},
            {"scored_tokens", k.count},
            {"ppl", k.ppl},
            {"ppl_err", k.pplError},
            {"ppl_base", k.basePpl},
            {"ppl_base_err", k.basePplError},
            {"ln_ppl_ratio", k.lnPplRatio},
            {"ln_ppl_ratio_err", k.lnPplRatioError},
            {"kld_mean", k.kldMean},
            {"kld_mean_err", k.kldMeanError},
            {"kld_max", k.kldMax},
            {"kld_p99_9", k.kldP999},
            {"kld_p99", k.kldP99},
            {"kld_p95", k.kldP95},
            {"kld_median", k.kldMedian},
            {"same_top_p_pct", 100 * k.sameTop},
            {"same_top_p_pct_err", 100 * k.sameTopError},
            {"delta_p_mean_pct", 100 * k.deltaPMean},
            {"rms_delta_p_pct", 100 * k.deltaPRms},
            {"delta_p_max_pct", 100 * k.deltaPMax},
            {"delta_p_min_pct", 100 * k.deltaPMin},
            {"seconds", k.seconds}};
}

} // namespace

int runEval(const std::vector<std::string>& args) {
    ArgParser parser("eval",
                     "Perplexity of MODEL on a text by llama-perplexity's procedure (chunks of\n"
                     "--ctx tokens, BOS first, second half of each chunk scored), optionally KL\n"
                     "divergence against a reference model, and prompt/decode tokens per second.");
    parser.addPositional("MODEL", "GGUF file, Hugging Face folder or llama2.c checkpoint");
    parser.addOption("text", "FILE", "Evaluation text (one trailing newline is dropped)");
    parser.addOption("ctx", "N", "Context length of each chunk", "512");
    parser.addOption("chunks", "N", "Evaluate at most N chunks (default: all)", "-1");
    parser.addOption("batch", "N", "Tokens per forward call", "512");
    parser.addOption("kld-base", "MODEL",
                     "Reference model (F16/F32) for KL divergence; its distribution is cached");
    parser.addOption("kld-base-file", "FILE",
                     "KL divergence against a distribution file written by llama-perplexity "
                     "--kl-divergence-base (or by this tool's cache); its tokens and context "
                     "are used, so --text is not needed");
    parser.addOption("cache-dir", "DIR", "Where reference distributions are cached");
    parser.addOption("tokenizer", "FILE", "tokenizer.bin or tokenizer.json overriding the model's");
    parser.addOption("threads", "N", "CPU threads (default: all)");
    parser.addOption("device", "DEVICE",
                     "Where the matrix products run: cpu, vulkan (the preferred Vulkan device) "
                     "or vulkan:N (see `devices`)",
                     "cpu");
    parser.addFlag("no-speed", "Skip the tokens/sec measurement");
    parser.addOption("speed-prompt", "N",
                     "Prompt tokens of the speed measurement, in one batch (llama-bench's ppN; "
                     "at most --ctx; default: min(ctx, 128))");
    parser.addOption("speed-gen", "N",
                     "Decode steps of the speed measurement (llama-bench's tgN; at most --ctx; "
                     "default: min(ctx, 32))");
    parser.addFlag("f32-numerics",
                   "Plain f32 activations and KV cache instead of llama.cpp's CPU rounding");
    parser.addFlag("json", "Print the results as JSON");
    int exitCode = kExitOk;
    if (!parseOrExit(parser, args, exitCode)) {
        return exitCode;
    }
    int ctxLength = 0;
    int chunks = 0;
    int batch = 0;
    int threads = 0; // all hardware threads
    if (!parseInt(parser.value("ctx"), ctxLength) || ctxLength < 8 ||
        !parseInt(parser.value("chunks"), chunks) || !parseInt(parser.value("batch"), batch) ||
        batch < 1 ||
        (parser.isSet("threads") && (!parseInt(parser.value("threads"), threads) || threads < 1))) {
        std::cerr << "quantscope-cli eval: --ctx, --chunks, --batch and --threads take integers\n";
        return kExitUsage;
    }
    int speedPrompt = 0;
    int speedGen = 0;
    if ((parser.isSet("speed-prompt") && (!parseInt(parser.value("speed-prompt"), speedPrompt) ||
                                          speedPrompt < 1 || speedPrompt > ctxLength)) ||
        (parser.isSet("speed-gen") && (!parseInt(parser.value("speed-gen"), speedGen) ||
                                       speedGen < 1 || speedGen > ctxLength))) {
        std::cerr << "quantscope-cli eval: --speed-prompt and --speed-gen take integers from 1 "
                     "to --ctx ("
                  << ctxLength << ")\n";
        return kExitUsage;
    }
    const bool baseFile = parser.isSet("kld-base-file");
    if (baseFile && parser.isSet("kld-base")) {
        std::cerr << "quantscope-cli eval: --kld-base and --kld-base-file exclude each other\n";
        return kExitUsage;
    }
    if (!parser.isSet("text") && !baseFile) {
        std::cerr << "quantscope-cli eval: --text FILE is required\n";
        return kExitUsage;
    }
    const bool json = parser.isSet("json");
    TerminalProgress stderrProgress;
    core::NullProgressSink silent;
    const bool showProgress = !json && isatty(fileno(stderr));
    core::ProgressSink& progress =
        showProgress ? static_cast<core::ProgressSink&>(stderrProgress) : silent;
    core::CancelToken cancel;

    auto backend = backendForDevice(parser.value("device"));
    if (!backend) {
        return reportError(backend.error());
    }
    const std::string deviceName = *backend ? (*backend)->name() : "CPU";

    const std::string modelPath = parser.positional("MODEL");
    core::EvaluateRequest request;
    request.modelPath = modelPath;
    request.tokenizerPath = parser.value("tokenizer");
    request.textPath = parser.value("text");
    request.perplexity.contextLength = ctxLength;
    request.perplexity.maxChunks = chunks;
    request.perplexity.batchSize = batch;
    request.threads = threads;
    request.backend = backend->get();
    request.llamaCppNumerics = !parser.isSet("f32-numerics");
    request.kldBasePath = parser.value("kld-base");
    request.kldBaseFile = parser.value("kld-base-file");
    request.contextGiven = parser.isSet("ctx");
    request.cacheDir = parser.value("cache-dir");
    request.measureSpeed = !parser.isSet("no-speed");
    request.speedPromptTokens = speedPrompt;
    request.speedGenTokens = speedGen;
    auto result = core::evaluateModel(request, cancel, progress);
    if (!result) {
        return reportError(result.error());
    }
    const std::optional<core::KlDivergenceResult>& kld = result->kld;
    const std::optional<core::PerplexityResult>& ppl = result->perplexity;
    const std::optional<core::ThroughputResult>& speed = result->speed;
    nlohmann::json out = {{"model", modelPath},           {"file_bytes", result->fileBytes},
                          {"text", parser.value("text")}, {"tokens", result->tokens},
                          {"ctx", result->contextLength}, {"threads", result->threads},
                          {"device", deviceName}};
    if (kld && baseFile) {
        out["kld_base_file"] = parser.value("kld-base-file");
    } else if (kld) {
        out["kld_base"] = parser.value("kld-base");
        out["kld_cache"] = result->kldCache;
        out["kld_cache_reused"] = result->kldCacheReused;
    }
    if (kld) {
        out["kld"] = kldJson(*kld);
        out["ppl"] = kld->ppl;
        out["ppl_err"] = kld->pplError;
        out["chunks"] = kld->chunks;
    } else if (ppl) {
        out["ppl"] = ppl->ppl;
        out["ppl_err"] = ppl->pplError;
        out["chunks"] = ppl->chunks;
        out["scored_tokens"] = ppl->scoredTokens;
        out["seconds"] = ppl->seconds;
    }
    if (speed) {
        out["pp_tokens_per_second"] = speed->promptProcessing.tokensPerSecond;
        out["tg_tokens_per_second"] = speed->generation.tokensPerSecond;
        out["pp_tokens"] = result->speedOptions.promptTokens;
        out["tg_tokens"] = result->speedOptions.genTokens;
    }

    if (json) {
        std::cout << out.dump(2) << "\n";
        return kExitOk;
    }
    std::printf(
        "model  %s (%llu bytes)\ntext   %s: %zu tokens, ctx %d, %d threads, %s\n",
        modelPath.c_str(), static_cast<unsigned long long>(result->fileBytes),
        (parser.isSet("text") ? parser.value("text") : parser.value("kld-base-file")).c_str(),
        result->tokens, result->contextLength, result->threads, deviceName.c_str());
    if (kld) {
        std::printf("PPL    %.4f +/- %.5f over %d chunks (reference %.4f +/- %.5f)\n", kld->ppl,
                    kld->pplError, kld->chunks, kld->basePpl, kld->basePplError);
        std::printf("KLD    mean %.6f +/- %.6f, max %.6f, 99.9%% %.6f, 99%% %.6f, median %.6f\n",
                    kld->kldMean, kld->kldMeanError, kld->kldMax, kld->kldP999, kld->kldP99,
                    kld->kldMedian);
        std::printf("top-1  %.3f +/- %.3f %% same as the reference\n", 100 * kld->sameTop,
                    100 * kld->sameTopError);
        std::printf("dp     mean %.3f %%, RMS %.3f %%, max %.3f %%, min %.3f %%\n",
                    100 * kld->deltaPMean, 100 * kld->deltaPRms, 100 * kld->deltaPMax,
                    100 * kld->deltaPMin);
    } else if (ppl) {
        std::printf("PPL    %.4f +/- %.5f over %d chunks (%lld tokens scored, %.1f s)\n", ppl->ppl,
                    ppl->pplError, ppl->chunks, static_cast<long long>(ppl->scoredTokens),
                    ppl->seconds);
    }
    if (speed) {
        std::printf("speed  pp%d %.1f +/- %.1f tok/s, tg%d %.1f +/- %.1f tok/s\n",
                    result->speedOptions.promptTokens, speed->promptProcessing.tokensPerSecond,
                    speed->promptProcessing.stddev, result->speedOptions.genTokens,
                    speed->generation.tokensPerSecond, speed->generation.stddev);
    }
    return kExitOk;
}

} // namespace qs::cli
