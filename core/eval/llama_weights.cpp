#include "core/eval/llama_weights.h"

#include "core/fs/mapped_file.h"
#include "core/model/hparams_check.h"
#include "core/model/model.h"
#include "core/quant/format_registry.h"

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
            total += core::matrixBytes(*w);
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
    m_overrides.push_back(std::move(values));
    w.type = GgmlType::F32;
    w.data = m_overrides.back().data();
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
    gain = std::move(values);
    return {};
}

Result<std::shared_ptr<const LlamaWeights>> LlamaWeights::fromModel(const Model& model) {
    auto weights = std::make_shared<LlamaWeights>();
    weights->m_mappings = model.sources();
    const LlamaHParams hp = model.hparams();
    if (hp.architecture != "llama") {
        return makeError(ErrorCode::Unsupported,
                         model.path() + ": architecture \"" + hp.architecture +
                             "\" is not supported by the forward pass (only llama)");
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
        c.heads % c.kvHeads != 0 || c.dim % c.heads != 0) {
        return makeError(ErrorCode::Format,
                         model.path() + ": inconsistent hyper-parameters (embedding " +
                             std::to_string(c.dim) + ", heads " + std::to_string(c.heads) + "/" +
                             std::to_string(c.kvHeads) + ")");
    }
    c.headDim = static_cast<int>(model.metadata()
                                     .integer(hp.architecture + ".attention.key_length")
                                     .value_or(c.dim / c.heads));
    c.ropeDims = static_cast<int>(hp.ropeDimensionCount);
    if (c.ropeDims <= 0 || c.ropeDims > c.headDim || c.ropeDims % 2 != 0) {
        return makeError(ErrorCode::Format,
                         model.path() + ": rope dimension count " + std::to_string(c.ropeDims) +
                             " does not fit head size " + std::to_string(c.headDim));
    }

    auto matrix = [&](const std::string& name, std::int64_t cols,
                      std::int64_t rows) -> Result<WeightMatrix> {
        const TensorInfo* t = model.findTensor(name);
        if (!t) {
            return makeError(ErrorCode::Format, model.path() + ": tensor " + name + " is missing");
        }
        if (t->dims.size() != 2 || static_cast<std::int64_t>(t->dims[0]) != cols ||
            (rows > 0 && static_cast<std::int64_t>(t->dims[1]) != rows)) {
            return shapeError(name, "expected [" + std::to_string(cols) + ", " +
                                        std::to_string(rows) + "]");
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
        if (t->permuteHeads == 0) {
            w.data = model.storedBytes(*t).data();
        } else {
            // Hugging Face Q/K rows are in rotate-half order: materialise this one tensor in
            // GGUF order. It is a small share of the model (2 of 7 matrices per layer at most).
            auto buffer = std::make_unique<std::byte[]>(t->byteSize);
            if (auto st = model.readTensorData(*t, {buffer.get(), t->byteSize}); !st) {
                return st.error();
            }
            w.data = buffer.get();
            weights->m_ownedBytes.push_back(std::move(buffer));
        }
        return w;
    };
    auto vector = [&](const std::string& name, std::int64_t n) -> Result<std::vector<float>> {
        const TensorInfo* t = model.findTensor(name);
        if (!t) {
            return makeError(ErrorCode::Format, model.path() + ": tensor " + name + " is missing");
        }
        if (t->elementCount() != static_cast<std::uint64_t>(n)) {
            return shapeError(name, "expected " + std::to_string(n) + " values");
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
    const std::int64_t qDim = static_cast<std::int64_t>(c.heads) * c.headDim;
    const std::int64_t kvDim = static_cast<std::int64_t>(c.kvHeads) * c.headDim;
    weights->m_layers.resize(static_cast<std::size_t>(c.layers));
    for (int i = 0; i < c.layers; ++i) {
        auto& l = weights->m_layers[static_cast<std::size_t>(i)];
        const std::string p = "blk." + std::to_string(i) + ".";
        QS_TAKE(l.attnNorm, vector(p + "attn_norm.weight", c.dim));
        QS_TAKE(l.ffnNorm, vector(p + "ffn_norm.weight", c.dim));
        QS_TAKE(l.wq, matrix(p + "attn_q.weight", c.dim, qDim));
        QS_TAKE(l.wk, matrix(p + "attn_k.weight", c.dim, kvDim));
        QS_TAKE(l.wv, matrix(p + "attn_v.weight", c.dim, kvDim));
        QS_TAKE(l.wo, matrix(p + "attn_output.weight", qDim, c.dim));
        QS_TAKE(l.gate, matrix(p + "ffn_gate.weight", c.dim, c.hidden));
        QS_TAKE(l.up, matrix(p + "ffn_up.weight", c.dim, c.hidden));
        QS_TAKE(l.down, matrix(p + "ffn_down.weight", c.hidden, c.dim));
    }
#undef QS_TAKE
    return std::shared_ptr<const LlamaWeights>(std::move(weights));
}

} // namespace qs::core
