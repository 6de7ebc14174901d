#include "core/model/hparams_check.h"

#include "core/model/model.h"

#include <algorithm>
#include <optional>

namespace qs::core {
namespace {

// The value of `<arch>.<key>`: an integer, or the first entry of a per-layer array.
std::optional<std::int64_t> archInteger(const Metadata& md, const std::string& key) {
    if (const auto v = md.integer(key)) {
        return v;
    }
    if (const auto* value = md.find(key); value && value->asArray()) {
        return value->asArray()->integer(0);
    }
    return std::nullopt;
}

// The size of dimension `d` of tensor `name`, when the tensor exists with at least d+1 dims.
std::optional<std::int64_t> dimOf(const Model& model, const std::string& name, std::size_t d) {
    const TensorInfo* t = model.findTensor(name);
    if (!t || t->dims.size() <= d) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(t->dims[d]);
}

} // namespace

Status checkHyperparameters(const Model& model, const std::string& source) {
    const Metadata& md = model.metadata();
    const std::string arch = md.string("general.architecture");
    if (arch.empty()) {
        return {};
    }
    const std::string p = arch + ".";
    auto disagree = [&](const std::string& key, std::int64_t value, const std::string& detail) {
        return makeError(ErrorCode::Format, (source.empty() ? model.path() : source) + ": " + key +
                                                " is " + std::to_string(value) + ", but " + detail +
                                                "; the hyper-parameters do not describe the "
                                                "tensors present");
    };

    // Layer count: every blk.N tensor must lie below block_count, and block N-1 must exist.
    int lastLayer = -1;
    for (const auto& t : model.tensors()) {
        lastLayer = std::max(lastLayer, tensorLayerIndex(t.name).value_or(-1));
    }
    if (const auto blocks = md.integer(p + "block_count")) {
        if (*blocks != lastLayer + 1) {
            return disagree(p + "block_count", *blocks,
                            lastLayer < 0
                                ? std::string("the model has no blk.N tensors")
                                : "the tensors describe " + std::to_string(lastLayer + 1) +
                                      " layers (blk.0 … blk." + std::to_string(lastLayer) + ")");
        }
    }

    const auto embd = archInteger(md, p + "embedding_length");
    const auto embdCols = dimOf(model, "token_embd.weight", 0);
    if (embd && embdCols && *embd != *embdCols) {
        return disagree(p + "embedding_length", *embd,
                        "token_embd.weight has rows of " + std::to_string(*embdCols));
    }
    const auto vocabRows = dimOf(model, "token_embd.weight", 1);
    if (const auto vocab = md.integer(p + "vocab_size");
        vocab && vocabRows && *vocab != *vocabRows) {
        return disagree(p + "vocab_size", *vocab,
                        "token_embd.weight has " + std::to_string(*vocabRows) + " rows");
    }
    if (const auto* tokens = md.find("tokenizer.ggml.tokens");
        tokens && tokens->asArray() && vocabRows &&
        static_cast<std::int64_t>(tokens->asArray()->size()) > *vocabRows) {
        return disagree("the token list's length",
                        static_cast<std::int64_t>(tokens->asArray()->size()),
                        "token_embd.weight has only " + std::to_string(*vocabRows) +
                            " rows (token ids without an embedding)");
    }

    // Attention heads, from the first block's Q and K (fused QKV layouts are not split here).
    const auto heads = archInteger(md, p + "attention.head_count");
    const auto kvHeadsKey = archInteger(md, p + "attention.head_count_kv");
    const auto keyLength = md.integer(p + "attention.key_length");
    if (heads && *heads <= 0 && lastLayer >= 0) {
        return disagree(p + "attention.head_count", *heads, "a model with layers needs heads");
    }
    if (heads && *heads > 0 && embd) {
        const std::int64_t headDim = keyLength.value_or(*embd / *heads);
        if (const auto qRows = dimOf(model, "blk.0.attn_q.weight", 1);
            qRows && *qRows != *heads * headDim) {
            return disagree(p + "attention.head_count", *heads,
                            "blk.0.attn_q.weight has " + std::to_string(*qRows) +
                                " rows, not heads × head size " + std::to_string(headDim));
        }
        const std::int64_t kvHeads = kvHeadsKey.value_or(*heads);
        if (kvHeads <= 0 || kvHeads > *heads) {
            return disagree(p + "attention.head_count_kv", kvHeads,
                            "it must lie in 1.." + std::to_string(*heads));
        }
        if (const auto kRows = dimOf(model, "blk.0.attn_k.weight", 1);
            kRows && *kRows != kvHeads * headDim) {
            return disagree(p + "attention.head_count_kv", kvHeads,
                            "blk.0.attn_k.weight has " + std::to_string(*kRows) +
                                " rows, not KV heads × head size " + std::to_string(headDim));
        }
    }

    // Feed-forward width: ffn_up has n_ff rows, or 2·n_ff where gate and up are fused (phi3).
    if (const auto ff = archInteger(md, p + "feed_forward_length")) {
        if (const auto upRows = dimOf(model, "blk.0.ffn_up.weight", 1)) {
            const bool fused = model.findTensor("blk.0.ffn_gate.weight") == nullptr;
            if (*upRows != *ff && !(fused && *upRows == 2 * *ff)) {
                return disagree(p + "feed_forward_length", *ff,
                                "blk.0.ffn_up.weight has " + std::to_string(*upRows) + " rows");
            }
        }
    }
    return {};
}

} // namespace qs::core
