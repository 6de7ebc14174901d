#pragma once

#include "core/error.h"
#include "core/eval/llama_context.h"
#include "core/io/imatrix.h"
#include "core/jobs/job_control.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

// Importance-matrix collection with llama-imatrix's semantics (upstream commit de3ff815):
// for every linear layer of the blocks, the sum over all evaluated tokens of the squared input
// activation per input column (f32, accumulated token after token in text order) and the token
// count. attn_q/k/v see the attention-norm output, attn_output the attention result, ffn_gate
// and ffn_up the FFN-norm output, ffn_down the SwiGLU product. output.weight and
// token_embd.weight get no entry (llama-imatrix without --process-output).
//
// Chunking is llama-imatrix's: the text is tokenized with BOS first, cut into
// tokens / ctx chunks of ctx tokens (the tail dropped, --chunks caps the count), each chunk runs
// from an empty cache with its first token replaced by BOS, and every token of every chunk is
// collected (no half-chunk skipping: that only applies to the perplexity it prints).
namespace qs::core {

// Accumulates the inputs LlamaContext shows it (LlamaContext::setActivationObserver).
class ImatrixCollector final : public LlamaActivationObserver {
public:
    explicit ImatrixCollector(const LlamaConfig& config);

    void linearInput(int layer, LlamaLinear linear, const float* x, std::int64_t tokens,
                     std::int64_t columns) override;
    void expertInput(int layer, LlamaLinear linear, int expert, int experts, const float* x,
                     std::int64_t tokens, std::int64_t columns) override;

    // The entries collected so far, sorted by tensor name as llama-imatrix stores them, with
    // llama-quantize's weights (sums / count); datasets, chunk count and size as given.
    ImportanceMatrix result(std::vector<std::string> datasets, std::int64_t chunkCount,
                            std::int64_t chunkSize) const;

private:
    struct Slot {
        std::vector<float> sums;          // columns per matrix (expert), matrices one after another
        std::vector<std::int64_t> counts; // tokens per matrix
    };
    LlamaConfig m_config; // names the tensors (fused families hold several linears in one)
    int m_layers = 0;
    std::vector<Slot> m_slots; // [layer][linear]
};

struct ImatrixCollectOptions {
    int contextLength = 512; // -c of llama-imatrix
    int maxChunks = -1;      // --chunks; -1 = every whole chunk of the text
    // llama-imatrix's -b and -ub. A batch holds batchSize / contextLength chunks as separate
    // sequences, and llama.cpp splits it into ubatches of ubatchSize rows that take
    // ubatchSize / sequences tokens of each sequence in turn (its split_equal). The f32 sums
    // depend on that row order in their last bits, so the same order is kept here: with it, the
    // sums of the first block's Q/K/V inputs (RMSNorm of embedding rows) equal llama-imatrix's
    // bit for bit. The context then holds batchSize / contextLength caches (as llama.cpp's
    // KV cache holds a batch), and each forward call reads the weights for fewer rows: the
    // stories260K collection takes ~2x as long as chunk by chunk.
    int batchSize = 2048;
    int ubatchSize = 512;
    // imatrix.datasets: the text file's name as llama-imatrix was given it (-f).
    std::string datasetName;
};

// Number of whole chunks collectImatrix will evaluate.
int imatrixChunkCount(std::size_t tokenCount, const ImatrixCollectOptions& options);

// Runs `context` over the chunks of `tokens` (tokenized with BOS first) and returns the
// importance matrix (chunkSize = ctx, chunkCount = chunks run). The context's observer is set
// for the run and cleared afterwards. Reports progress in chunks; fails with Cancelled.
Result<ImportanceMatrix> collectImatrix(LlamaContext& context, std::span<const std::int32_t> tokens,
                                        std::int32_t bos, const ImatrixCollectOptions& options,
                                        ProgressSink& progress, const CancelToken& cancel);

} // namespace qs::core
