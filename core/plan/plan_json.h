#pragma once

#include "core/error.h"
#include "core/plan/quant_plan.h"

#include <cstdint>
#include <string>
#include <string_view>

// A plan on disk: the per-tensor types a user (or the optimizer, or a preset) chose, so that a
// plan made in the GUI can be quantized by the CLI and vice versa. JSON, one object:
//   {"format": "quantscope-plan", "version": 1, "model": "...", "source": "...",
//    "file_type": 15, "tensors": [{"name": "blk.0.attn_q.weight", "type": "Q4_K"}, ...]}
// Type names are those of core/quant/ggml_type.h ("Q4_K", "F16"); "fell_back": true marks a
// tensor whose preset type did not fit its rows.
namespace qs::core {

struct PlanFileInfo {
    std::string model;  // the model the plan was made for (a path, informational)
    std::string source; // how it was made: "preset Q4_K_M", "optimizer --target-bpw 4.8", ...
    std::uint32_t fileType = 0; // llama_ftype for general.file_type; 0 = keep the input's
};

std::string planToJson(const QuantPlan& plan, const PlanFileInfo& info);

// `fileName` names the source in errors. Unknown type names, duplicate tensors and a wrong
// "format"/"version" are Format errors.
Result<QuantPlan> planFromJson(std::string_view json, const std::string& fileName,
                               PlanFileInfo* info = nullptr);

// Atomic (temporary file, then rename).
Status writePlanFile(const std::string& path, const QuantPlan& plan, const PlanFileInfo& info);
Result<QuantPlan> readPlanFile(const std::string& path, PlanFileInfo* info = nullptr);

} // namespace qs::core
