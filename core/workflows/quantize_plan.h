#pragma once

#include "core/error.h"
#include "core/export/quantize_model.h"
#include "core/jobs/job_control.h"
#include "core/plan/quant_plan.h"
#include "core/workflows/calibrated_gguf.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

// Quantizing a plan to GGUF, as `quantscope-cli quantize`, the GUI's Run and its export dialog
// all do it: the importance matrix by path or already loaded, then quantizeModel.
namespace qs::core {

class Model;

struct QuantizePlanRequest {
    // threads, backend, fileType, measureError; `imatrix` when the caller holds one already.
    QuantizeOptions options;
    // Read when options.imatrix is not set (llama-imatrix .gguf or .dat); also the default
    // of options.imatrixFileName.
    std::string imatrixPath;
    // Set: calibrated rounding of the block linears (issue 20) before the file is written;
    // their bytes replace llama-quantize's (options.precomputed is then ignored).
    std::optional<CalibratedGgufOptions> calibrated;
};

// `onTensor` sees each tensor's result as
// it is written (on the calling thread).
Result<QuantizeReport>
quantizePlan(const Model& model, const QuantPlan& plan, const std::string& outputPath,
             const QuantizePlanRequest& request, CancelToken& cancel, ProgressSink& progress,
             const std::function<void(const TensorQuantResult&)>& onTensor = {});

// Fails on a planned tensor that `model` does not have (the names say where each came from).
Status checkPlanFitsModel(const Model& model, const QuantPlan& plan, const std::string& planName,
                          const std::string& modelName);
// Fails, without a matrix, on a planned type that llama-quantize only makes with one for the
// llama_ftype `fileType`.
Status checkPlanImatrix(const QuantPlan& plan, std::uint32_t fileType, bool hasImatrix);

} // namespace qs::core
