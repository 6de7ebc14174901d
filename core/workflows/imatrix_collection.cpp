#include "core/workflows/imatrix_collection.h"

#include "core/eval/llama_context.h"
#include "core/io/imatrix_coverage.h"
#include "core/jobs/threads.h"
#include "core/workflows/inputs.h"

namespace qs::core {

Result<ImatrixCollectionResult> collectImatrixFromFiles(const ImatrixCollectionRequest& request,
                                                        CancelToken& cancel,
                                                        ProgressSink& progress) {
    auto inputs = openEvalInputs(request.modelPath, request.tokenizerPath, request.textPath);
    if (!inputs) {
        return inputs.error();
    }
    const EvalModel& model = inputs->model;
    ImatrixCollectionResult result;
    result.textTokens = inputs->tokens.size();
    ImatrixCollectOptions options = request.collect;
    options.datasetName = request.textPath;
    LlamaContext context(model.weights, options.contextLength, effectiveThreads(request.threads));
    auto matrix =
        collectImatrix(context, inputs->tokens, model.tokenizer->bos(), options, progress, cancel);
    if (!matrix) {
        return matrix.error();
    }
    if (auto st = writeImatrix(*matrix, request.outputPath, request.format); !st) {
        return st.error();
    }
    // Experts the text never routed to: named now, not discovered at quantization.
    reportStarvedExperts(*matrix, request.outputPath);
    result.matrix = std::move(matrix).value();
    return result;
}

} // namespace qs::core
