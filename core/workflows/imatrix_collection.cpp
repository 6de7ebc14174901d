#include "core/workflows/imatrix_collection.h"

#include "core/eval/eval_model.h"
#include "core/eval/llama_context.h"
#include "core/eval/text_input.h"
#include "core/jobs/threads.h"

namespace qs::core {

Result<ImatrixCollectionResult> collectImatrixFromFiles(const ImatrixCollectionRequest& request,
                                                        CancelToken& cancel,
                                                        ProgressSink& progress) {
    auto model = openEvalModel(request.modelPath, request.tokenizerPath);
    if (!model) {
        return model.error();
    }
    if (!model->tokenizer) {
        return makeError(ErrorCode::InvalidArgument,
                         request.modelPath +
                             " has no tokenizer (give a tokenizer.json or tokenizer.bin)");
    }
    auto text = readEvalText(request.textPath);
    if (!text) {
        return text.error();
    }
    ImatrixCollectionResult result;
    const auto tokens = model->tokenizer->encode(*text, true);
    result.textTokens = tokens.size();
    ImatrixCollectOptions options = request.collect;
    options.datasetName = request.textPath;
    LlamaContext context(model->weights, options.contextLength, effectiveThreads(request.threads));
    auto matrix =
        collectImatrix(context, tokens, model->tokenizer->bos(), options, progress, cancel);
    if (!matrix) {
        return matrix.error();
    }
    if (auto st = writeImatrix(*matrix, request.outputPath, request.format); !st) {
        return st.error();
    }
    result.matrix = std::move(matrix).value();
    return result;
}

} // namespace qs::core
