#pragma once

#include "core/error.h"
#include "core/eval/tokenizer.h"

#include <string>

namespace qs::core {

class Metadata;

// llama2.c tokenizer.bin: int32 max_token_length, then per token float score, int32 length and
// the bytes. Ids 0-2 are <unk>, BOS, EOS; "<0xXX>" pieces are byte tokens; spaces are stored as
// plain spaces and are turned into U+2581 here so that one encoder serves every container.
Result<Tokenizer> loadLlama2cTokenizer(const std::string& path);

// The tokenizer stored in GGUF metadata (tokenizer.ggml.*). Supports model "llama".
Result<Tokenizer> tokenizerFromMetadata(const Metadata& metadata);

// A Hugging Face tokenizer.json of the Llama family (model BPE with byte_fallback, normalizer
// Prepend(U+2581) + Replace(" " -> U+2581), or the Metaspace pre-tokenizer equivalent).
Result<Tokenizer> loadHfTokenizerJson(const std::string& path);

// By file name: *.json -> loadHfTokenizerJson, anything else -> loadLlama2cTokenizer.
Result<Tokenizer> loadTokenizerFile(const std::string& path);

} // namespace qs::core
