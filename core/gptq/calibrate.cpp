#include "core/gptq/calibrate.h"

#include "core/eval/llama_context.h"
#include "core/eval/llama_weights.h"
#include "core/gptq/awq.h"
#include "core/jobs/threads.h"
#include "core/logging.h"
#include "core/model/model.h"
#include "core/quant/format_registry.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <spdlog/spdlog.h>

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

// The linears of each expert in quantization order (AutoGPTQ's: up, gate, down).
struct ExpertSpec {
    const char* suffix; // the dense name AWQ's scales are looked up by
    const char* tensor; // the stacked tensor after "blk.N."
    std::vector<WeightMatrix> LlamaLayerWeights::*list;
    int input; // BlockCapture's expert input: 0 gate/up, 1 down
};
constexpr std::array<ExpertSpec, 3> kExpertLinears = {{
    {"ffn_up", "ffn_up_exps.weight", &LlamaLayerWeights::upExps, 0},
    {"ffn_gate", "ffn_gate_exps.weight", &LlamaLayerWeights::gateExps, 0},
    {"ffn_down", "ffn_down_exps.weight", &LlamaLayerWeights::downExps, 1},
}};

// Accumulates the Hessians of one block's four inputs, and of a mixture of experts' two expert
// inputs (gate/up, down) per expert, created when the expert first receives tokens.
class BlockCapture final : public LlamaActivationObserver {
public:
    BlockCapture(int layer, int dim, int qDim, int hidden, int experts = 0, int expertHidden = 0)
        : m_layer(layer)
        , m_expertColumns{dim, expertHidden} {
        for (auto& list : m_experts) {
            list.resize(static_cast<std::size_t>(experts));
        }
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
        m_h[g].add(x, tokens, m_scratch);
        auto& m = m_absMean[g];
        for (std::int64_t t = 0; t < tokens; ++t) {
            for (std::int64_t c = 0; c < columns; ++c) {
                m[static_cast<std::size_t>(c)] += std::abs(x[t * columns + c]);
            }
        }
    }
    void expertInput(int layer, LlamaLinear linear, int expert, int /*experts*/, const float* x,
                     std::int64_t tokens, std::int64_t columns) override {
        // Up reads the same rows as gate.
        const int g = linear == LlamaLinear::FfnGateExps   ? 0
                      : linear == LlamaLinear::FfnDownExps ? 1
                                                           : -1;
        if (layer != m_layer || g < 0 || expert < 0 ||
            expert >= static_cast<int>(m_experts[g].size()) || columns != m_expertColumns[g]) {
            return;
        }
        auto& slot = m_experts[g][static_cast<std::size_t>(expert)];
        if (!slot) {
            slot = std::make_unique<ExpertInput>();
            slot->h = HessianAccumulator(m_expertColumns[g]);
            slot->absMean.assign(static_cast<std::size_t>(columns), 0.0);
        }
        slot->h.add(x, tokens, m_scratch);
        for (std::int64_t t = 0; t < tokens; ++t) {
            for (std::int64_t c = 0; c < columns; ++c) {
                slot->absMean[static_cast<std::size_t>(c)] += std::abs(x[t * columns + c]);
            }
        }
    }
    std::vector<double> hessian(int g) const { return m_h[g].hessian(); }
    // Tokens routed to `expert`, and the Hessian / mean |x| of its input g (0: gate/up,
    // 1: down); zeros for an expert that received none.
    std::int64_t expertTokens(int expert) const {
        const auto& slot = m_experts[0][static_cast<std::size_t>(expert)];
        return slot ? slot->h.samples() : 0;
    }
    std::vector<double> expertHessian(int g, int expert) const {
        const auto& slot = m_experts[g][static_cast<std::size_t>(expert)];
        const auto n = static_cast<std::size_t>(m_expertColumns[g]);
        return slot ? slot->h.hessian() : std::vector<double>(n * n, 0.0);
    }
    std::vector<double> expertAbsMean(int g, int expert) const {
        const auto& slot = m_experts[g][static_cast<std::size_t>(expert)];
        if (!slot) {
            return std::vector<double>(static_cast<std::size_t>(m_expertColumns[g]), 0.0);
        }
        auto m = slot->absMean;
        const double n = static_cast<double>(std::max<std::int64_t>(1, slot->h.samples()));
        for (auto& v : m) {
            v /= n;
        }
        return m;
    }
    std::vector<double> absMean(int g) const {
        auto m = m_absMean[g];
        const double n = static_cast<double>(std::max<std::int64_t>(1, m_h[g].samples()));
        for (auto& v : m) {
            v /= n;
        }
        return m;
    }

private:
    struct ExpertInput {
        HessianAccumulator h;
        std::vector<double> absMean;
    };
    int m_layer;
    std::array<HessianAccumulator, 4> m_h;
    std::array<std::vector<double>, 4> m_absMean;
    std::array<int, 2> m_expertColumns;
    std::array<std::vector<std::unique_ptr<ExpertInput>>, 2> m_experts;
    std::vector<float> m_scratch; // HessianAccumulator::add's, shared by all of the above
};

// Expert `expert`'s matrix of stacked expert tensor `name`, as f32 (rows x cols).
Result<std::vector<float>> readExpertF32(const Model& model, const std::string& name, int expert) {
    const TensorInfo* t = model.findTensor(name);
    if (!t || t->dims.size() != 3 || static_cast<std::uint64_t>(expert) >= t->dims[2]) {
        return makeError(ErrorCode::Format, model.path() + ": tensor " + name + " has no expert " +
                                                std::to_string(expert));
    }
    const std::uint64_t rows = t->dims[1];
    std::vector<std::byte> raw(t->byteSize / t->dims[2]);
    if (auto s = model.readGgmlRows(*t, rows * static_cast<std::uint64_t>(expert), rows, raw); !s) {
        return s.error();
    }
    std::vector<float> out(rows * t->dims[0]);
    if (auto s =
            dequantizeRow(t->type, raw.data(), out.data(), static_cast<std::int64_t>(out.size()));
        !s) {
        return s.error();
    }
    return out;
}

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
// quantized), the samples (BOS first) and, per sample, the input of the next block to
// calibrate. Keeping those hidden states (nsamples x seqlen x dim floats) lets each block run
// twice in all (capture, then its quantized output) instead of blocks 0..L again for block L,
// and lets each block's quantized copies go once the next block's inputs are computed.
struct CalibrationRun {
    std::shared_ptr<LlamaWeights> weights;
    int seqlen = 0;
    std::vector<std::vector<std::int32_t>> samples;
    std::vector<std::vector<float>> hidden;
};

Result<CalibrationRun> prepareCalibration(const Model& model, std::span<const std::int32_t> tokens,
                                          std::int32_t bos, const CalibrationOptions& calibration) {
    auto weightsResult = LlamaWeights::fromModelMutable(model);
    if (!weightsResult) {
        return weightsResult.error();
    }
    std::shared_ptr<LlamaWeights> weights = *weightsResult;
    const LlamaConfig& cfg = weights->config();
    if (cfg.experts > 0 && calibration.minExpertTokens < 0) {
        return makeError(ErrorCode::InvalidArgument,
                         "the minimum of tokens per expert is " +
                             std::to_string(calibration.minExpertTokens) +
                             "; it must be 0 or more");
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
    CalibrationRun run{weights, seqlen, {}, {}};
    for (const std::int64_t start : starts) {
        std::vector<std::int32_t> sample(static_cast<std::size_t>(seqlen));
        sample[0] = bos;
        std::copy_n(tokens.begin() + start, textPerSample, sample.begin() + 1);
        run.samples.push_back(std::move(sample));
    }
    return run;
}

// The samples' embedding rows: the inputs of block 0.
Status embedSamples(LlamaContext& context, CalibrationRun& run) {
    run.hidden.resize(run.samples.size());
    for (std::size_t s = 0; s < run.samples.size(); ++s) {
        if (auto st = context.embed(run.samples[s], run.hidden[s]); !st) {
            return st;
        }
    }
    return {};
}

// Runs every sample's input of block `layer` through it with `capture` watching its linears'
// inputs; the hidden states are left as they are.
Status captureBlock(LlamaContext& context, BlockCapture& capture, int layer,
                    const CalibrationRun& run, CancelToken& cancel) {
    std::vector<float> hidden;
    context.setActivationObserver(&capture);
    for (std::size_t s = 0; s < run.samples.size(); ++s) {
        if (cancel.isCancelled()) {
            context.setActivationObserver(nullptr);
            return makeError(ErrorCode::Cancelled, "calibrated quantization cancelled");
        }
        hidden = run.hidden[s];
        context.clear();
        if (auto st = context.evaluateBlock(layer, run.samples[s], hidden); !st) {
            context.setActivationObserver(nullptr);
            return st;
        }
    }
    context.setActivationObserver(nullptr);
    return {};
}

// Once block `layer` carries its quantized weights: its outputs become the samples' inputs of
// the next block, and its quantized copies are let go.
Status advanceBlock(LlamaContext& context, LlamaWeights& weights, int layer, CalibrationRun& run,
                    CancelToken& cancel) {
    for (std::size_t s = 0; s < run.samples.size(); ++s) {
        if (cancel.isCancelled()) {
            return makeError(ErrorCode::Cancelled, "calibrated quantization cancelled");
        }
        context.clear();
        if (auto st = context.evaluateBlock(layer, run.samples[s], run.hidden[s]); !st) {
            return st;
        }
    }
    weights.restoreLayer(layer);
    return {};
}

} // namespace

std::string expertLinearKey(const std::string& stackedName, int expert) {
    return stackedName + "#" + std::to_string(expert);
}

namespace {

struct QuantizedOne {
    QuantizedLinear chosen;
    std::vector<float> fedForward; // what the next blocks see
    LinearQuantReport report;
};

// One linear with the chosen method (RTN for a starved expert), its error and RTN's measured
// against `h`, relative to ||W X||^2.
Result<QuantizedOne> quantizeOne(const std::string& name, const std::vector<float>& w, int rows,
                                 int cols, const std::vector<double>& h, CalibratedMethod method,
                                 const AwqLayerScales& awqScales, const char* suffix,
                                 const GptqOptions& options) {
    auto rtn = rtnQuantize(w, rows, cols, options);
    if (!rtn) {
        return rtn.error();
    }
    QuantizedOne out;
    out.report.name = name;
    const double reference =
        std::max(1e-30, outputError(w, std::vector<float>(w.size(), 0.0f), rows, cols, h));
    out.report.rtnError = outputError(w, rtn->dequantize(), rows, cols, h) / reference;
    if (method == CalibratedMethod::Gptq) {
        auto q = gptqQuantize(w, rows, cols, h, options);
        if (!q) {
            return makeError(q.error().code, name + ": " + q.error().message);
        }
        out.chosen = std::move(*q);
        out.fedForward = out.chosen.dequantize();
    } else if (method == CalibratedMethod::Awq) {
        auto q = awqQuantizeLinear(w, rows, cols, h, awqScales, suffix, options);
        if (!q) {
            return makeError(q.error().code, name + ": " + q.error().message);
        }
        out.chosen = std::move(q->quantized);
        out.fedForward = std::move(q->effective);
    } else {
        out.chosen = std::move(*rtn);
        out.fedForward = out.chosen.dequantize();
    }
    // RTN's error is the one just measured (a second pass over H costs as much as the first).
    out.report.error = method == CalibratedMethod::Rtn
                           ? out.report.rtnError
                           : outputError(w, out.fedForward, rows, cols, h) / reference;
    if (method == CalibratedMethod::Awq) {
        // The stored matrix acts on scaled inputs; what is fed forward is that matrix (the norm,
        // or for an expert's down its up rows, carries the inverse scale).
        out.fedForward = out.chosen.dequantize();
    }
    return out;
}

// The experts of block `layer`: each expert's linears on the tokens routed to it, in
// AutoGPTQ's order (up, gate, down); an expert under minExpertTokens with RTN.
Status quantizeExperts(const Model& model, LlamaWeights& weights, const BlockCapture& capture,
                       int layer, CalibratedMethod method, const GptqOptions& options,
                       const CalibrationOptions& calibration, CalibratedQuantization& result,
                       std::uint64_t& done, std::uint64_t total, CancelToken& cancel,
                       ProgressSink& progress) {
    const LlamaConfig& cfg = weights.config();
    const std::string prefix = "blk." + std::to_string(layer) + ".";
    for (int e = 0; e < cfg.experts; ++e) {
        if (cancel.isCancelled()) {
            return makeError(ErrorCode::Cancelled, "calibrated quantization cancelled");
        }
        progress.progress(done, total, "linears",
                          "layer " + std::to_string(layer + 1) + "/" + std::to_string(cfg.layers) +
                              ", expert " + std::to_string(e));
        const std::int64_t tokens = capture.expertTokens(e);
        const bool starved = tokens < calibration.minExpertTokens;
        std::map<std::string, std::vector<float>> originals;
        for (const ExpertSpec& spec : kExpertLinears) {
            auto w = readExpertF32(model, prefix + spec.tensor, e);
            if (!w) {
                return w.error();
            }
            originals[spec.suffix] = std::move(*w);
        }
        const std::array<std::vector<double>, 2> hessians = {capture.expertHessian(0, e),
                                                             capture.expertHessian(1, e)};
        AwqLayerScales awqScales;
        if (method == CalibratedMethod::Awq && !starved) {
            auto scaled = awqSearchExpert(originals, hessians[1], capture.expertAbsMean(1, e),
                                          cfg.dim, cfg.expertHidden, options);
            if (!scaled) {
                return scaled.error();
            }
            awqScales = std::move(*scaled);
        }
        if (starved) {
            coreLog().warn("layer {} expert {}: {} calibration tokens routed to it (minimum "
                           "{}); its linears are quantized with round-to-nearest",
                           layer, e, tokens, calibration.minExpertTokens);
        }
        for (const ExpertSpec& spec : kExpertLinears) {
            const std::vector<float>& w = originals[spec.suffix];
            const WeightMatrix& wm = (weights.layers()[static_cast<std::size_t>(layer)].*
                                      spec.list)[static_cast<std::size_t>(e)];
            const std::string key = expertLinearKey(prefix + spec.tensor, e);
            auto one = quantizeOne(key, w, static_cast<int>(wm.nRows), static_cast<int>(wm.nCols),
                                   hessians[static_cast<std::size_t>(spec.input)],
                                   starved ? CalibratedMethod::Rtn : method, awqScales, spec.suffix,
                                   options);
            if (!one) {
                return one.error();
            }
            one->report.expert = e;
            one->report.tokens = tokens;
            one->report.rtnFallback = starved && method != CalibratedMethod::Rtn;
            result.reports.push_back(one->report);
            if (auto st = weights.overrideExpert(layer, spec.list, e, std::move(one->fedForward));
                !st) {
                return st;
            }
            result.linears.emplace(key, std::move(one->chosen));
            ++done;
        }
    }
    return {};
}

} // namespace

Result<CalibratedQuantization> quantizeCalibrated(const Model& model,
                                                  std::span<const std::int32_t> tokens,
                                                  std::int32_t bos, CalibratedMethod method,
                                                  const GptqOptions& options,
                                                  const CalibrationOptions& calibration,
                                                  CancelToken& cancel, ProgressSink& progress) {
    auto run = prepareCalibration(model, tokens, bos, calibration);
    if (!run) {
        return run.error();
    }
    std::shared_ptr<LlamaWeights> weights = run->weights;
    const LlamaConfig& cfg = weights->config();
    const bool moe = cfg.experts > 0;
    const int seqlen = run->seqlen;
    const int nsamples = calibration.nsamples;
    for (const char* suffix :
         {"attn_q", "attn_output", "ffn_down", "ffn_gate_exps", "ffn_down_exps"}) {
        const TensorInfo* t = model.findTensor(std::string("blk.0.") + suffix + ".weight");
        if (t) {
            if (auto s = validateGptqOptions(options, static_cast<int>(t->dims[0])); !s) {
                return makeError(ErrorCode::InvalidArgument,
                                 std::string(suffix) + ": " + s.error().message);
            }
        }
    }

    CalibratedQuantization result;
    result.method = method;
    result.options = options;
    result.calibrationTokens = static_cast<std::int64_t>(nsamples) * seqlen;
    result.minExpertTokens = moe ? calibration.minExpertTokens : 0;
    const int qDim = cfg.heads * cfg.headDim;
    // The dense FFN's three linears, or three per expert.
    const std::uint64_t perLayer = 4 + 3 * static_cast<std::uint64_t>(moe ? cfg.experts : 1);
    const std::uint64_t totalLinears = static_cast<std::uint64_t>(cfg.layers) * perLayer;
    std::uint64_t done = 0;
    LlamaContext context(weights, seqlen, effectiveThreads(calibration.threads));
    context.setLlamaCppNumerics(false);
    if (auto st = embedSamples(context, *run); !st) {
        return st.error();
    }
    for (int layer = 0; layer < cfg.layers; ++layer) {
        const std::string prefix = "blk." + std::to_string(layer) + ".";
        const std::string where =
            "layer " + std::to_string(layer + 1) + "/" + std::to_string(cfg.layers);
        progress.progress(done, totalLinears, "linears", where + ", calibration forward");
        BlockCapture capture(layer, cfg.dim, qDim, moe ? 0 : cfg.hidden, moe ? cfg.experts : 0,
                             cfg.expertHidden);
        if (auto st = captureBlock(context, capture, layer, *run, cancel); !st) {
            return st.error();
        }
        std::array<std::vector<double>, 4> hessians;
        for (int g = 0; g < 4; ++g) {
            hessians[g] = capture.hessian(g);
        }
        // A mixture of experts has no dense FFN: its experts are quantized below.
        auto dense = [moe](const LinearSpec& spec) {
            return !moe || spec.input == Qkv || spec.input == Out;
        };
        std::map<std::string, std::vector<float>> originals;
        for (const auto& spec : kLinears) {
            if (!dense(spec)) {
                continue;
            }
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
            if (!dense(spec)) {
                continue;
            }
            if (cancel.isCancelled()) {
                return makeError(ErrorCode::Cancelled, "calibrated quantization cancelled");
            }
            const std::string name = prefix + spec.suffix + ".weight";
            progress.progress(done, totalLinears, "linears", where + ", " + spec.suffix);
            const WeightMatrix& wm = weights->layers()[layer].*spec.matrix;
            auto one = quantizeOne(name, originals[spec.suffix], static_cast<int>(wm.nRows),
                                   static_cast<int>(wm.nCols), hessians[spec.input], method,
                                   awqScales, spec.suffix, options);
            if (!one) {
                return one.error();
            }
            one->report.tokens = result.calibrationTokens;
            result.reports.push_back(one->report);
            if (auto st = weights->overrideMatrix(layer, spec.matrix, std::move(one->fedForward));
                !st) {
                return st.error();
            }
            result.linears.emplace(name, std::move(one->chosen));
            ++done;
        }
        if (moe) {
            if (auto st =
                    quantizeExperts(model, *weights, capture, layer, method, options, calibration,
                                    result, done, totalLinears, cancel, progress);
                !st) {
                return st.error();
            }
        }
        progress.progress(done, totalLinears, "linears", where + ", quantized forward");
        if (auto st = advanceBlock(context, *weights, layer, *run, cancel); !st) {
            return st.error();
        }
    }
    progress.progress(done, totalLinears, "linears", "done");
    return result;
}

Result<std::int64_t> calibrateLinears(const Model& model, std::span<const std::int32_t> tokens,
                                      std::int32_t bos, const CalibrationOptions& calibration,
                                      CancelToken& cancel, ProgressSink& progress,
                                      const LinearQuantizer& quantize) {
    auto run = prepareCalibration(model, tokens, bos, calibration);
    if (!run) {
        return run.error();
    }
    std::shared_ptr<LlamaWeights> weights = run->weights;
    const LlamaConfig& cfg = weights->config();
    const bool moe = cfg.experts > 0;
    const int qDim = cfg.heads * cfg.headDim;
    const std::int64_t calibrationTokens =
        static_cast<std::int64_t>(calibration.nsamples) * run->seqlen;
    // The dense FFN's three linears, or three per expert.
    const std::uint64_t perLayer = 4 + 3 * static_cast<std::uint64_t>(moe ? cfg.experts : 1);
    const std::uint64_t totalLinears = static_cast<std::uint64_t>(cfg.layers) * perLayer;
    std::uint64_t done = 0;
    LlamaContext context(weights, run->seqlen, effectiveThreads(calibration.threads));
    context.setLlamaCppNumerics(false);
    if (auto st = embedSamples(context, *run); !st) {
        return st.error();
    }
    for (int layer = 0; layer < cfg.layers; ++layer) {
        const std::string prefix = "blk." + std::to_string(layer) + ".";
        const std::string where =
            "layer " + std::to_string(layer + 1) + "/" + std::to_string(cfg.layers);
        progress.progress(done, totalLinears, "linears", where + ", calibration forward");
        // One block's sums at a time: the capture goes out of scope before the next block's.
        BlockCapture capture(layer, cfg.dim, qDim, moe ? 0 : cfg.hidden, moe ? cfg.experts : 0,
                             cfg.expertHidden);
        if (auto st = captureBlock(context, capture, layer, *run, cancel); !st) {
            return st.error();
        }
        // Each shared input's Hessian once (q, k and v read the same one).
        std::array<std::vector<double>, 4> hessians;
        for (int g = 0; g < 4; ++g) {
            if (!moe || g == Qkv || g == Out) {
                hessians[g] = capture.hessian(g);
            }
        }
        for (const auto& spec : kLinears) {
            if (moe && spec.input != Qkv && spec.input != Out) {
                continue; // a mixture of experts has no dense FFN: its experts follow
            }
            if (cancel.isCancelled()) {
                return makeError(ErrorCode::Cancelled, "calibrated quantization cancelled");
            }
            CalibrationTarget target;
            target.tensor = prefix + spec.suffix + ".weight";
            target.tokens = calibrationTokens;
            progress.progress(done, totalLinears, "linears", where + ", " + spec.suffix);
            const WeightMatrix& wm = weights->layers()[layer].*spec.matrix;
            auto w = readMatrixF32(model, target.tensor);
            if (!w) {
                return w.error();
            }
            auto fed = quantize(target, *w, static_cast<int>(wm.nRows), static_cast<int>(wm.nCols),
                                hessians[spec.input]);
            if (!fed) {
                return makeError(fed.error().code, target.tensor + ": " + fed.error().message);
            }
            if (auto st = weights->overrideMatrix(layer, spec.matrix, std::move(*fed)); !st) {
                return st.error();
            }
            ++done;
        }
        for (int e = 0; moe && e < cfg.experts; ++e) {
            const std::int64_t routed = capture.expertTokens(e);
            const bool starved = routed < calibration.minExpertTokens;
            if (starved) {
                coreLog().warn("layer {} expert {}: {} calibration tokens routed to it (minimum "
                               "{}); its linears keep the format's own rounding",
                               layer, e, routed, calibration.minExpertTokens);
            }
            // Up and gate read the same input: its Hessian once.
            const std::array<std::vector<double>, 2> expertHessians = {capture.expertHessian(0, e),
                                                                       capture.expertHessian(1, e)};
            for (const ExpertSpec& spec : kExpertLinears) {
                if (cancel.isCancelled()) {
                    return makeError(ErrorCode::Cancelled, "calibrated quantization cancelled");
                }
                CalibrationTarget target;
                target.tensor = prefix + spec.tensor;
                target.expert = e;
                target.tokens = routed;
                target.starved = starved;
                progress.progress(done, totalLinears, "linears",
                                  where + ", expert " + std::to_string(e) + " " + spec.suffix);
                const WeightMatrix& wm = (weights->layers()[static_cast<std::size_t>(layer)].*
                                          spec.list)[static_cast<std::size_t>(e)];
                auto w = readExpertF32(model, target.tensor, e);
                if (!w) {
                    return w.error();
                }
                auto fed =
                    quantize(target, *w, static_cast<int>(wm.nRows), static_cast<int>(wm.nCols),
                             expertHessians[static_cast<std::size_t>(spec.input)]);
                if (!fed) {
                    return makeError(fed.error().code, expertLinearKey(target.tensor, e) + ": " +
                                                           fed.error().message);
                }
                if (auto st = weights->overrideExpert(layer, spec.list, e, std::move(*fed)); !st) {
                    return st.error();
                }
                ++done;
            }
        }
        progress.progress(done, totalLinears, "linears", where + ", quantized forward");
        if (auto st = advanceBlock(context, *weights, layer, *run, cancel); !st) {
            return st.error();
        }
    }
    progress.progress(done, totalLinears, "linears", "done");
    return calibrationTokens;
}

} // namespace qs::core
