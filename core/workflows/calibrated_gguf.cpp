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
    // An expert tensor is written whole: each expert's bytes (calibrated, or the format's own
    // where that did better or the expert was starved) wait here until the last expert is done.
    std::map<std::string, std::vector<std::vector<std::byte>>> expertBytes;
    std::map<std::string, bool> expertCalibrated; // any expert of the tensor kept calibrated bytes
    auto quantizeLinear = [&](const CalibrationTarget& target, const std::vector<float>& w,
                              int rows, int cols,
                              const std::vector<double>& h) -> Result<std::vector<float>> {
        const TensorInfo* t = model.findTensor(target.tensor);
        const std::size_t i = static_cast<std::size_t>(t - tensors.data());
        const GgmlType type = targetTypes[i];
        if (type == t->type) {
            return w; // not quantized: fed forward as stored
        }
        const bool expert = target.expert >= 0;
        // An expert takes its own slice of the tensor's importance weights, as llama-quantize
        // hands them out.
        const float* weights = nullptr;
        if (!importance.empty() && !importance[i].empty() &&
            quantFormat(type)->weightsChangeOutput) {
            weights = importance[i].data() + (expert ? static_cast<std::size_t>(target.expert) *
                                                           static_cast<std::size_t>(cols)
                                                     : 0);
        }
        // llama-quantize's bytes first: the yardstick, and what is kept when calibrated
        // rounding does not help (or cannot run on the type, or the expert saw too few tokens).
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
        report.name = expert ? expertLinearKey(target.tensor, target.expert) : target.tensor;
        report.expert = target.expert;
        report.tokens = target.tokens;
        report.rtnFallback = target.starved;
        report.rtnError = outputError(w, plainValues, rows, cols, h) / reference;
        report.error = report.rtnError;
        std::vector<float> fed = std::move(plainValues);
        std::vector<std::byte> kept = std::move(plain);
        bool calibratedKept = false;
        if (ggmlCalibratedRoundingSupports(type) && !target.starved) {
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
                kept = std::move(*bytes);
                calibratedKept = true;
            }
        }
        result.reports.push_back(report);
        if (!expert) {
            if (calibratedKept) {
                result.bytes.emplace(target.tensor, std::move(kept));
            }
            return fed;
        }
        auto& slices = expertBytes[target.tensor];
        slices.resize(static_cast<std::size_t>(t->dims[2]));
        slices[static_cast<std::size_t>(target.expert)] = std::move(kept);
        expertCalibrated[target.tensor] = expertCalibrated[target.tensor] || calibratedKept;
        if (target.expert + 1 == static_cast<int>(t->dims[2])) {
            // The last expert: the whole tensor, unless no expert gained anything.
            if (expertCalibrated[target.tensor]) {
                std::vector<std::byte> whole;
                whole.reserve(t->byteSize);
                for (const auto& slice : slices) {
                    whole.insert(whole.end(), slice.begin(), slice.end());
                }
                result.bytes.emplace(target.tensor, std::move(whole));
            }
            expertBytes.erase(target.tensor);
        }
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
