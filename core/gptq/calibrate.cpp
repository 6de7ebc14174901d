#include "core/gptq/calibrate.h"

#include "core/eval/llama_context.h"
#include "core/eval/llama_weights.h"
#include "core/gptq/awq.h"
#include "core/jobs/threads.h"
#include "core/model/model.h"
#include "core/quant/format_registry.h"

#include <algorithm>
#include <array>
#include <memory>

namespace qs::core {

namespace {

// The four inputs of a Llama block and the linears reading each.
enum InputGroup { Qkv = 0, Out = 1, GateUp = 2, Down = 3 };

struct LinearSpec {
    const char* suffix; // GGUF name after "blk.N."
    WeightMatrix LlamaLayerWeights::*matrix;
    InputGroup input;
};

// Quantization order inside a block (AutoGPTQ's inside_layer_modules order).
constexpr std::array<LinearSpec, 7> kLinears = {{
    {"attn_k", &LlamaLayerWeights::wk, Qkv},
    {"attn_v", &LlamaLayerWeights::wv, Qkv},
    {"attn_q", &LlamaLayerWeights::wq, Qkv},
    {"attn_output", &LlamaLayerWeights::wo, Out},
    {"ffn_up", &LlamaLayerWeights::up, GateUp},
    {"ffn_gate", &LlamaLayerWeights::gate, GateUp},
    {"ffn_down", &LlamaLayerWeights::down, Down},
}};

// Accumulates the Hessians of one block's four inputs.
class BlockCapture final : public LlamaActivationObserver {
public:
    BlockCapture(int layer, int dim, int qDim, int hidden)
        : m_layer(layer) {
        m_h[Qkv] = HessianAccumulator(dim);
        m_h[Out] = HessianAccumulator(qDim);
        m_h[GateUp] = HessianAccumulator(dim);
        m_h[Down] = HessianAccumulator(hidden);
        m_absMean[Qkv].assign(static_cast<std::size_t>(dim), 0.0);
        m_absMean[Out].assign(static_cast<std::size_t>(qDim), 0.0);
        m_absMean[GateUp].assign(static_cast<std::size_t>(dim), 0.0);
        m_absMean[Down].assign(static_cast<std::size_t>(hidden), 0.0);
    }
    void linearInput(int layer, LlamaLinear linear, const float* x, std::int64_t tokens,
                     std::int64_t columns) override {
        if (layer != m_layer) {
            return;
        }
        int g = -1;
        switch (linear) {
        case LlamaLinear::AttnQ:
            g = Qkv;
            break;
        case LlamaLinear::AttnOutput:
            g = Out;
            break;
        case LlamaLinear::FfnGate:
            g = GateUp;
            break;
        case LlamaLinear::FfnDown:
            g = Down;
            break;
        default:
            return; // k, v, up share an input already seen
        }
        if (columns != m_h[g].columns()) {
            return;
        }
        m_h[g].add(x, tokens);
        auto& m = m_absMean[g];
        for (std::int64_t t = 0; t < tokens; ++t) {
            for (std::int64_t c = 0; c < columns; ++c) {
                m[static_cast<std::size_t>(c)] += std::abs(x[t * columns + c]);
            }
        }
    }
    std::vector<double> hessian(int g) const { return m_h[g].hessian(); }
    std::vector<double> absMean(int g) const {
        auto m = m_absMean[g];
        const double n = static_cast<double>(std::max<std::int64_t>(1, m_h[g].samples()));
        for (auto& v : m) {
            v /= n;
        }
        return m;
    }

private:
    int m_layer;
    std::array<HessianAccumulator, 4> m_h;
    std::array<std::vector<double>, 4> m_absMean;
};

Result<std::vector<float>> readMatrixF32(const Model& model, const std::string& name) {
    const TensorInfo* t = model.findTensor(name);
    if (!t) {
        return makeError(ErrorCode::Format, model.path() + ": tensor " + name + " is missing");
    }
    std::vector<std::byte> raw(t->byteSize);
    if (auto s = model.readTensorData(*t, raw); !s) {
        return s.error();
    }
    std::vector<float> out(t->elementCount());
    if (auto s =
            dequantizeRow(t->type, raw.data(), out.data(), static_cast<std::int64_t>(out.size()));
        !s) {
        return s.error();
    }
    return out;
}

// What every calibration pass needs: the mutable weights (linears are replaced as they are
// quantized), the sample length and the samples' starts in the token stream.
struct CalibrationRun {
    std::shared_ptr<LlamaWeights> weights;
    int seqlen = 0;
    std::vector<std::int64_t> starts;
};

Result<CalibrationRun> prepareCalibration(const Model& model, std::span<const std::int32_t> tokens,
                                          const CalibrationOptions& calibration) {
    auto weightsResult = LlamaWeights::fromModelMutable(model);
    if (!weightsResult) {
        return weightsResult.error();
    }
    std::shared_ptr<LlamaWeights> weights = *weightsResult;
    const LlamaConfig& cfg = weights->config();
    if (cfg.experts > 0) {
        return makeError(ErrorCode::Unsupported,
                         model.path() + ": GPTQ/AWQ of mixture-of-experts models (\"" +
                             cfg.architecture + "\", " + std::to_string(cfg.experts) +
                             " experts) is not supported yet");
    }
    if (cfg.fusedQkv || cfg.fusedGateUp) {
        // The checkpoint would need qkv_proj / gate_up_proj modules; each slice is calibrated
        // alike, but the writer names them one by one.
        return makeError(ErrorCode::Unsupported,
                         model.path() + ": GPTQ/AWQ of \"" + cfg.architecture +
                             "\" (fused attn_qkv and gate+up ffn_up) is not supported yet");
    }
    const int seqlen = std::min(calibration.seqlen,
                                cfg.trainedContext > 0 ? cfg.trainedContext : calibration.seqlen);
    if (seqlen < 2 || calibration.nsamples < 1) {
        return makeError(ErrorCode::InvalidArgument,
                         "calibration needs nsamples >= 1 and seqlen >= 2");
    }
    const std::int64_t textPerSample = seqlen - 1; // BOS first
    if (static_cast<std::int64_t>(tokens.size()) < textPerSample) {
        return makeError(ErrorCode::InvalidArgument,
                         "the calibration text has " + std::to_string(tokens.size()) +
                             " tokens, fewer than one sample of " + std::to_string(seqlen));
    }
    // Evenly spaced segments (deterministic; overlapping when the text is short).
    const int nsamples = calibration.nsamples;
    std::vector<std::int64_t> starts(static_cast<std::size_t>(nsamples));
    const std::int64_t span = static_cast<std::int64_t>(tokens.size()) - textPerSample;
    for (int s = 0; s < nsamples; ++s) {
        starts[s] = nsamples == 1 ? 0 : span * s / (nsamples - 1);
    }
    return CalibrationRun{weights, seqlen, std::move(starts)};
}

// Runs every sample through blocks 0..layer with `capture` watching block `layer`'s inputs.
Status captureBlock(LlamaContext& context, BlockCapture& capture, int layer,
                    const CalibrationRun& run, std::span<const std::int32_t> tokens,
                    std::int32_t bos, CancelToken& cancel) {
    const std::int64_t textPerSample = run.seqlen - 1; // BOS first
    std::vector<std::int32_t> sample(static_cast<std::size_t>(run.seqlen));
    std::vector<float> logits;
    context.setActivationObserver(&capture);
    context.setBlockLimit(layer + 1);
    for (const std::int64_t start : run.starts) {
        if (cancel.isCancelled()) {
            context.setActivationObserver(nullptr);
            return makeError(ErrorCode::Cancelled, "calibrated quantization cancelled");
        }
        sample[0] = bos;
        std::copy_n(tokens.begin() + start, textPerSample, sample.begin() + 1);
        context.clear();
        if (auto st = context.evaluate(sample, run.seqlen, logits); !st) {
            context.setActivationObserver(nullptr);
            return st;
        }
    }
    context.setActivationObserver(nullptr);
    return {};
}

} // namespace

Result<CalibratedQuantization> quantizeCalibrated(const Model& model,
                                                  std::span<const std::int32_t> tokens,
                                                  std::int32_t bos, CalibratedMethod method,
                                                  const GptqOptions& options,
                                                  const CalibrationOptions& calibration,
                                                  CancelToken& cancel, ProgressSink& progress) {
    auto run = prepareCalibration(model, tokens, calibration);
    if (!run) {
        return run.error();
    }
    std::shared_ptr<LlamaWeights> weights = run->weights;
    const LlamaConfig& cfg = weights->config();
    const int seqlen = run->seqlen;
    const int nsamples = calibration.nsamples;
    for (const auto& spec : kLinears) {
        const TensorInfo* t = model.findTensor(std::string("blk.0.") + spec.suffix + ".weight");
        if (t) {
            if (auto s = validateGptqOptions(options, static_cast<int>(t->dims[0])); !s) {
                return makeError(ErrorCode::InvalidArgument,
                                 std::string(spec.suffix) + ": " + s.error().message);
            }
        }
    }

    CalibratedQuantization result;
    result.method = method;
    result.options = options;
    result.calibrationTokens = static_cast<std::int64_t>(nsamples) * seqlen;
    const int qDim = cfg.heads * cfg.headDim;
    const std::uint64_t totalLinears = static_cast<std::uint64_t>(cfg.layers) * kLinears.size();
    std::uint64_t done = 0;
    LlamaContext context(weights, seqlen, effectiveThreads(calibration.threads));
    context.setLlamaCppNumerics(false);
    for (int layer = 0; layer < cfg.layers; ++layer) {
        const std::string prefix = "blk." + std::to_string(layer) + ".";
        const std::string where =
            "layer " + std::to_string(layer + 1) + "/" + std::to_string(cfg.layers);
        progress.progress(done, totalLinears, "linears", where + ", calibration forward");
        BlockCapture capture(layer, cfg.dim, qDim, cfg.hidden);
        if (auto st = captureBlock(context, capture, layer, *run, tokens, bos, cancel); !st) {
            return st.error();
        }
        std::array<std::vector<double>, 4> hessians;
        for (int g = 0; g < 4; ++g) {
            hessians[g] = capture.hessian(g);
        }
        std::map<std::string, std::vector<float>> originals;
        for (const auto& spec : kLinears) {
            const std::string name = prefix + spec.suffix + ".weight";
            auto w = readMatrixF32(model, name);
            if (!w) {
                return w.error();
            }
            originals[spec.suffix] = std::move(*w);
        }
        AwqLayerScales awqScales;
        if (method == CalibratedMethod::Awq) {
            std::array<std::vector<double>, 4> means;
            for (int g = 0; g < 4; ++g) {
                means[g] = capture.absMean(g);
            }
            auto scaled =
                awqSearchLayer(originals, hessians, means, weights->layers()[layer], cfg, options);
            if (!scaled) {
                return scaled.error();
            }
            awqScales = std::move(*scaled);
            result.foldedNorms[prefix + "attn_norm.weight"] = awqScales.attnNorm;
            result.foldedNorms[prefix + "ffn_norm.weight"] = awqScales.ffnNorm;
            if (auto st =
                    weights->overrideNorm(layer, &LlamaLayerWeights::attnNorm, awqScales.attnNorm);
                !st) {
                return st.error();
            }
            if (auto st =
                    weights->overrideNorm(layer, &LlamaLayerWeights::ffnNorm, awqScales.ffnNorm);
                !st) {
                return st.error();
            }
        }
        for (const auto& spec : kLinears) {
            if (cancel.isCancelled()) {
                return makeError(ErrorCode::Cancelled, "calibrated quantization cancelled");
            }
            const std::string name = prefix + spec.suffix + ".weight";
            progress.progress(done, totalLinears, "linears", where + ", " + spec.suffix);
            const WeightMatrix& wm = weights->layers()[layer].*spec.matrix;
            const int rows = static_cast<int>(wm.nRows);
            const int cols = static_cast<int>(wm.nCols);
            const std::vector<float>& w = originals[spec.suffix];
            const std::vector<double>& h = hessians[spec.input];
            auto rtn = rtnQuantize(w, rows, cols, options);
            if (!rtn) {
                return rtn.error();
            }
            LinearQuantReport report;
            report.name = name;
            // ||W X||^2 once; each error below is relative to it.
            const double reference =
                std::max(1e-30, outputError(w, std::vector<float>(w.size(), 0.0f), rows, cols, h));
            report.rtnError = outputError(w, rtn->dequantize(), rows, cols, h) / reference;
            QuantizedLinear chosen;
            std::vector<float> fedForward;
            if (method == CalibratedMethod::Gptq) {
                auto q = gptqQuantize(w, rows, cols, h, options);
                if (!q) {
                    return makeError(q.error().code, name + ": " + q.error().message);
                }
                chosen = std::move(*q);
                fedForward = chosen.dequantize();
            } else if (method == CalibratedMethod::Awq) {
                auto q = awqQuantizeLinear(w, rows, cols, h, awqScales, spec.suffix, options);
                if (!q) {
                    return makeError(q.error().code, name + ": " + q.error().message);
                }
                chosen = std::move(q->quantized);
                fedForward = std::move(q->effective);
            } else {
                chosen = std::move(*rtn);
                fedForward = chosen.dequantize();
            }
            report.error = outputError(w, fedForward, rows, cols, h) / reference;
            if (method == CalibratedMethod::Awq) {
                // The stored matrix acts on scaled inputs; what is fed forward is that matrix
                // (the norm carries the inverse scale).
                fedForward = chosen.dequantize();
            }
            result.reports.push_back(report);
            if (auto st = weights->overrideMatrix(layer, spec.matrix, std::move(fedForward)); !st) {
                return st.error();
            }
            result.linears.emplace(name, std::move(chosen));
            ++done;
        }
    }
    progress.progress(done, totalLinears, "linears", "done");
    return result;
}

Result<std::int64_t> calibrateLinears(const Model& model, std::span<const std::int32_t> tokens,
                                      std::int32_t bos, const CalibrationOptions& calibration,
                                      CancelToken& cancel, ProgressSink& progress,
                                      const LinearQuantizer& quantize) {
    auto run = prepareCalibration(model, tokens, calibration);
    if (!run) {
        return run.error();
    }
    std::shared_ptr<LlamaWeights> weights = run->weights;
    const LlamaConfig& cfg = weights->config();
    const int qDim = cfg.heads * cfg.headDim;
    const std::uint64_t totalLinears = static_cast<std::uint64_t>(cfg.layers) * kLinears.size();
    std::uint64_t done = 0;
    LlamaContext context(weights, run->seqlen, effectiveThreads(calibration.threads));
    context.setLlamaCppNumerics(false);
    for (int layer = 0; layer < cfg.layers; ++layer) {
        const std::string prefix = "blk." + std::to_string(layer) + ".";
        const std::string where =
            "layer " + std::to_string(layer + 1) + "/" + std::to_string(cfg.layers);
        progress.progress(done, totalLinears, "linears", where + ", calibration forward");
        std::array<std::vector<double>, 4> hessians;
        {
            // The capture's sums go out of scope before the next block's are made.
            BlockCapture capture(layer, cfg.dim, qDim, cfg.hidden);
            if (auto st = captureBlock(context, capture, layer, *run, tokens, bos, cancel); !st) {
                return st.error();
            }
            for (int g = 0; g < 4; ++g) {
                hessians[g] = capture.hessian(g);
            }
        }
        for (const auto& spec : kLinears) {
            if (cancel.isCancelled()) {
                return makeError(ErrorCode::Cancelled, "calibrated quantization cancelled");
            }
            const std::string name = prefix + spec.suffix + ".weight";
            progress.progress(done, totalLinears, "linears", where + ", " + spec.suffix);
            const WeightMatrix& wm = weights->layers()[layer].*spec.matrix;
            auto w = readMatrixF32(model, name);
            if (!w) {
                return w.error();
            }
            auto fed = quantize(name, *w, static_cast<int>(wm.nRows), static_cast<int>(wm.nCols),
                                hessians[spec.input]);
            if (!fed) {
                return makeError(fed.error().code, name + ": " + fed.error().message);
            }
            if (auto st = weights->overrideMatrix(layer, spec.matrix, std::move(*fed)); !st) {
                return st.error();
            }
            ++done;
        }
    }
    progress.progress(done, totalLinears, "linears", "done");
    return static_cast<std::int64_t>(calibration.nsamples) * run->seqlen;
}

} // namespace qs::core
