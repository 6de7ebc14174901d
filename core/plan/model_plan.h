#pragma once

#include "core/error.h"
#include "core/plan/llama_presets.h"
#include "core/plan/quant_plan.h"

#include <cstdint>

namespace qs::core {

class Model;

// The model facts llama-quantize's rules look at, read from an opened model.
ModelShape modelShapeOf(const Model& model);

// llama-quantize's plan for every tensor of `model` under `preset` and `options`.
Result<QuantPlan> buildLlamaPlanForModel(const Model& model, const LlamaPreset& preset,
                                         const PresetOptions& options = {});

// Bytes of all tensors of `model` stored as `plan` says (tensors not in the plan, or whose
// rows do not fit the planned type, at their stored size).
std::uint64_t plannedTensorBytes(const Model& model, const QuantPlan& plan);

} // namespace qs::core
