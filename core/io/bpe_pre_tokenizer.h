#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace qs::core {

// How a byte-level BPE vocabulary cuts text into words before merging: llama.cpp's settings
// for the GGUF key tokenizer.ggml.pre, and the regular expression of the model's
// tokenizer.json each stands for (core/eval/bpe_word_split runs them):
//   Gpt2:   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//   Llama3: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//           ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//   Qwen2:  as Llama3 with \p{N} (one digit per word) for \p{N}{1,3}
//   Gpt4o:  GPT-4o's o200k expression (case-aware letter runs); its tokenizer files are
//           written, but no scanner here runs it
enum class BpeSplit { Gpt2, Llama3, Qwen2, Gpt4o };

struct BpePreTokenizer {
    BpeSplit split = BpeSplit::Gpt2;
    // A word that is itself a token is taken whole, without merging (llama.cpp's
    // ignore_merges, set for the Llama 3 family).
    bool ignoreMerges = false;
    // llama.cpp's add_bos default for this pre-tokenizer (the GGUF key overrides it).
    bool addBos = false;
    // The tokenizer.ggml.pre a converter writes for this expression.
    std::string_view ggufName;
    // The Split expression before ByteLevel in the model's tokenizer.json, as llama.cpp quotes
    // it per type ("original regex from tokenizer.json"); empty for GPT-2's, which ByteLevel
    // applies itself (use_regex).
    std::string_view regex;
    // The original tokenizer.json normalizes to NFC first (Qwen2's); llama.cpp does not.
    bool nfc = false;
};

// llama.cpp's settings for a tokenizer.ggml.pre value; nullopt for one not supported here.
std::optional<BpePreTokenizer> bpePreTokenizerFor(std::string_view pre);

// The supported tokenizer.ggml.pre values, comma-separated (for error messages).
std::string supportedBpePreTokenizers();

// The pre-tokenizer of a byte-level tokenizer.json (its parsed document): ByteLevel alone
// (GPT-2's expression) or a Split on one of the expressions above followed by ByteLevel without
// its own regex. nullopt for any other pipeline.
std::optional<BpePreTokenizer> byteLevelPreTokenizerOf(const nlohmann::json& tokenizerJson);

} // namespace qs::core
