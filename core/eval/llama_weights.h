#pragma once

#include "core/compute/compute_backend.h"
#include "core/error.h"
#include "core/quant/ggml_type.h"

#include <cstddef>
#include <cstdint>
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

struct LlamaLayerWeights {
    std::vector<float> attnNorm; // RMSNorm gains are tiny; they are kept as floats
    std::vector<float> ffnNorm;
    WeightMatrix wq, wk, wv, wo;
    WeightMatrix gate, up, down;
};

// The shape of a Llama-family model as the forward pass needs it.
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
    float rmsEpsilon = 1e-5f;
    bool tiedEmbeddings = false;
};

// The tensors of a Llama-family model, checked for shape and for a CPU dequantizer, held as
// views into the memory-mapped file(s) that this object keeps alive.
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
    // Replaces an RMSNorm gain (AWQ folds its inverse channel scales into it).
    Status overrideNorm(int layer, std::vector<float> LlamaLayerWeights::*which,
                        std::vector<float> values);

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
    std::vector<std::vector<float>> m_overrides;            // overrideMatrix() values
};

} // namespace qs::core
