#pragma once

#include "core/error.h"
#include "core/eval/cpu_matmul.h"
#include "core/eval/llama_weights.h"
#include "core/jobs/thread_pool.h"

#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

namespace qs::core {

// Sees the f32 input of every linear layer of the blocks just before it is multiplied (before
// any activation rounding): llama-imatrix's hook on MUL_MAT's src1. Called on the thread that
// runs evaluate(); `x` is `tokens` rows of `columns` floats.
class LlamaActivationObserver {
public:
    virtual ~LlamaActivationObserver() = default;
    virtual void linearInput(int layer, LlamaLinear linear, const float* x, std::int64_t tokens,
                             std::int64_t columns) = 0;
    // The input of expert `expert` (of `experts`) of an expert linear (FfnGateExps and
    // FfnUpExps: the FFN-norm output of the tokens routed to it; FfnDownExps: their gated
    // activations), tokens in batch order, as llama-imatrix sees MUL_MAT_ID. Called only for
    // experts that received tokens. Default: ignored.
    virtual void expertInput(int /*layer*/, LlamaLinear /*linear*/, int /*expert*/, int /*experts*/,
                             const float* /*x*/, std::int64_t /*tokens*/,
                             std::int64_t /*columns*/) {}
};

// The state of the Llama forward pass for one sequence (or a few, setSequenceCount): the KV
// cache (f32) and scratch buffers.
// evaluate() runs a batch of tokens at consecutive positions (prompt processing); a batch of
// one is a decode step. Memory: the weights stay mapped (or repacked, setRepackWeights); the
// cache is layers * sequences * contextLength * kvDim * 2 floats.
//
// Matrix products run on `backend` (its matmul over the batch) when one is given, e.g. Vulkan;
// without one they run on the built-in CPU kernels, which read each weight row once per batch:
// fused quantized dot products (vec_dot.h) for the common types under llama.cpp numerics,
// dequantize-then-dot otherwise.
class LlamaContext {
public:
    LlamaContext(std::shared_ptr<const LlamaWeights> weights, int contextLength, int threads,
                 ComputeBackend* backend = nullptr);

    const LlamaConfig& config() const { return m_weights->config(); }
    const LlamaWeights& weights() const { return *m_weights; }
    int contextLength() const { return m_contextLength; }
    int threads() const { return m_pool.threads(); }
    // Positions in the current sequence's cache (the next token's position).
    int position() const { return m_positions[static_cast<std::size_t>(m_sequence)]; }
    // Independent sequences in one context, each with its own cache of contextLength
    // positions (llama.cpp's n_seq_max), the weights and scratch buffers shared. 1 by default.
    // Resizing forgets every sequence and selects sequence 0.
    void setSequenceCount(int sequences);
    int sequenceCount() const { return static_cast<int>(m_positions.size()); }
    // The sequence evaluate(), position() and clear() act on: 0..sequenceCount()-1.
    void selectSequence(int sequence);
    // On by default: round activations as ggml's CPU kernels do (to the weight type's
    // vec_dot_type, activation_rounding.h) and keep K/V (and Q for K·Q) at half precision like
    // llama.cpp's default f16 KV cache, so figures match llama-perplexity's. Off: plain f32.
    void setLlamaCppNumerics(bool on) { m_llamaCppNumerics = on; }
    bool llamaCppNumerics() const { return m_llamaCppNumerics; }
    // An observer of the linear layers' inputs (imatrix collection), or nullptr (the default;
    // costs one branch per matrix product).
    void setActivationObserver(LlamaActivationObserver* observer) { m_observer = observer; }
    // On by default: the CPU pass (llama.cpp numerics, no backend) copies each matrix whose type
    // has an 8-row kernel into its interleaved layout on first use (cpu_matmul.h,
    // RepackedMatrix) and lets the model's mapped pages of it go, so resident memory stays
    // about the model's size; decode of a Q4_K_M model then needs ~1/3 less CPU time per token
    // (docs/benchmarks.md), for a one-time copy in the first evaluate(). Off: the mapping is
    // read in place. Set it before the first evaluate().
    void setRepackWeights(bool on) { m_repackWeights = on; }
    // Bytes held by repacked copies so far.
    std::size_t repackedBytes() const;

    // Forgets the current sequence; its next evaluate() starts at position 0.
    void clear() { m_positions[static_cast<std::size_t>(m_sequence)] = 0; }

    // Runs `tokens` at positions position()..position()+n-1 and appends them to the cache.
    // Writes the logits of batch entries firstLogit..n-1 to `logits` (resized to
    // (n - firstLogit) * vocab, row-major). firstLogit = n computes no logits.
    Status evaluate(std::span<const std::int32_t> tokens, std::int64_t firstLogit,
                    std::vector<float>& logits);

    // Block by block, for calibration (core/gptq), which keeps each sample's hidden states
    // between blocks instead of running blocks 0..L again for block L: embed() writes the
    // embedding rows of `tokens` (tokens x dim) to `hidden`; evaluateBlock() runs block
    // `layer` on them in place as one batch at positions 0..n-1 of the current sequence
    // (overwriting that block's cache rows; the observer sees its linears' inputs). The same
    // arithmetic as evaluate() on that batch. `tokens` only names a token in messages.
    Status embed(std::span<const std::int32_t> tokens, std::vector<float>& hidden);
    Status evaluateBlock(int layer, std::span<const std::int32_t> tokens,
                         std::vector<float>& hidden);

private:
    // The steps of evaluate(): scratch for n tokens, the embedding rows into m_x, one block
    // on m_x; and the check of each stage's output for NaN/Inf, naming the token.
    void prepareBatch(std::int64_t n);
    Status embedBatch(std::span<const std::int32_t> tokens, int pos0);
    Status runBlock(int layer, std::span<const std::int32_t> tokens, int pos0);
    Status checkFinite(const float* values, std::int64_t firstToken, std::size_t rows,
                       std::size_t width, int stage, std::span<const std::int32_t> tokens,
                       int pos0) const;
    Status checkBlockBatch(std::span<const std::int32_t> tokens, const std::vector<float>& hidden,
                           const char* what) const;
    Status matmul(const WeightMatrix& w, const float* x, std::int64_t n, float* y);
    // The repacked copy of w, made on first use; nullptr when it has none.
    const RepackedMatrix* repacked(const WeightMatrix& w);
    // matmul of several matrices with the same input: one loop over the pool when all of them
    // are repacked, else one matmul each.
    struct Product {
        const WeightMatrix* w;
        float* y;
    };
    Status matmulShared(std::span<const Product> products, const float* x, std::int64_t n);
    // RMSNorm of `rows` rows of `width` values each (a token's residual, or one head).
    void rmsNorm(const float* x, const std::vector<float>& gain, float* out, std::int64_t rows,
                 int width);
    void rmsNorm(const float* x, const std::vector<float>& gain, float* out, std::int64_t n) {
        rmsNorm(x, gain, out, n, config().dim);
    }
    void applyRope(float* v, std::int64_t n, int heads, int pos0, bool sliding);
    void attention(int layer, std::int64_t n, int pos0);
    // The mixture-of-experts FFN of block `layer` on m_xb (n rows), into m_tmp: router,
    // softmax, top-k, renormalized weights, the routed experts' SwiGLU FFNs (tokens grouped by
    // expert, so each expert's rows are read once per batch), summed in slot order.
    Status expertFfn(int layer, const LlamaLayerWeights& lw, std::int64_t n);
    // Index of (layer, current sequence, pos) in the key and value caches.
    std::size_t cacheOffset(int layer, int pos) const;

    std::shared_ptr<const LlamaWeights> m_weights;
    int m_contextLength = 0;
    std::vector<int> m_positions{0}; // per sequence
    int m_sequence = 0;
    ParallelPool m_pool;
    ComputeBackend* m_backend = nullptr;
    bool m_llamaCppNumerics = true;
    LlamaActivationObserver* m_observer = nullptr;
    bool m_repackWeights = true;
    // By the matrix's data pointer; nullptr entries remember matrices that cannot be repacked.
    std::unordered_map<const void*, std::unique_ptr<RepackedMatrix>> m_repacked;
    std::vector<float> m_keyCache;   // [layer][sequence][pos][kvDim]
    std::vector<float> m_valueCache; // [layer][sequence][pos][kvDim]
    // cos and sin of every rotation angle, [pos][ropeDims / 2]: the global layers' and, for
    // families with sliding-window layers, the local layers' (their own base frequency).
    struct RopeTable {
        std::vector<float> cos, sin;
    };
    RopeTable m_rope, m_ropeSwa;
    // Batch scratch, sized for the largest batch seen so far.
    std::vector<float> m_x, m_xb, m_q, m_k, m_v, m_att, m_gate, m_up, m_tmp, m_rounded;
    // Mixture-of-experts scratch: router logits, each (token, slot)'s expert and weight, one
    // expert's gathered rows and the per-slot outputs.
    std::vector<float> m_routerLogits, m_slotWeights, m_expertIn, m_expertGate, m_expertUp,
        m_expertOut, m_slotOut;
    std::vector<int> m_slotExpert;
};

} // namespace qs::core
