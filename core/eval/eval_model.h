#pragma once

#include "core/error.h"
#include "core/eval/llama_weights.h"
#include "core/eval/tokenizer.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace qs::core {

class Model;

// What evaluation needs from a model file: checked weights and its tokenizer.
struct EvalModel {
    std::string path;
    std::uint64_t fileBytes = 0;
    std::shared_ptr<const LlamaWeights> weights;
    std::optional<Tokenizer> tokenizer; // from the file's metadata, or the tokenizer file given
};

// Builds an EvalModel from an opened Model. `tokenizerPath` (tokenizer.bin or tokenizer.json)
// overrides the tokenizer in the metadata; containers without one (llama2.c) need it.
Result<EvalModel> makeEvalModel(const Model& model, const std::string& tokenizerPath = {});

// Opens any model openModel() reads (GGUF, Hugging Face folder, llama2.c) and builds its
// EvalModel; a Hugging Face folder's tokenizer.json is picked up when no tokenizer is given.
Result<EvalModel> openEvalModel(const std::string& path, const std::string& tokenizerPath = {});

} // namespace qs::core
