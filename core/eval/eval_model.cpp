#include "core/eval/eval_model.h"

#include "core/eval/tokenizer_load.h"
#include "core/io/model_reader.h"
#include "core/model/model.h"

#include <filesystem>

namespace qs::core {

Result<EvalModel> makeEvalModel(const Model& model, const std::string& tokenizerPath) {
    EvalModel out;
    out.path = model.path();
    out.fileBytes = model.fileBytes();
    auto weights = LlamaWeights::fromModel(model);
    if (!weights) {
        return weights.error();
    }
    out.weights = std::move(*weights);
    if (!tokenizerPath.empty()) {
        auto tok = loadTokenizerFile(tokenizerPath);
        if (!tok) {
            return tok.error();
        }
        out.tokenizer = std::move(*tok);
    } else if (model.metadata().contains("tokenizer.ggml.model")) {
        auto tok = tokenizerFromMetadata(model.metadata());
        if (!tok) {
            return tok.error();
        }
        out.tokenizer = std::move(*tok);
    }
    if (out.tokenizer &&
        out.tokenizer->vocabSize() != static_cast<std::size_t>(out.weights->config().vocab)) {
        return makeError(ErrorCode::Format, model.path() + ": the tokenizer has " +
                                                std::to_string(out.tokenizer->vocabSize()) +
                                                " tokens, the model " +
                                                std::to_string(out.weights->config().vocab));
    }
    return out;
}

Result<EvalModel> openEvalModel(const std::string& path, const std::string& tokenizerPath) {
    const bool jsonTokenizer = tokenizerPath.ends_with(".json");
    // openModel turns a llama2.c tokenizer.bin into metadata itself; tokenizer.json is ours.
    auto model = openModel(path, jsonTokenizer ? std::string() : tokenizerPath);
    if (!model) {
        return model.error();
    }
    std::string override = jsonTokenizer ? tokenizerPath : std::string();
    if (override.empty() && !model->metadata().contains("tokenizer.ggml.model")) {
        // A Hugging Face folder: its tokenizer.json sits beside the weights.
        std::filesystem::path dir(path);
        if (!std::filesystem::is_directory(dir)) {
            dir = dir.parent_path();
        }
        if (std::filesystem::exists(dir / "tokenizer.json")) {
            override = (dir / "tokenizer.json").string();
        }
    }
    return makeEvalModel(*model, override);
}

} // namespace qs::core
