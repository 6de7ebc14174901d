#include "core/workflows/policy.h"

#include "core/model/model.h"
#include "core/plan/llama_presets.h"
#include "core/plan/model_plan.h"
#include "core/plan/quant_plan.h"
#include "core/plan/sensitivity.h"

#include <algorithm>
#include <map>
#include <string_view>

namespace qs::core {

std::vector<GgmlType> optimizerCandidateFormats(const Model& model, bool hasImatrix) {
    std::vector<GgmlType> formats = defaultCandidateFormats();
    if (hasImatrix) {
        for (GgmlType type :
             {GgmlType::IQ2_XXS, GgmlType::IQ2_S, GgmlType::IQ3_XXS, GgmlType::IQ3_S}) {
            formats.push_back(type);
        }
    }
    const bool oddRows =
        std::any_of(model.tensors().begin(), model.tensors().end(), [](const TensorInfo& t) {
            return isOptimizableTensor(t.name, t.dims.size(), true) && !t.dims.empty() &&
                   t.dims[0] % 256 != 0;
        });
    if (oddRows) {
        for (GgmlType type : {GgmlType::Q4_0, GgmlType::Q5_0}) {
            if (std::find(formats.begin(), formats.end(), type) == formats.end()) {
                formats.push_back(type);
            }
        }
    }
    return formats;
}

std::uint32_t planFileType(const Model& model, const QuantPlan& plan, const LlamaPreset* preset) {
    if (preset) {
        return static_cast<std::uint32_t>(preset->ftype);
    }
    // The tensors the optimizer chooses for (its sensitivity table's rows).
    std::map<GgmlType, std::uint64_t> parameters;
    for (const TensorInfo& t : model.tensors()) {
        if (!isOptimizableTensor(t.name, t.dims.size(), true) || t.elementCount() == 0) {
            continue;
        }
        parameters[plan.typeOf(t.name).value_or(t.type)] += t.elementCount();
    }
    const auto dominant =
        std::max_element(parameters.begin(), parameters.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    if (dominant == parameters.end()) {
        return 0;
    }
    std::uint32_t chosen = 0;
    for (const auto& p : allLlamaPresets()) {
        if (p.defaultType == dominant->first &&
            (chosen == 0 || std::string_view(p.name).ends_with("_M"))) {
            chosen = static_cast<std::uint32_t>(p.ftype);
        }
    }
    return chosen;
}

std::vector<std::string> defaultComparisonPresets() {
    return {"Q2_K", "Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0"};
}

bool presetNeedsImatrix(const Model& model, const LlamaPreset& preset) {
    if (llamaPresetRequiresImatrix(preset.ftype)) {
        return true;
    }
    // The rules without an imatrix (hasImatrix changes some choices, e.g. IQ3_XXS's attn_v).
    const auto plan = buildLlamaPlanForModel(model, preset, PresetOptions{});
    return plan.ok() && firstTensorNeedingImatrix(*plan, preset.ftype) != nullptr;
}

} // namespace qs::core
