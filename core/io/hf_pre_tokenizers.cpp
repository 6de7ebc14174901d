#include "core/io/hf_pre_tokenizers.h"

#include <array>

namespace qs::core {
namespace {

// LLAMA_VOCAB_PRE_TYPE_LLAMA3 (also DBRX and SMAUG: the cl100k split).
constexpr ByteLevelPreTokenizer kLlama3{
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
    true, true, false};
// As Llama 3's split, without the BOS and merge defaults of LLAMA3 (DBRX, SMAUG types).
constexpr ByteLevelPreTokenizer kCl100k{kLlama3.regex, false, false, false};
// LLAMA_VOCAB_PRE_TYPE_QWEN2 (single digits); Qwen2's tokenizer.json normalizes to NFC.
constexpr ByteLevelPreTokenizer kQwen2{
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
    false, false, true};
// LLAMA_VOCAB_PRE_TYPE_GPT2: ByteLevel's built-in GPT-2 regex.
constexpr ByteLevelPreTokenizer kGpt2{"", false, false, false};
// LLAMA_VOCAB_PRE_TYPE_GPT4O (o200k split).
constexpr ByteLevelPreTokenizer kGpt4o{
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
    false, false, false};

struct Named {
    std::string_view name;
    const ByteLevelPreTokenizer* splitter;
};

// tokenizer.ggml.pre names as llama-vocab.cpp maps them to the types above.
constexpr std::array kByName{
    Named{"llama3", &kLlama3},    Named{"llama-v3", &kLlama3}, Named{"llama-bpe", &kLlama3},
    Named{"falcon3", &kLlama3},   Named{"pixtral", &kLlama3},  Named{"dbrx", &kCl100k},
    Named{"smaug-bpe", &kCl100k}, Named{"qwen2", &kQwen2},     Named{"deepseek-r1-qwen", &kQwen2},
    Named{"megrez", &kQwen2},     Named{"gpt-2", &kGpt2},      Named{"phi-2", &kGpt2},
    Named{"mpt", &kGpt2},         Named{"olmo", &kGpt2},       Named{"gpt-4o", &kGpt4o},
    Named{"llama4", &kGpt4o},
};

} // namespace

const ByteLevelPreTokenizer* byteLevelPreTokenizer(std::string_view pre) {
    for (const auto& n : kByName) {
        if (n.name == pre) {
            return n.splitter;
        }
    }
    return nullptr;
}

std::string knownByteLevelPreTokenizers() {
    std::string s;
    for (const auto& n : kByName) {
        s += (s.empty() ? "" : ", ") + std::string(n.name);
    }
    return s;
}

} // namespace qs::core
