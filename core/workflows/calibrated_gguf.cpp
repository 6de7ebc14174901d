#include "core/workflows/calibrated_gguf.h"

#include "core/eval/eval_model.h"
#include "core/eval/text_input.h"
#include "core/export/imatrix_match.h"
#include "core/gptq/gptq.h"
#include "core/io/imatrix.h"
#include "core/model/model.h"
#include "core/quant/format_registry.h"

#include <algorithm>

namespace qs::core {

Result<CalibratedGgufLinears> calibrateGgufLinears(const Model& model, const QuantPlan& plan,
                                                   const QuantizeOptions& options,
                                                   const CalibratedGgufOptions& calibrated,
                                                   CancelToken& cancel, ProgressSink& progress) {
    const auto& tensors = model.tensors();
    std::vector<GgmlType> targetTypes(tensors.size());
    std::vector<bool> quantized(tensors.size());
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        targetTypes[i] = plan.typeOf(tensors[i].name).value_or(tensors[i].type);
        quantized[i] = targetTypes[i] != tensors[i].type;
    }
    // The importance weights exactly as quantizeModel assigns them, so that each block's scales
    // come from the same search llama-quantize runs.
    auto assigned = quantizeImportance(model, options, quantized);
    if (!assigned) {
        return assigned.error();
    }
    const std::vector<std::span<const float>> importance = std::move(*assigned);
    auto evalModel = makeEvalModel(model);
    if (!evalModel) {
        return evalModel.error();
    }
    if (!evalModel->tokenizer) {
        return makeError(ErrorCode::InvalidArgument, model.path() + ": the model has no tokenizer");
    }
    auto text = readEvalText(calibrated.calibrationText);
    if (!text) {
        return text.error();
    }
    const auto tokens = evalModel->tokenizer->encode(*text, false);

    CalibratedGgufLinears result;
    auto quantizeLinear = [&](const std::string& name, const std::vector<float>& w, int rows,
                              int cols,
                              const std::vector<double>& h) -> Result<std::vector<float>> {
        const TensorInfo* t = model.findTensor(name);
        const std::size_t i = static_cast<std::size_t>(t - tensors.data());
        const GgmlType type = targetTypes[i];
        if (type == t->type) {
            return w; // not quantized: fed forward as stored
        }
        const float* weights = nullptr;
        if (!importance.empty() && !importance[i].empty() &&
            quantFormat(type)->weightsChangeOutput) {
            weights = importance[i].data();
        }
        // llama-quantize's bytes first: the yardstick, and what is kept when calibrated
        // rounding does not help (or cannot run on the type).
        const std::size_t values = w.size();
        std::vector<std::byte> plain(*ggmlRowBytes(type, static_cast<std::uint64_t>(cols)) *
                                     static_cast<std::size_t>(rows));
        if (Status s = quantizeRows(type, w.data(), plain.data(), rows, cols, weights); !s) {
            return s.error();
        }
        std::vector<float> plainValues(values);
        if (Status s = dequantizeRow(type, plain.data(), plainValues.data(),
                                     static_cast<std::int64_t>(values));
            !s) {
            return s.error();
        }
        const double reference =
            std::max(1e-30, outputError(w, std::vector<float>(values, 0.0f), rows, cols, h));
        LinearQuantReport report;
        report.name = name;
        report.rtnError = outputError(w, plainValues, rows, cols, h) / reference;
        report.error = report.rtnError;
        std::vector<float> fed = std::move(plainValues);
        if (ggmlCalibratedRoundingSupports(type)) {
            auto bytes =
                ggmlCalibratedQuantize(type, w, rows, cols, h, weights, calibrated.rounding);
            if (!bytes) {
                return bytes.error();
            }
            std::vector<float> values2(values);
            if (Status s = dequantizeRow(type, bytes->data(), values2.data(),
                                         static_cast<std::int64_t>(values));
                !s) {
                return s.error();
            }
            const double error = outputError(w, values2, rows, cols, h) / reference;
            if (error < report.rtnError) {
                report.error = error;
                fed = std::move(values2);
                result.bytes.emplace(name, std::move(*bytes));
            }
        }
        result.reports.push_back(report);
        return fed;
    };
    auto tokensUsed = calibrateLinears(model, tokens, evalModel->tokenizer->bos(),
                                       calibrated.calibration, cancel, progress, quantizeLinear);
    if (!tokensUsed) {
        return tokensUsed.error();
    }
    result.calibrationTokens = *tokensUsed;
    return result;
}

} // namespace qs::core
