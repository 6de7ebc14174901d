#pragma once

#include "core/error.h"
#include "core/model/metadata.h"

#include <string>

// Hugging Face tokenizer files made from a GGUF vocabulary, so that a checkpoint folder written
// from a GGUF source loads in transformers' AutoTokenizer and vLLM without the original model's
// files (hf_tokenizer.cpp reads the other way).
namespace qs::core {

struct HfTokenizerFiles {
    std::string tokenizerJson;    // tokenizer.json
    std::string tokenizerConfig;  // tokenizer_config.json
    std::string specialTokensMap; // special_tokens_map.json
};

// For a SentencePiece vocabulary (tokenizer.ggml.model "llama"): a BPE model with byte fallback
// whose merges are every split of a token into two tokens, ordered by the merged token's score
// (what transformers' SentencePiece converter derives; merging by rank then equals llama.cpp's
// highest-score-bigram merging), the dummy-prefix normalizer when add_space_prefix is set, BOS
// through the post-processor when add_bos_token is set, and the control and unknown tokens as
// special added tokens.
// For a byte-level BPE vocabulary ("gpt2": Llama 3, Qwen2/3, ...): the normal tokens as the
// BPE vocabulary, tokenizer.ggml.merges in order, the pre-tokenizer of tokenizer.ggml.pre
// (bpe_pre_tokenizer.h: a Split regex then ByteLevel; an unknown or missing name is an
// Unsupported error, never a guess), the ByteLevel decoder, control/unknown tokens as special
// and user-defined tokens as plain added tokens.
// Both: tokenizer_config.json with bos/eos/unk, add_bos/eos_token, the chat template when the
// GGUF has one, and `contextLength` as model_max_length (0: left out).
Result<HfTokenizerFiles> hfTokenizerFromGguf(const Metadata& metadata, std::uint64_t contextLength);

} // namespace qs::core
