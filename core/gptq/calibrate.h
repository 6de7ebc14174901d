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
    // Mixture of experts: an expert that the router sent fewer calibration tokens than this is
    // quantized with round-to-nearest and named (log, reports, the checkpoint's notes). With a
    // few tokens its Hessian is mostly damping, and GPTQ/AWQ would fit those tokens only.
    int minExpertTokens = 128;
};

// Per linear: relative output error ||WX - QX||^2 / ||WX||^2 on the calibration inputs (the
// inputs seen with the earlier layers already quantized) of the chosen method and of
// round-to-nearest in the same layout.
struct LinearQuantReport {
    std::string name; // GGUF name, "blk.3.ffn_down.weight"; an expert's: expertLinearKey()
    double error = 0.0;
    double rtnError = 0.0;
    int expert = -1;          // the expert of a stacked expert tensor; -1 for other linears
    std::int64_t tokens = 0;  // calibration tokens that reached the linear (routed, for experts)
    bool rtnFallback = false; // an expert under minExpertTokens: quantized with RTN
};

// The key of expert `expert` of a stacked expert tensor ("blk.3.ffn_up_exps.weight") in
// CalibratedQuantization::linears and reports: "blk.3.ffn_up_exps.weight#5".
std::string expertLinearKey(const std::string& stackedName, int expert);

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
    int minExpertTokens = 0; // CalibrationOptions::minExpertTokens, for the checkpoint's notes
    // The router (ffn_gate_inp) of a mixture of experts is never quantized: it stays as it is.
};

// Quantizes every linear of the blocks (q, k, v, o, gate, up, down) block by block: each
// sample's input of block L (the output of blocks 0..L-1 already carrying their quantized
// weights, kept from the previous block) is run through block L once to accumulate one Hessian
// per shared input (q/k/v, o, gate/up, down), and once more after L is quantized to give
// block L+1's inputs. A mixture of experts (Mixtral, Qwen3-MoE): each expert's gate/up/down
// are calibrated on the tokens routed to it (one Hessian per expert and input); an expert
// under minExpertTokens gets RTN; the router is left as it is.
// Memory: the samples' hidden states (nsamples * seqlen * dim floats), one block's Hessians
// (upper triangles: q/k/v, o, gate/up, down; per expert and input for a mixture of experts,
// for the experts that received tokens), one block's quantized copies in f32 (let go when the
// block is done), and the results (1 byte per weight plus scales).
// Progress: "layer 3/4, ffn_down" in units of linears.
Result<CalibratedQuantization> quantizeCalibrated(const Model& model,
                                                  std::span<const std::int32_t> tokens,
                                                  std::int32_t bos, CalibratedMethod method,
                                                  const GptqOptions& options,
                                                  const CalibrationOptions& calibration,
                                                  CancelToken& cancel, ProgressSink& progress);

// Which linear the calibration pass hands over.
struct CalibrationTarget {
    std::string
        tensor; // GGUF tensor name; an expert's: its stacked tensor, "blk.3.ffn_up_exps.weight"
    int expert = -1;         // the expert of a stacked expert tensor; -1 for other linears
    std::int64_t tokens = 0; // calibration tokens that reached the linear (routed, for experts)
    // An expert under CalibrationOptions::minExpertTokens: its Hessian is mostly damping and a
    // calibrated rounding would fit those few tokens only.
    bool starved = false;
};

// One linear of a block as the calibration pass hands it over: which one, its f32 weights
// (rows x cols, GGUF row order; an expert's own matrix) and the Hessian of its input on the
// calibration samples (with the earlier layers already replaced; for an expert, on the tokens
// routed to it). Returns the weights to feed forward: the dequantized result, or `w` itself
// for a linear left as it is.
using LinearQuantizer = std::function<Result<std::vector<float>>(
    const CalibrationTarget& target, const std::vector<float>& w, int rows, int cols,
    const std::vector<double>& h)>;

// The calibration pass of quantizeCalibrated with the quantizer left to the caller: block by
// block, the inputs of block L are captured with blocks 0..L-1 already carrying what
// `quantize` returned for them, one Hessian per shared input (one block's at a time), and
// `quantize` is called for each linear of block L in AutoGPTQ's order. A mixture of experts:
// then each expert's up, gate and down, expert by expert, with the Hessians of the tokens
// routed to it (the router is left as it is). Returns the number of calibration tokens.
// Progress: "layer 3/4, ffn_down" (", expert 5") in units of linears.
Result<std::int64_t> calibrateLinears(const Model& model, std::span<const std::int32_t> tokens,
                                      std::int32_t bos, const CalibrationOptions& calibration,
                                      CancelToken& cancel, ProgressSink& progress,
                                      const LinearQuantizer& quantize);

} // namespace qs::core
