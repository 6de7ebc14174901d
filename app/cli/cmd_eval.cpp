#include "cli/cli_common.h"
#include "cli/cli_device.h"
#include "cli/commands.h"

#include "core/eval/eval_model.h"
#include "core/eval/kl_divergence.h"
#include "core/eval/llama_context.h"
#include "core/eval/logprob_file.h"
#include "core/eval/perplexity.h"
#include "core/eval/text_input.h"
#include "core/eval/thread_pool.h"
#include "core/eval/throughput.h"

#include <cstdio>
#include <filesystem>
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

// An evaluation error with the model it came from ("MODEL: chunk 2 of 8: non-finite ...");
// a cancel stays as it is.
core::Error inModel(const core::Error& error, const std::string& model) {
    if (error.code == core::ErrorCode::Cancelled) {
        return error;
    }
    return core::makeError(error.code, model + ": " + error.message);
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
    int threads = core::ParallelPool::defaultThreads();
    if (!parseInt(parser.value("ctx"), ctxLength) || ctxLength < 8 ||
        !parseInt(parser.value("chunks"), chunks) || !parseInt(parser.value("batch"), batch) ||
        batch < 1 ||
        (parser.isSet("threads") && (!parseInt(parser.value("threads"), threads) || threads < 1))) {
        std::cerr << "quantscope-cli eval: --ctx, --chunks, --batch and --threads take integers\n";
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
    // A saved distribution fixes the context and the tokens: llama-perplexity's
    // --kl-divergence reads both from the file.
    std::optional<core::LogProbReader> baseReader;
    if (baseFile) {
        auto reader = core::LogProbReader::open(parser.value("kld-base-file"));
        if (!reader) {
            return reportError(reader.error());
        }
        const int fileCtx = static_cast<int>(reader->header().contextLength);
        if (parser.isSet("ctx") && fileCtx != ctxLength) {
            return reportError(core::makeError(
                core::ErrorCode::InvalidArgument,
                parser.value("kld-base-file") + " was computed with a context of " +
                    std::to_string(fileCtx) + ", not " + std::to_string(ctxLength)));
        }
        ctxLength = fileCtx;
        baseReader.emplace(std::move(*reader));
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
    auto model = core::openEvalModel(modelPath, parser.value("tokenizer"));
    if (!model) {
        return reportError(model.error());
    }
    if (!model->tokenizer) {
        return reportError(core::makeError(core::ErrorCode::InvalidArgument,
                                           modelPath + " has no tokenizer; pass --tokenizer FILE"));
    }
    std::string textValue;
    std::vector<std::int32_t> tokens;
    if (parser.isSet("text")) {
        auto text = core::readEvalText(parser.value("text"));
        if (!text) {
            return reportError(text.error());
        }
        textValue = std::move(*text);
        tokens = model->tokenizer->encode(textValue, true);
    } else {
        tokens = baseReader->header().tokens;
    }
    const std::string* text = &textValue;
    core::PerplexityOptions options;
    options.contextLength = ctxLength;
    options.maxChunks = chunks;
    options.batchSize = batch;
    core::LlamaContext context(model->weights, ctxLength, threads, backend->get());
    context.setLlamaCppNumerics(!parser.isSet("f32-numerics"));

    nlohmann::json out = {{"model", modelPath},
                          {"file_bytes", model->fileBytes},
                          {"text", parser.value("text")},
                          {"tokens", tokens.size()},
                          {"ctx", ctxLength},
                          {"threads", context.threads()},
                          {"device", deviceName}};
    std::optional<core::KlDivergenceResult> kld;
    std::optional<core::PerplexityResult> ppl;
    if (baseReader) {
        auto k = core::computeKlDivergence(context, *baseReader, model->tokenizer->bos(), chunks,
                                           batch, progress, cancel);
        if (!k) {
            return reportError(inModel(k.error(), modelPath));
        }
        kld = *k;
        out["kld_base_file"] = parser.value("kld-base-file");
        out["kld"] = kldJson(*kld);
        out["ppl"] = kld->ppl;
        out["ppl_err"] = kld->pplError;
        out["chunks"] = kld->chunks;
    } else if (parser.isSet("kld-base")) {
        auto base = core::openEvalModel(parser.value("kld-base"), parser.value("tokenizer"));
        if (!base) {
            return reportError(base.error());
        }
        auto modelHash = core::fileHash64(parser.value("kld-base"));
        if (!modelHash) {
            // A folder (Hugging Face): key the cache by its path instead of its bytes.
            const std::string p = std::filesystem::absolute(parser.value("kld-base")).string();
            modelHash = core::contentHash64(std::as_bytes(std::span(p.data(), p.size())));
        }
        const std::uint64_t textHash =
            core::contentHash64(std::as_bytes(std::span(text->data(), text->size())));
        const std::string cacheDir =
            parser.isSet("cache-dir")
                ? parser.value("cache-dir")
                : (std::filesystem::temp_directory_path() / "quantscope-kld").string();
        const std::string cachePath =
            core::referenceCachePath(cacheDir, *modelHash, textHash, ctxLength);
        core::LlamaContext baseContext(base->weights, ctxLength, threads, backend->get());
        baseContext.setLlamaCppNumerics(!parser.isSet("f32-numerics"));
        auto reused = core::ensureReferenceLogProbs(
            cachePath, baseContext, tokens, base->tokenizer->bos(), options, progress, cancel);
        if (!reused) {
            return reportError(inModel(reused.error(), parser.value("kld-base")));
        }
        auto reader = core::LogProbReader::open(cachePath);
        if (!reader) {
            return reportError(reader.error());
        }
        auto k = core::computeKlDivergence(context, *reader, model->tokenizer->bos(), chunks, batch,
                                           progress, cancel);
        if (!k) {
            return reportError(inModel(k.error(), modelPath));
        }
        kld = *k;
        out["kld_base"] = parser.value("kld-base");
        out["kld_cache"] = cachePath;
        out["kld_cache_reused"] = *reused;
        out["kld"] = kldJson(*kld);
        out["ppl"] = kld->ppl;
        out["ppl_err"] = kld->pplError;
        out["chunks"] = kld->chunks;
    } else {
        auto r = core::computePerplexity(context, tokens, model->tokenizer->bos(), options,
                                         progress, cancel);
        if (!r) {
            return reportError(inModel(r.error(), modelPath));
        }
        ppl = *r;
        out["ppl"] = ppl->ppl;
        out["ppl_err"] = ppl->pplError;
        out["chunks"] = ppl->chunks;
        out["scored_tokens"] = ppl->scoredTokens;
        out["seconds"] = ppl->seconds;
    }
    std::optional<core::ThroughputResult> speed;
    if (!parser.isSet("no-speed")) {
        core::ThroughputOptions topt;
        topt.promptTokens = std::min(ctxLength, 128);
        topt.genTokens = std::min(ctxLength, 32);
        auto s = core::measureThroughput(context, topt, cancel);
        if (!s) {
            return reportError(s.error());
        }
        speed = *s;
        out["pp_tokens_per_second"] = speed->promptProcessing.tokensPerSecond;
        out["tg_tokens_per_second"] = speed->generation.tokensPerSecond;
        out["pp_tokens"] = topt.promptTokens;
        out["tg_tokens"] = topt.genTokens;
    }

    if (json) {
        std::cout << out.dump(2) << "\n";
        return kExitOk;
    }
    std::printf("model  %s (%llu bytes)\ntext   %s: %zu tokens, ctx %d, %d threads, %s\n",
                modelPath.c_str(), static_cast<unsigned long long>(model->fileBytes),
                baseFile && !parser.isSet("text") ? parser.value("kld-base-file").c_str()
                                                  : parser.value("text").c_str(),
                tokens.size(), ctxLength, context.threads(), deviceName.c_str());
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
        std::printf("speed  pp %.1f +/- %.1f tok/s, tg %.1f +/- %.1f tok/s\n",
                    speed->promptProcessing.tokensPerSecond, speed->promptProcessing.stddev,
                    speed->generation.tokensPerSecond, speed->generation.stddev);
    }
    return kExitOk;
}

} // namespace qs::cli
