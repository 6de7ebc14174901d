#pragma once

#include "core/error.h"
#include "core/export/quantize_model.h"
#include "core/gptq/calibrate.h"
#include "core/gptq/ggml_rounding.h"
#include "core/jobs/job_control.h"
#include "core/plan/quant_plan.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

// GGUF files with calibrated rounding (issue 20): the plan's types and llama-quantize's block
// layout, with the levels of every block linear chosen to lower the layer's output error on
// calibration text (ggmlCalibratedQuantize) instead of each weight's own error.
namespace qs::core {

class Model;

struct CalibratedGgufOptions {
    std::string calibrationText; // path of a plain-text file
    CalibrationOptions calibration;
    GgmlRoundingOptions rounding;
};

struct CalibratedGgufLinears {
    // GGUF name -> the planned type's bytes, for QuantizeOptions::precomputed. A linear whose
    // calibrated rounding did not lower its output error (or whose type has no block grid) is
    // absent: quantizeModel then writes llama-quantize's bytes for it. A stacked expert tensor
    // is here whole when at least one of its experts kept calibrated bytes; its other experts
    // carry llama-quantize's bytes for their slice.
    std::map<std::string, std::vector<std::byte>> bytes;
    // Per block linear (per expert for expert tensors, named by expertLinearKey): relative
    // output error ||WX - QX||^2 / ||WX||^2 of what was kept (`error`) and of the format's own
    // quantizer (`rtnError`) on the calibration inputs (an expert's: the tokens routed to it).
    // An expert under CalibrationOptions::minExpertTokens keeps the format's own rounding
    // (`rtnFallback`). Calibrated bytes were kept exactly where error < rtnError.
    std::vector<LinearQuantReport> reports;
    std::int64_t calibrationTokens = 0;
};

// Tokenizes the calibration text with the model's tokenizer and runs the calibration pass
// (calibrateLinears) with each block linear quantized to its planned type, with the importance
// weights of `options.imatrix` as quantizeModel would use them; what is fed forward is the
// dequantized result. Tensors outside the blocks' linears are left to quantizeModel.
Result<CalibratedGgufLinears> calibrateGgufLinears(const Model& model, const QuantPlan& plan,
                                                   const QuantizeOptions& options,
                                                   const CalibratedGgufOptions& calibrated,
                                                   CancelToken& cancel, ProgressSink& progress);

} // namespace qs::core
