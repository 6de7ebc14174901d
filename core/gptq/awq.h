#pragma once

#include "core/error.h"
#include "core/gptq/gptq.h"

#include <array>
#include <map>
#include <string>
#include <vector>

namespace qs::core {

struct LlamaConfig;
struct LlamaLayerWeights;

// AWQ's per-input-channel scales for one Llama block (formats.md 6.1). The stored linears are
// W * diag(s) acting on inputs divided by s: 1/s is folded into the RMSNorm before q/k/v and
// before gate/up, and 1/s_down into the rows of up (whose output feeds down). attn_output
// keeps s = 1 (its input comes from v through attention; with grouped KV heads the scales
// would have to be shared across heads, not done here). A mixture of experts keeps s = 1 for
// the FFN input (awqSearchExpert).
struct AwqLayerScales {
    std::vector<float> qkv, gateUp, down; // per input channel
    std::vector<float> attnNorm, ffnNorm; // gains with 1/s folded in
    float alphaQkv = 0, alphaGateUp = 0, alphaDown = 0;
};

// Grid search alpha in 0, 0.05, ..., 0.95 with s = mean|x|^alpha (normalised by
// sqrt(max * min)), minimising the summed output error of the linears reading that input,
// measured with the input's Hessian (exact squared error on the calibration tokens).
// `originals`: f32 matrices by GGUF suffix ("attn_q", ...); hessians/means by input group
// (q/k/v, o, gate/up, down).
Result<AwqLayerScales> awqSearchLayer(const std::map<std::string, std::vector<float>>& originals,
                                      const std::array<std::vector<double>, 4>& hessians,
                                      const std::array<std::vector<double>, 4>& absMeans,
                                      const LlamaLayerWeights& layer, const LlamaConfig& config,
                                      const GptqOptions& options);

// One expert of a mixture of experts ("ffn_gate", "ffn_up", "ffn_down" in `originals`, f32
// rows x cols): its down's input scales, searched as a dense block's, whose inverse goes into
// this expert's own up rows. Its gate/up input is the FFN norm's output, shared by the router
// and every expert, so no per-expert scale can be folded there: s = 1 for gate and up, which
// keep the clipping search of awqQuantizeLinear.
Result<AwqLayerScales> awqSearchExpert(const std::map<std::string, std::vector<float>>& originals,
                                       const std::vector<double>& downHessian,
                                       const std::vector<double>& downAbsMean, int dim,
                                       int expertHidden, const GptqOptions& options);

struct AwqLinear {
    QuantizedLinear quantized;    // of the stored (scaled) matrix
    std::vector<float> effective; // what it computes on the original inputs, rows x cols
};

// Scales linear `suffix` with the layer's AWQ scales, quantizes it with the clipping search
// (for every linear, q/k included, unlike AutoAWQ) and returns also its effective
// original-space weights.
Result<AwqLinear> awqQuantizeLinear(const std::vector<float>& w, int rows, int cols,
                                    const std::vector<double>& h, const AwqLayerScales& scales,
                                    const std::string& suffix, const GptqOptions& options);

} // namespace qs::core
