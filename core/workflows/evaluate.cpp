#include "core/workflows/evaluate.h"

#include "core/eval/llama_context.h"
#include "core/eval/logprob_file.h"
#include "core/fs/content_hash.h"
#include "core/jobs/threads.h"
#include "core/workflows/inputs.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <span>

namespace qs::core {
namespace {

Error inModel(const Error& error, const std::string& model) {
    if (error.code == ErrorCode::Cancelled) {
        return error;
    }
    return makeError(error.code, model + ": " + error.message);
}

// The reference cache is keyed by the reference's bytes; a folder (Hugging Face) by its path.
std::uint64_t referenceHash(const std::string& path) {
    if (auto hash = fileHash64(path)) {
        return *hash;
    }
    const std::string p = std::filesystem::absolute(path).string();
    return contentHash64(std::as_bytes(std::span(p.data(), p.size())));
}

} // namespace

Result<EvaluateResult> evaluateModel(const EvaluateRequest& request, CancelToken& cancel,
                                     ProgressSink& progress) {
    // A saved distribution fixes the context and the tokens.
    std::optional<LogProbReader> baseFile;
    PerplexityOptions options = request.perplexity;
    if (!request.kldBaseFile.empty()) {
        auto reader = LogProbReader::open(request.kldBaseFile);
        if (!reader) {
            return reader.error();
        }
        const int fileContext = static_cast<int>(reader->header().contextLength);
        if (request.contextGiven && fileContext != options.contextLength) {
            return makeError(ErrorCode::InvalidArgument,
                             request.kldBaseFile + " was computed with a context of " +
                                 std::to_string(fileContext) + ", not " +
                                 std::to_string(options.contextLength));
        }
        options.contextLength = fileContext;
        baseFile.emplace(std::move(*reader));
    }
    EvalInputs inputs;
    if (baseFile && request.textPath.empty()) {
        auto model = openEvalModel(request.modelPath, request.tokenizerPath);
        if (!model) {
            return model.error();
        }
        if (!model->tokenizer) {
            return makeError(ErrorCode::InvalidArgument,
                             request.modelPath + " has no tokenizer; pass --tokenizer FILE");
        }
        inputs.model = std::move(*model);
        inputs.tokens = baseFile->header().tokens;
    } else {
        auto opened = openEvalInputs(request.modelPath, request.tokenizerPath, request.textPath);
        if (!opened) {
            return opened.error();
        }
        inputs = std::move(*opened);
    }
    const EvalModel& model = inputs.model;
    const std::string& text = inputs.text;
    const std::vector<std::int32_t>& tokens = inputs.tokens;
    EvaluateResult result;
    result.fileBytes = model.fileBytes;
    result.tokens = tokens.size();
    result.contextLength = options.contextLength;
    const int threads = effectiveThreads(request.threads);
    LlamaContext context(model.weights, options.contextLength, threads, request.backend);
    context.setLlamaCppNumerics(request.llamaCppNumerics);
    result.threads = context.threads();

    if (baseFile) {
        auto kld = computeKlDivergence(context, *baseFile, model.tokenizer->bos(),
                                       options.maxChunks, options.batchSize, progress, cancel);
        if (!kld) {
            return inModel(kld.error(), request.modelPath);
        }
        result.kld = *kld;
    } else if (!request.kldBasePath.empty()) {
        auto base = openEvalModel(request.kldBasePath, request.tokenizerPath);
        if (!base) {
            return base.error();
        }
        const std::uint64_t textHash =
            contentHash64(std::as_bytes(std::span(text.data(), text.size())));
        const std::string cacheDir =
            !request.cacheDir.empty()
                ? request.cacheDir
                : (std::filesystem::temp_directory_path() / "quantscope-kld").string();
        result.kldCache = referenceCachePath(cacheDir, referenceHash(request.kldBasePath), textHash,
                                             options.contextLength);
        LlamaContext baseContext(base->weights, options.contextLength, threads, request.backend);
        baseContext.setLlamaCppNumerics(request.llamaCppNumerics);
        auto reused = ensureReferenceLogProbs(result.kldCache, baseContext, tokens,
                                              base->tokenizer->bos(), options, progress, cancel);
        if (!reused) {
            return inModel(reused.error(), request.kldBasePath);
        }
        result.kldCacheReused = *reused;
        auto reader = LogProbReader::open(result.kldCache);
        if (!reader) {
            return reader.error();
        }
        auto kld = computeKlDivergence(context, *reader, model.tokenizer->bos(), options.maxChunks,
                                       options.batchSize, progress, cancel);
        if (!kld) {
            return inModel(kld.error(), request.modelPath);
        }
        result.kld = *kld;
    } else {
        auto ppl =
            computePerplexity(context, tokens, model.tokenizer->bos(), options, progress, cancel);
        if (!ppl) {
            return inModel(ppl.error(), request.modelPath);
        }
        result.perplexity = *ppl;
    }
    if (request.measureSpeed) {
        result.speedOptions.promptTokens = request.speedPromptTokens > 0
                                               ? request.speedPromptTokens
                                               : std::min(options.contextLength, 128);
        result.speedOptions.genTokens = request.speedGenTokens > 0
                                            ? request.speedGenTokens
                                            : std::min(options.contextLength, 32);
        auto speed = measureThroughput(context, result.speedOptions, cancel);
        if (!speed) {
            return speed.error();
        }
        result.speed = *speed;
    }
    return result;
}

} // namespace qs::core
