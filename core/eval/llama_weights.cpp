#include "core/eval/llama_weights.h"

#include "core/fs/mapped_file.h"
#include "core/logging.h"
#include "core/model/hparams_check.h"
#include "core/model/model.h"
#include "core/quant/format_registry.h"

#include <cmath>
#include <spdlog/spdlog.h>
#include <tuple>

namespace qs::core {

namespace {

Error shapeError(const std::string& name, const std::string& detail) {
    return makeError(ErrorCode::Format, name + ": " + detail);
}

} // namespace

std::size_t matrixRowBytes(const WeightMatrix& w) {
    const GgmlTypeInfo& info = ggmlTypeInfo(w.type);
    return static_cast<std::size_t>(w.nCols) / info.blockSize * info.bytesPerBlock;
}

std::uint64_t LlamaWeights::matrixBytes() const {
    std::uint64_t total = core::matrixBytes(m_tokenEmbedding);
    if (!m_config.tiedEmbeddings) {
        total += core::matrixBytes(m_output);
    }
    for (const auto& l : m_layers) {
        for (const WeightMatrix* w : {&l.wq, &l.wk, &l.wv, &l.wo, &l.gate, &l.up, &l.down}) {
            total += w->data ? core::matrixBytes(*w) : 0;
        }
        // Every expert is counted, although a token reads only the routed ones.
        total += l.router.data ? core::matrixBytes(l.router) : 0;
        for (const auto* list : {&l.gateExps, &l.upExps, &l.downExps}) {
            for (const WeightMatrix& w : *list) {
                total += core::matrixBytes(w);
            }
        }
    }
    return total;
}

void LlamaWeights::releasePages(const WeightMatrix& w) const {
    const std::span<const std::byte> bytes(static_cast<const std::byte*>(w.data),
                                           static_cast<std::size_t>(core::matrixBytes(w)));
    for (const auto& mapping : m_mappings) {
        mapping->releasePages(bytes); // ignores a range outside its mapping
    }
}

Result<std::shared_ptr<LlamaWeights>> LlamaWeights::fromModelMutable(const Model& model) {
    auto weights = fromModel(model);
    if (!weights) {
        return weights.error();
    }
    // fromModel creates a non-const object; only its handle is const.
    return std::const_pointer_cast<LlamaWeights>(*weights);
}

Status LlamaWeights::overrideMatrix(int layer, WeightMatrix LlamaLayerWeights::*which,
                                    std::vector<float> values) {
    if (layer < 0 || layer >= static_cast<int>(m_layers.size())) {
        return makeError(ErrorCode::InvalidArgument,
                         "overrideMatrix: no layer " + std::to_string(layer));
    }
    WeightMatrix& w = m_layers[static_cast<std::size_t>(layer)].*which;
    if (values.size() != static_cast<std::size_t>(w.nRows * w.nCols)) {
        return makeError(ErrorCode::InvalidArgument,
                         "overrideMatrix: " + std::to_string(values.size()) +
                             " values for a matrix of " + std::to_string(w.nRows) + " x " +
                             std::to_string(w.nCols));
    }
    rememberLayer(layer);
    auto& owned = m_overrides[layer];
    owned.push_back(std::move(values));
    w.type = GgmlType::F32;
    w.data = owned.back().data();
    return {};
}

Status LlamaWeights::overrideExpert(int layer, std::vector<WeightMatrix> LlamaLayerWeights::*which,
                                    int expert, std::vector<float> values) {
    if (layer < 0 || layer >= static_cast<int>(m_layers.size())) {
        return makeError(ErrorCode::InvalidArgument,
                         "overrideExpert: no layer " + std::to_string(layer));
    }
    auto& list = m_layers[static_cast<std::size_t>(layer)].*which;
    if (expert < 0 || expert >= static_cast<int>(list.size())) {
        return makeError(ErrorCode::InvalidArgument,
                         "overrideExpert: no expert " + std::to_string(expert));
    }
    WeightMatrix& w = list[static_cast<std::size_t>(expert)];
    if (values.size() != static_cast<std::size_t>(w.nRows * w.nCols)) {
        return makeError(ErrorCode::InvalidArgument, "overrideExpert: size mismatch");
    }
    rememberLayer(layer);
    auto& owned = m_overrides[layer];
    owned.push_back(std::move(values));
    w.type = GgmlType::F32;
    w.data = owned.back().data();
    return {};
}

Status LlamaWeights::overrideNorm(int layer, std::vector<float> LlamaLayerWeights::*which,
                                  std::vector<float> values) {
    if (layer < 0 || layer >= static_cast<int>(m_layers.size())) {
        return makeError(ErrorCode::InvalidArgument,
                         "overrideNorm: no layer " + std::to_string(layer));
    }
    std::vector<float>& gain = m_layers[static_cast<std::size_t>(layer)].*which;
    if (values.size() != gain.size()) {
        return makeError(ErrorCode::InvalidArgument, "overrideNorm: size mismatch");
    }
    rememberLayer(layer);
    m_layers[static_cast<std::size_t>(layer)].*which = std::move(values);
    return {};
}

void LlamaWeights::rememberLayer(int layer) {
    m_originalLayers.try_emplace(layer, m_layers[static_cast<std::size_t>(layer)]);
}

void LlamaWeights::restoreLayer(int layer) {
    if (auto it = m_originalLayers.find(layer); it != m_originalLayers.end()) {
        m_layers[static_cast<std::size_t>(layer)] = std::move(it->second);
        m_originalLayers.erase(it);
    }
    m_overrides.erase(layer);
}

namespace {

// Reads the family's options and the file's keys into `c`: everything the forward pass needs
// besides the tensors.
Status resolveFamily(const Model& model, const ArchitectureFamily& family, LlamaConfig& c) {
    const Metadata& md = model.metadata();
    const std::string p = std::string(family.name) + ".";
    c.architecture = std::string(family.name);
    c.ropeLayout = family.rope;
    c.activation = family.activation;
    c.fusedQkv = family.fusedQkv;
    c.fusedGateUp = family.fusedGateUp;
    c.scaleQueryFirst = family.scaleQueryFirst;
    c.embeddingScale = family.scaleEmbeddings ? std::sqrt(static_cast<float>(c.dim)) : 1.0f;
    // gemma3's 27B scales by n_embd / n_head rather than the head size (llama.cpp's loader);
    // for every other size and family the two agree or the head size is the rule.
    c.attentionScale = 1.0f / std::sqrt(static_cast<float>(c.headDim));
    if (family.name == "gemma3" && c.layers == 62) {
        c.attentionScale = 1.0f / std::sqrt(static_cast<float>(c.dim / c.heads));
    }
    if (const auto scaling = md.string(p + "rope.scaling.type");
        scaling == "linear" || (scaling.empty() && md.find(p + "rope.scaling.factor"))) {
        const double factor = md.number(p + "rope.scaling.factor").value_or(1.0);
        if (!(factor > 0.0) || !std::isfinite(factor)) {
            return makeError(ErrorCode::Format, model.path() + ": " + p +
                                                    "rope.scaling.factor is " +
                                                    std::to_string(factor));
        }
        c.ropeFreqScale = static_cast<float>(1.0 / factor);
    } else if (!scaling.empty() && scaling != "none") {
        return makeError(ErrorCode::Unsupported,
                         model.path() + ": RoPE scaling \"" + scaling +
                             "\" is not supported by the forward pass (linear only)");
    }
    if (family.slidingWindowPattern > 0) {
        const auto window = md.integer(p + "attention.sliding_window").value_or(0);
        if (window > 0) {
            const auto pattern = md.integer(p + "attention.sliding_window_pattern")
                                     .value_or(family.slidingWindowPattern);
            if (pattern <= 0) {
                return makeError(ErrorCode::Format, model.path() +
                                                        ": attention.sliding_window_pattern is " +
                                                        std::to_string(pattern));
            }
            c.slidingWindow = static_cast<int>(window);
            c.slidingLayers.resize(static_cast<std::size_t>(c.layers));
            for (int i = 0; i < c.layers; ++i) {
                c.slidingLayers[static_cast<std::size_t>(i)] = i % pattern < pattern - 1;
            }
            // llama.cpp's defaults for the local layers: base 10000, no scaling.
            c.ropeFreqBaseSwa =
                static_cast<float>(md.number(p + "rope.freq_base_swa").value_or(10000.0));
            c.ropeFreqScaleSwa = 1.0f;
        } else {
            // Without a window every layer is global, and gemma3 then caps its logits.
            c.finalLogitSoftcap =
                static_cast<float>(md.number(p + "final_logit_softcapping").value_or(0.0));
        }
    }
    return {};
}

} // namespace

LinearTensor linearTensorName(const LlamaConfig& config, int layer, LlamaLinear linear) {
    const std::string prefix = "blk." + std::to_string(layer) + ".";
    switch (linear) {
    case LlamaLinear::AttnQ:
    case LlamaLinear::AttnK:
    case LlamaLinear::AttnV:
        if (config.fusedQkv) {
            return {prefix + "attn_qkv.weight", linear == LlamaLinear::AttnQ};
        }
        return {prefix + (linear == LlamaLinear::AttnQ   ? "attn_q.weight"
                          : linear == LlamaLinear::AttnK ? "attn_k.weight"
                                                         : "attn_v.weight")};
    case LlamaLinear::AttnOutput:
        return {prefix + "attn_output.weight"};
    case LlamaLinear::FfnGate:
    case LlamaLinear::FfnUp:
        if (config.fusedGateUp) {
            return {prefix + "ffn_up.weight", linear == LlamaLinear::FfnGate};
        }
        return {prefix + (linear == LlamaLinear::FfnGate ? "ffn_gate.weight" : "ffn_up.weight")};
    case LlamaLinear::FfnDown:
        return {prefix + "ffn_down.weight"};
    case LlamaLinear::FfnGateInp:
        return {prefix + "ffn_gate_inp.weight"};
    case LlamaLinear::FfnGateExps:
        return {prefix + "ffn_gate_exps.weight"};
    case LlamaLinear::FfnUpExps:
        return {prefix + "ffn_up_exps.weight"};
    case LlamaLinear::FfnDownExps:
        return {prefix + "ffn_down_exps.weight"};
    }
    return {prefix + "?"};
}

Result<std::shared_ptr<const LlamaWeights>> LlamaWeights::fromModel(const Model& model) {
    auto weights = std::make_shared<LlamaWeights>();
    weights->m_mappings = model.sources();
    const LlamaHParams hp = model.hparams();
    const std::string arch = hp.architecture.empty() ? std::string("llama") : hp.architecture;
    const ArchitectureFamily* family = findArchitecture(arch);
    if (!family) {
        return makeError(ErrorCode::Unsupported,
                         model.path() + ": architecture \"" + arch +
                             "\" is not supported by the forward pass (supported: " +
                             supportedArchitectureList() + ")");
    }
    const auto expertCount = model.metadata().integer(arch + ".expert_count").value_or(0);
    if (family->experts && expertCount <= 0) {
        return makeError(ErrorCode::Format,
                         model.path() + ": " + arch + ".expert_count is missing or not positive");
    }
    // Nothing below may be sized from a number the tensors contradict (layer count, widths).
    if (auto s = checkHyperparameters(model); !s) {
        return s.error();
    }
    LlamaConfig& c = weights->m_config;
    c.dim = static_cast<int>(hp.embeddingLength);
    c.hidden = static_cast<int>(hp.feedForwardLength);
    c.layers = static_cast<int>(hp.blockCount);
    c.heads = static_cast<int>(hp.headCount);
    c.kvHeads = static_cast<int>(hp.headCountKv);
    c.vocab = static_cast<int>(hp.vocabSize);
    c.trainedContext = static_cast<int>(hp.contextLength);
    c.ropeFreqBase = hp.ropeFreqBase;
    c.rmsEpsilon = hp.rmsEpsilon > 0 ? hp.rmsEpsilon : 1e-5f;
    if (c.dim <= 0 || c.hidden <= 0 || c.layers <= 0 || c.heads <= 0 || c.kvHeads <= 0 ||
        c.heads % c.kvHeads != 0) {
        return makeError(ErrorCode::Format,
                         model.path() + ": inconsistent hyper-parameters (embedding " +
                             std::to_string(c.dim) + ", heads " + std::to_string(c.heads) + "/" +
                             std::to_string(c.kvHeads) + ")");
    }
    const auto keyLength = model.metadata().integer(arch + ".attention.key_length");
    const auto valueLength = model.metadata().integer(arch + ".attention.value_length");
    if (!keyLength && c.dim % c.heads != 0) {
        return makeError(ErrorCode::Format, model.path() + ": embedding " + std::to_string(c.dim) +
                                                " is not a whole number of " +
                                                std::to_string(c.heads) + " heads");
    }
    c.headDim = static_cast<int>(keyLength.value_or(c.dim / c.heads));
    if (c.headDim <= 0 || (valueLength && *valueLength != c.headDim)) {
        return makeError(ErrorCode::Unsupported,
                         model.path() + ": heads of " + std::to_string(c.headDim) + " key and " +
                             std::to_string(valueLength.value_or(c.headDim)) +
                             " value dimensions (the forward pass needs them equal)");
    }
    c.ropeDims = static_cast<int>(hp.ropeDimensionCount);
    if (c.ropeDims <= 0 || c.ropeDims > c.headDim || c.ropeDims % 2 != 0) {
        return makeError(ErrorCode::Format,
                         model.path() + ": rope dimension count " + std::to_string(c.ropeDims) +
                             " does not fit head size " + std::to_string(c.headDim));
    }
    if (auto st = resolveFamily(model, *family, c); !st) {
        return st.error();
    }
    if (expertCount > 0) {
        const Metadata& md = model.metadata();
        c.experts = static_cast<int>(expertCount);
        c.expertsUsed = static_cast<int>(md.integer(arch + ".expert_used_count").value_or(0));
        // qwen3moe's expert FFN has its own length; Mixtral's experts use feed_forward_length.
        c.expertHidden =
            static_cast<int>(md.integer(arch + ".expert_feed_forward_length").value_or(c.hidden));
        c.expertWeightsScale =
            static_cast<float>(md.number(arch + ".expert_weights_scale").value_or(0.0));
        if (c.expertsUsed <= 0 || c.expertsUsed > c.experts || c.expertHidden <= 0 ||
            c.experts > 4096) {
            return makeError(ErrorCode::Format,
                             model.path() + ": " + std::to_string(c.expertsUsed) + " of " +
                                 std::to_string(c.experts) + " experts of " +
                                 std::to_string(c.expertHidden) + " is not a valid expert setup");
        }
    }

    auto shapeText = [](std::int64_t cols, std::int64_t rows) {
        // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "[" + std::string.
        std::string text = std::to_string(cols);
        text.insert(0, 1, '[');
        text += ", ";
        text += std::to_string(rows);
        text += ']';
        return text;
    };
    auto matrix = [&](const std::string& name, std::int64_t cols,
                      std::int64_t rows) -> Result<WeightMatrix> {
        const TensorInfo* t = model.findTensor(name);
        if (!t) {
            return makeError(ErrorCode::Format,
                             model.path() + ": tensor " + name + " is missing (a " +
                                 std::string(family->displayName) + " model has it, " +
                                 shapeText(cols, rows) + ")");
        }
        if (t->dims.size() != 2 || static_cast<std::int64_t>(t->dims[0]) != cols ||
            (rows > 0 && static_cast<std::int64_t>(t->dims[1]) != rows)) {
            std::string actual;
            for (const auto d : t->dims) {
                actual += (actual.empty() ? "" : ", ") + std::to_string(d);
            }
            return shapeError(model.path() + ": " + name,
                              "is [" + actual + "], a " + std::string(family->displayName) +
                                  " model of these hyper-parameters has " + shapeText(cols, rows));
        }
        const QuantFormat* format = quantFormat(t->type);
        if (!format || !format->cpuDequantize) {
            return makeError(ErrorCode::Unsupported, name + ": storage type " +
                                                         std::string(ggmlTypeInfo(t->type).name) +
                                                         " cannot be dequantized on the CPU");
        }
        if (!ggmlRowBytes(t->type, static_cast<std::uint64_t>(cols))) {
            return shapeError(name, "rows of " + std::to_string(cols) + " are not whole " +
                                        std::string(ggmlTypeInfo(t->type).name) + " blocks");
        }
        WeightMatrix w;
        w.type = t->type;
        w.nCols = cols;
        w.nRows = static_cast<std::int64_t>(t->dims[1]);
        const std::span<const std::byte> stored = model.storedBytes(*t);
        if (t->permuteHeads == 0 && !stored.empty()) {
            w.data = stored.data();
        } else {
            // Hugging Face Q/K rows are in rotate-half order, and a tensor stored in pieces has
            // no single view: materialise this one tensor in GGUF order. It is a small share of
            // the model (2 of 7 matrices per layer at most; expert stacks take views per expert).
            auto buffer = std::make_unique<std::byte[]>(t->byteSize);
            if (auto st = model.readTensorData(*t, {buffer.get(), t->byteSize}); !st) {
                return st.error();
            }
            w.data = buffer.get();
            weights->m_ownedBytes.push_back(std::move(buffer));
        }
        return w;
    };
    // Rows [first, first + count) of `w`: a fused tensor's slice is a matrix of its own.
    auto rowRange = [](const WeightMatrix& w, std::int64_t first, std::int64_t count) {
        WeightMatrix slice = w;
        slice.data = matrixRow(w, first);
        slice.nRows = count;
        return slice;
    };
    // A 3-D expert tensor [cols, rows, experts] as one matrix per expert (ggml stores the
    // experts outermost, so expert e is rows e*rows .. (e+1)*rows-1 of the flattened tensor).
    auto experts = [&](const std::string& name, std::int64_t cols, std::int64_t rows,
                       std::vector<WeightMatrix>& out) -> Status {
        const TensorInfo* t = model.findTensor(name);
        std::string expected = shapeText(cols, rows);
        expected.pop_back();
        expected += ", ";
        expected += std::to_string(c.experts);
        expected += ']';
        if (!t) {
            return makeError(ErrorCode::Format,
                             model.path() + ": tensor " + name + " is missing (a " +
                                 std::string(family->displayName) + " model with experts has it, " +
                                 expected + ")");
        }
        if (t->dims.size() != 3 || static_cast<std::int64_t>(t->dims[0]) != cols ||
            static_cast<std::int64_t>(t->dims[1]) != rows ||
            static_cast<std::int64_t>(t->dims[2]) != c.experts) {
            return shapeError(model.path() + ": " + name, "is not " + expected);
        }
        const QuantFormat* format = quantFormat(t->type);
        if (!format || !format->cpuDequantize ||
            !ggmlRowBytes(t->type, static_cast<std::uint64_t>(cols))) {
            return makeError(ErrorCode::Unsupported,
                             name + ": storage type " + std::string(ggmlTypeInfo(t->type).name) +
                                 " cannot be evaluated on the CPU with rows of " +
                                 std::to_string(cols));
        }
        // Each expert is viewed where it is stored: a Hugging Face checkpoint keeps one matrix
        // per expert (TensorInfo::parts), a GGUF all of them in one range.
        WeightMatrix one;
        one.type = t->type;
        one.nCols = cols;
        one.nRows = rows;
        const std::uint64_t bytes = core::matrixBytes(one);
        out.clear();
        for (int e = 0; e < c.experts; ++e) {
            const auto stored = model.storedRange(*t, static_cast<std::uint64_t>(e) * bytes, bytes);
            if (stored.size() != bytes) {
                return makeError(ErrorCode::Format, model.path() + ": " + name + ": expert " +
                                                        std::to_string(e) +
                                                        " is not stored in one piece");
            }
            one.data = stored.data();
            out.push_back(one);
        }
        return {};
    };
    auto vector = [&](const std::string& name, std::int64_t n) -> Result<std::vector<float>> {
        const TensorInfo* t = model.findTensor(name);
        if (!t) {
            return makeError(ErrorCode::Format,
                             model.path() + ": tensor " + name + " is missing (a " +
                                 std::string(family->displayName) + " model has it, " +
                                 std::to_string(n) + " values)");
        }
        if (t->elementCount() != static_cast<std::uint64_t>(n)) {
            return shapeError(model.path() + ": " + name,
                              "has " + std::to_string(t->elementCount()) + " values, a " +
                                  std::string(family->displayName) +
                                  " model of these hyper-parameters has " + std::to_string(n));
        }
        std::vector<std::byte> raw(t->byteSize);
        if (auto st = model.readTensorData(*t, raw); !st) {
            return st.error();
        }
        std::vector<float> out(static_cast<std::size_t>(n));
        if (auto st = dequantizeRow(t->type, raw.data(), out.data(), n); !st) {
            return st.error();
        }
        return out;
    };
    // An optional vector: empty when the file lacks it and the family allows that.
    auto optionalVector = [&](const std::string& name, std::int64_t n,
                              Presence presence) -> Result<std::vector<float>> {
        if (presence == Presence::None ||
            (presence == Presence::Optional && !model.findTensor(name))) {
            return std::vector<float>{};
        }
        return vector(name, n);
    };
#define QS_TAKE(target, expr)                                                                      \
    do {                                                                                           \
        auto taken = (expr);                                                                       \
        if (!taken) {                                                                              \
            return taken.error();                                                                  \
        }                                                                                          \
        target = std::move(*taken);                                                                \
    } while (false)

    QS_TAKE(weights->m_tokenEmbedding, matrix("token_embd.weight", c.dim, 0));
    if (c.vocab <= 0) {
        c.vocab = static_cast<int>(weights->m_tokenEmbedding.nRows);
    }
    if (weights->m_tokenEmbedding.nRows != c.vocab) {
        return shapeError("token_embd.weight",
                          "has " + std::to_string(weights->m_tokenEmbedding.nRows) +
                              " rows for a vocabulary of " + std::to_string(c.vocab));
    }
    c.tiedEmbeddings = model.findTensor("output.weight") == nullptr;
    if (c.tiedEmbeddings) {
        weights->m_output = weights->m_tokenEmbedding;
    } else {
        QS_TAKE(weights->m_output, matrix("output.weight", c.dim, c.vocab));
    }
    QS_TAKE(weights->m_outputNorm, vector("output_norm.weight", c.dim));
    // Per-pair frequency divisors: Llama 3.1's rope_freqs, or LongRoPE's (phi3) short factors,
    // which serve contexts up to the original training length — the forward pass evaluates
    // short chunks, so the long factors (beyond it) are not read.
    if (const auto attn = model.metadata().number(arch + ".rope.scaling.attn_factor");
        attn && *attn != 1.0) {
        coreLog().warn("{}: rope.scaling.attn_factor {} (LongRoPE beyond the original context) is "
                       "not applied; figures hold for contexts up to the original length",
                       model.path(), *attn);
    }
    for (const char* name : {"rope_factors_short.weight", "rope_freqs.weight"}) {
        if (model.findTensor(name)) {
            QS_TAKE(c.ropeFactors, vector(name, c.ropeDims / 2));
            break;
        }
    }
    const std::int64_t qDim = static_cast<std::int64_t>(c.heads) * c.headDim;
    const std::int64_t kvDim = static_cast<std::int64_t>(c.kvHeads) * c.headDim;
    weights->m_layers.resize(static_cast<std::size_t>(c.layers));
    for (int i = 0; i < c.layers; ++i) {
        auto& l = weights->m_layers[static_cast<std::size_t>(i)];
        const std::string p = "blk." + std::to_string(i) + ".";
        QS_TAKE(l.attnNorm, vector(p + "attn_norm.weight", c.dim));
        QS_TAKE(l.ffnNorm, vector(p + "ffn_norm.weight", c.dim));
        if (c.fusedQkv) {
            WeightMatrix qkv;
            QS_TAKE(qkv, matrix(p + "attn_qkv.weight", c.dim, qDim + 2 * kvDim));
            l.wq = rowRange(qkv, 0, qDim);
            l.wk = rowRange(qkv, qDim, kvDim);
            l.wv = rowRange(qkv, qDim + kvDim, kvDim);
        } else {
            QS_TAKE(l.wq, matrix(p + "attn_q.weight", c.dim, qDim));
            QS_TAKE(l.wk, matrix(p + "attn_k.weight", c.dim, kvDim));
            QS_TAKE(l.wv, matrix(p + "attn_v.weight", c.dim, kvDim));
        }
        QS_TAKE(l.bq, optionalVector(p + "attn_q.bias", qDim, family->qkvBias));
        QS_TAKE(l.bk, optionalVector(p + "attn_k.bias", kvDim, family->qkvBias));
        QS_TAKE(l.bv, optionalVector(p + "attn_v.bias", kvDim, family->qkvBias));
        if (family->qkNorm) {
            QS_TAKE(l.qNorm, vector(p + "attn_q_norm.weight", c.headDim));
            QS_TAKE(l.kNorm, vector(p + "attn_k_norm.weight", c.headDim));
        }
        QS_TAKE(l.wo, matrix(p + "attn_output.weight", qDim, c.dim));
        if (family->postNorms) {
            QS_TAKE(l.postAttnNorm, vector(p + "post_attention_norm.weight", c.dim));
            QS_TAKE(l.postFfnNorm, vector(p + "post_ffw_norm.weight", c.dim));
        }
        if (c.experts > 0) {
            QS_TAKE(l.router, matrix(p + "ffn_gate_inp.weight", c.dim, c.experts));
            for (auto [name, cols, rows, out] :
                 {std::tuple{"ffn_gate_exps.weight", c.dim, c.expertHidden, &l.gateExps},
                  std::tuple{"ffn_up_exps.weight", c.dim, c.expertHidden, &l.upExps},
                  std::tuple{"ffn_down_exps.weight", c.expertHidden, c.dim, &l.downExps}}) {
                if (auto st = experts(p + name, cols, rows, *out); !st) {
                    return st.error();
                }
            }
        } else if (c.fusedGateUp) {
            WeightMatrix gateUp;
            QS_TAKE(gateUp, matrix(p + "ffn_up.weight", c.dim, 2 * std::int64_t{c.hidden}));
            l.gate = rowRange(gateUp, 0, c.hidden);
            l.up = rowRange(gateUp, c.hidden, c.hidden);
        } else {
            QS_TAKE(l.gate, matrix(p + "ffn_gate.weight", c.dim, c.hidden));
            QS_TAKE(l.up, matrix(p + "ffn_up.weight", c.dim, c.hidden));
        }
        if (c.experts == 0) {
            QS_TAKE(l.down, matrix(p + "ffn_down.weight", c.hidden, c.dim));
        }
    }
#undef QS_TAKE
    return std::shared_ptr<const LlamaWeights>(std::move(weights));
}

} // namespace qs::core
