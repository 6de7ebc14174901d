#include "core/workflows/inputs.h"

#include "core/eval/text_input.h"

namespace qs::core {

Result<const ImportanceMatrix*> resolveImatrix(const ImportanceMatrix* held,
                                               const std::string& path,
                                               std::optional<ImportanceMatrix>& storage,
                                               std::string& fileName) {
    if (held || path.empty()) {
        return held;
    }
    auto matrix = readImatrix(path);
    if (!matrix) {
        return matrix.error();
    }
    storage = std::move(matrix).value();
    if (fileName.empty()) {
        fileName = path;
    }
    return &*storage;
}

Result<EvalInputs> openEvalInputs(const std::string& modelPath, const std::string& tokenizerPath,
                                  const std::string& textPath) {
    auto model = openEvalModel(modelPath, tokenizerPath);
    if (!model) {
        return model.error();
    }
    if (!model->tokenizer) {
        return makeError(ErrorCode::InvalidArgument,
                         modelPath + " has no tokenizer; pass --tokenizer FILE");
    }
    auto text = readEvalText(textPath);
    if (!text) {
        return text.error();
    }
    EvalInputs inputs{std::move(model).value(), std::move(text).value(), {}};
    inputs.tokens = inputs.model.tokenizer->encode(inputs.text, true);
    return inputs;
}

} // namespace qs::core
