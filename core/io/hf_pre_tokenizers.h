#pragma once

#include <string>
#include <string_view>

// How a GGUF byte-level BPE vocabulary (tokenizer.ggml.model "gpt2") splits text before merging,
// by its tokenizer.ggml.pre name, in the terms of a Hugging Face tokenizer.json. One table:
// llama.cpp's llama-vocab.cpp maps pre names to a pre-tokenizer type and its regular
// expressions; the regex here is the "original regex from tokenizer.json" it quotes for each
// type (llama.cpp spells the case-insensitive contractions out for its own regex engine).
namespace qs::core {

struct ByteLevelPreTokenizer {
    // The Split regex before ByteLevel; empty: ByteLevel with GPT-2's own regex (use_regex).
    std::string_view regex;
    bool addBos = false;       // llama.cpp's add_bos default for the type (Llama 3: true)
    bool ignoreMerges = false; // llama.cpp's ignore_merges: whole-vocabulary words kept whole
    bool nfc = false;          // the original tokenizer.json normalizes to NFC (Qwen2)
};

// The entry for a tokenizer.ggml.pre name; nullptr for a name not in the table.
const ByteLevelPreTokenizer* byteLevelPreTokenizer(std::string_view pre);
// The names the table knows, comma-separated (for error messages).
std::string knownByteLevelPreTokenizers();

} // namespace qs::core
