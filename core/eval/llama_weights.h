#pragma once

#include "core/compute/compute_backend.h"
#include "core/error.h"
#include "core/model/architecture.h"
#include "core/quant/ggml_type.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace qs::core {

class MappedFile;
class Model;

// Matrices are core/compute's WeightMatrix: a view into the model's mapping (or into a buffer
// owned by LlamaWeights when the container needed a row permutation), never an f32 copy.
std::size_t matrixRowBytes(const WeightMatrix& w);
inline const std::byte* matrixRow(const WeightMatrix& w, std::int64_t r) {
    return static_cast<const std::byte*>(w.data) + static_cast<std::size_t>(r) * matrixRowBytes(w);
}
inline std::uint64_t matrixBytes(const WeightMatrix& w) {
    return static_cast<std::uint64_t>(w.nRows) * matrixRowBytes(w);
}

// One block of a dense decoder. Families that fuse tensors (phi3's attn_qkv, its gate+up in
// ffn_up) are seen here as row ranges of the fused tensor, so the forward pass, calibration
// and imatrix collection treat every family alike (linearTensorName maps them back).
struct LlamaLayerWeights {
    std::vector<float> attnNorm; // RMSNorm gains are tiny; they are kept as floats
    std::vector<float> ffnNorm;
    WeightMatrix wq, wk, wv, wo;
    WeightMatrix gate, up, down;
    std::vector<float> bq, bk, bv;                // attention biases (qwen2); empty when absent
    std::vector<float> qNorm, kNorm;              // per-head RMSNorm gains (qwen3, gemma3)
    std::vector<float> postAttnNorm, postFfnNorm; // gemma3's norms of each branch's output
    // Mixture of experts (Mixtral, Qwen3-MoE): the router and, per expert, its matrices as
    // views into the 3-D ffn_{gate,up,down}_exps tensors. gate/up/down are then unused.
    WeightMatrix router;
    std::vector<WeightMatrix> gateExps, upExps, downExps;
};

// The linear layers of a block, in the order the forward pass runs them. The expert linears
// (FfnGateExps, ...) are seen once per expert that tokens were routed to.
enum class LlamaLinear {
    AttnQ,
    AttnK,
    AttnV,
    AttnOutput,
    FfnGate,
    FfnUp,
    FfnDown,
    FfnGateInp,
    FfnGateExps,
    FfnUpExps,
    FfnDownExps,
};
inline constexpr int kLlamaLinearCount = 11;

// The shape of a dense decoder as the forward pass needs it, with the options of its
// architecture family (core/model/architecture.h) resolved against the file's metadata.
struct LlamaConfig {
    int dim = 0;
    int hidden = 0;
    int layers = 0;
    int heads = 0;
    int kvHeads = 0;
    int headDim = 0;
    int ropeDims = 0; // leading dimensions of each head that RoPE rotates
    int vocab = 0;
    int trainedContext = 0;
    float ropeFreqBase = 10000.0f;
    float ropeFreqScale = 1.0f; // 1 / rope.scaling.factor of linear scaling
    float rmsEpsilon = 1e-5f;
    bool tiedEmbeddings = false;

    std::string architecture = "llama"; // general.architecture
    RopeLayout ropeLayout = RopeLayout::Interleaved;
    GatedActivation activation = GatedActivation::Silu;
    bool fusedQkv = false;          // wq/wk/wv are row ranges of blk.N.attn_qkv
    bool fusedGateUp = false;       // gate/up are row ranges of blk.N.ffn_up
    float embeddingScale = 1.0f;    // sqrt(dim) for gemma3
    float attentionScale = 0.0f;    // multiplies K·Q (0 until resolved: 1/sqrt(headDim))
    bool scaleQueryFirst = false;   // attentionScale applied to Q before K·Q (gemma3, phi3)
    float finalLogitSoftcap = 0.0f; // cap * tanh(logits / cap) when > 0
    // Sliding-window attention: layers marked here see the last `slidingWindow` positions
    // (the token itself included) and rotate with ropeFreqBaseSwa / ropeFreqScaleSwa.
    int slidingWindow = 0;
    std::vector<bool> slidingLayers;
    float ropeFreqBaseSwa = 10000.0f;
    float ropeFreqScaleSwa = 1.0f;
    // LongRoPE (phi3): per-pair divisors of the rotation frequency; empty when absent.
    std::vector<float> ropeFactors;
    // Mixture of experts: softmax over `experts` router logits, the top `expertsUsed` chosen,
    // their weights renormalized to sum to 1 (both families' norm_w), each expert an FFN of
    // expertHidden. 0 experts: a dense FFN.
    int experts = 0;
    int expertsUsed = 0;
    int expertHidden = 0;
    float expertWeightsScale = 0.0f; // applied when neither 0 nor 1 (llama.cpp's rule)

    bool isSliding(int layer) const {
        return slidingWindow > 0 && layer >= 0 &&
               static_cast<std::size_t>(layer) < slidingLayers.size() &&
               slidingLayers[static_cast<std::size_t>(layer)];
    }
};

// The GGUF name of the tensor that holds `linear` of block `layer` ("blk.3.attn_qkv.weight"
// for Q, K and V of a fused family), and whether `linear` is the first of the linears that
// tensor holds: llama-imatrix sees a fused tensor's input once per product, not once per
// slice.
struct LinearTensor {
    std::string name;
    bool first = true;
};
LinearTensor linearTensorName(const LlamaConfig& config, int layer, LlamaLinear linear);

// The tensors of a dense decoder of any supported family (llama, qwen2, qwen3, gemma3, phi3),
// checked for shape and for a CPU dequantizer, held as views into the memory-mapped file(s)
// that this object keeps alive; mixture-of-experts models (Mixtral, Qwen3-MoE) too. An
// unsupported architecture or a tensor that does not fit its family's description is an error
// naming it.
class LlamaWeights {
public:
    static Result<std::shared_ptr<const LlamaWeights>> fromModel(const Model& model);
    // The same, modifiable with overrideMatrix() (calibrated quantization, core/gptq).
    static Result<std::shared_ptr<LlamaWeights>> fromModelMutable(const Model& model);

    // Replaces matrix `which` of layer `layer` with owned F32 values of the same shape (rows of
    // GGUF order): calibrated quantization feeds the already-quantized layers forward this way.
    // Not thread-safe against a running evaluate().
    Status overrideMatrix(int layer, WeightMatrix LlamaLayerWeights::*which,
                          std::vector<float> values);
    // The same for expert `expert` of an expert linear (&LlamaLayerWeights::gateExps, ...).
    Status overrideExpert(int layer, std::vector<WeightMatrix> LlamaLayerWeights::*which,
                          int expert, std::vector<float> values);
    // Replaces an RMSNorm gain (AWQ folds its inverse channel scales into it).
    Status overrideNorm(int layer, std::vector<float> LlamaLayerWeights::*which,
                        std::vector<float> values);
    // Undoes every override of layer `layer` and frees their values: the layer reads the
    // model's data again. Block-by-block calibration calls it once the next block's inputs are
    // computed, so that only one block's quantized copies are held at a time.
    void restoreLayer(int layer);

    const LlamaConfig& config() const { return m_config; }
    const WeightMatrix& tokenEmbedding() const { return m_tokenEmbedding; }
    const WeightMatrix& output() const { return m_output; } // = tokenEmbedding when tied
    const std::vector<float>& outputNorm() const { return m_outputNorm; }
    const std::vector<LlamaLayerWeights>& layers() const { return m_layers; }
    // Bytes of all matrices as stored (what one decoded token must stream through).
    std::uint64_t matrixBytes() const;
    // Lets this process's mapped pages of `w` go when they lie in one of the model's files
    // (MappedFile::releasePages; a no-op for matrices held in memory): the CPU pass calls it
    // once it has copied a matrix into a layout of its own, so the model is not resident twice.
    // Touching the matrix again reads it back from the page cache.
    void releasePages(const WeightMatrix& w) const;

private:
    LlamaConfig m_config;
    WeightMatrix m_tokenEmbedding;
    WeightMatrix m_output;
    std::vector<float> m_outputNorm;
    std::vector<LlamaLayerWeights> m_layers;
    std::vector<std::shared_ptr<const MappedFile>> m_mappings;
    std::vector<std::unique_ptr<std::byte[]>> m_ownedBytes; // permuted Q/K rows only
    // overrideMatrix()/overrideExpert() values per layer, and each overridden layer as it was.
    std::map<int, std::vector<std::vector<float>>> m_overrides;
    std::map<int, LlamaLayerWeights> m_originalLayers;
    // Keeps layer `layer` as it was before its first override.
    void rememberLayer(int layer);
};

} // namespace qs::core
