#pragma once

#include "core/error.h"
#include "core/gptq/gptq.h"
#include "core/jobs/job_control.h"

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace qs::core {

class Model;

enum class CalibratedMethod { Gptq, Rtn, Awq };

struct CalibrationOptions {
    int nsamples = 128; // segments of the calibration text
    int seqlen = 512;   // tokens per segment (BOS first), at most the model's context
    int threads = 0;    // forward-pass threads; 0 = all
};

// Per linear: relative output error ||WX - QX||^2 / ||WX||^2 on the calibration inputs (the
// inputs seen with the earlier layers already quantized) of the chosen method and of
// round-to-nearest in the same layout.
struct LinearQuantReport {
    std::string name; // GGUF name, "blk.3.ffn_down.weight"
    double error = 0.0;
    double rtnError = 0.0;
};

struct CalibratedQuantization {
    CalibratedMethod method = CalibratedMethod::Gptq;
    GptqOptions options;
    // Keyed by GGUF tensor name; rows in GGUF order (Q/K interleaved). For AWQ the weights are
    // already multiplied by the channel scales whose inverse went into `foldedNorms`.
    std::map<std::string, QuantizedLinear> linears;
    // AWQ only: RMSNorm gains (GGUF name -> values) with the inverse scales folded in.
    std::map<std::string, std::vector<float>> foldedNorms;
    std::vector<LinearQuantReport> reports;
    std::int64_t calibrationTokens = 0;
};

// Quantizes every linear of the blocks (q, k, v, o, gate, up, down) block by block: the
// inputs of block L are captured by a forward pass over the calibration samples with blocks
// 0..L-1 already replaced by their quantized weights, and accumulated into one Hessian per
// shared input (q/k/v, o, gate/up, down) without storing activations.
// Memory: the Hessians of one block (3 * dim^2 + hidden^2 doubles), one matrix at a time in
// f32, the results (1 byte per weight) and f32 copies of the already-quantized matrices that
// are fed forward (model-sized: a known limit of this first version).
// Progress: "layer 3/4, ffn_down" in units of linears.
Result<CalibratedQuantization> quantizeCalibrated(const Model& model,
                                                  std::span<const std::int32_t> tokens,
                                                  std::int32_t bos, CalibratedMethod method,
                                                  const GptqOptions& options,
                                                  const CalibrationOptions& calibration,
                                                  CancelToken& cancel, ProgressSink& progress);

// One linear of a block as the calibration pass hands it over: its GGUF name, f32 weights
// (rows x cols, GGUF row order) and the Hessian of its input on the calibration samples (with
// the earlier layers already replaced). Returns the weights to feed forward: the dequantized
// result, or `w` itself for a linear left as it is.
using LinearQuantizer =
    std::function<Result<std::vector<float>>(const std::string& name, const std::vector<float>& w,
                                             int rows, int cols, const std::vector<double>& h)>;

// The calibration pass of quantizeCalibrated with the quantizer left to the caller: block by
// block, the inputs of block L are captured with blocks 0..L-1 already carrying what
// `quantize` returned for them, one Hessian per shared input (one block's at a time), and
// `quantize` is called for each linear of block L in AutoGPTQ's order. Returns the number of
// calibration tokens. Progress: "layer 3/4, ffn_down" in units of linears.
Result<std::int64_t> calibrateLinears(const Model& model, std::span<const std::int32_t> tokens,
                                      std::int32_t bos, const CalibrationOptions& calibration,
                                      CancelToken& cancel, ProgressSink& progress,
                                      const LinearQuantizer& quantize);

} // namespace qs::core
