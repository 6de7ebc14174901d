#include "core/workflows/quantize_plan.h"

#include "core/model/model.h"
#include "core/plan/llama_presets.h"
#include "core/quant/ggml_type.h"
#include "core/workflows/inputs.h"

#include <optional>

namespace qs::core {

Status checkPlanFitsModel(const Model& model, const QuantPlan& plan, const std::string& planName,
                          const std::string& modelName) {
    for (const auto& t : plan.tensors()) {
        if (!model.findTensor(t.name)) {
            return makeError(ErrorCode::InvalidArgument, planName + ": tensor " + t.name +
                                                             " is not in " + modelName +
                                                             " (a plan made for another model?)");
        }
    }
    return {};
}

Status checkPlanImatrix(const QuantPlan& plan, std::uint32_t fileType, bool hasImatrix) {
    if (hasImatrix) {
        return {};
    }
    if (const auto* t = firstTensorNeedingImatrix(plan, static_cast<LlamaFtype>(fileType))) {
        return makeError(ErrorCode::InvalidArgument,
                         t->name + ": " + std::string(ggmlTypeInfo(t->type).name) +
                             " needs an importance matrix (--imatrix FILE)");
    }
    return {};
}

Result<QuantizeReport> quantizePlan(const Model& model, const QuantPlan& plan,
                                    const std::string& outputPath,
                                    const QuantizePlanRequest& request, CancelToken& cancel,
                                    ProgressSink& progress,
                                    const std::function<void(const TensorQuantResult&)>& onTensor) {
    QuantizeOptions options = request.options;
    // Kept here for the whole run: quantizeModel reads it tensor by tensor.
    std::optional<ImportanceMatrix> storage;
    if (auto st = resolveImatrixInto(options, request.imatrixPath, storage); !st) {
        return st.error();
    }
    CalibratedGgufLinears calibrated;
    if (request.calibrated) {
        auto linears =
            calibrateGgufLinears(model, plan, options, *request.calibrated, cancel, progress);
        if (!linears) {
            return linears.error();
        }
        calibrated = std::move(*linears);
        options.precomputed = &calibrated.bytes;
    }
    return quantizeModel(model, plan, outputPath, options, cancel, progress, onTensor);
}

} // namespace qs::core
