#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qs::core {

// How a byte-level BPE vocabulary cuts text into words before merging, as llama.cpp does for
// the GGUF key tokenizer.ggml.pre. Each is one regular expression of the model's
// tokenizer.json, run by llama.cpp as a hand-written scanner:
//   Gpt2:   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//   Llama3: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//           ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//   Qwen2:  as Llama3 with \p{N} (one digit per word) for \p{N}{1,3}
enum class BpeSplit { Gpt2, Llama3, Qwen2 };

struct BpePreTokenizer {
    BpeSplit split = BpeSplit::Gpt2;
    // A word that is itself a token is taken whole, without merging (llama.cpp's
    // ignore_merges, set for the Llama 3 family).
    bool ignoreMerges = false;
    // llama.cpp's add_bos default for this pre-tokenizer (the GGUF key overrides it).
    bool addBos = false;
};

// llama.cpp's settings for a tokenizer.ggml.pre value; nullopt for one not supported here.
std::optional<BpePreTokenizer> bpePreTokenizerFor(std::string_view pre);

// The supported tokenizer.ggml.pre values, comma-separated (for error messages).
std::string supportedBpePreTokenizers();

// The pre-tokenizer for a tokenizer.json Split pattern (the regex, as in the file); nullopt
// for a pattern that is none of the three above.
std::optional<BpePreTokenizer> bpePreTokenizerForPattern(std::string_view regex);

// The words of `text`: each the UTF-8 of a run of its code points (invalid UTF-8 bytes become
// U+FFFD, as in llama.cpp), in order, together the whole text.
std::vector<std::string> splitBpeWords(std::string_view text, BpeSplit split);

} // namespace qs::core
