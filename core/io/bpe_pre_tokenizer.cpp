#include "core/io/bpe_pre_tokenizer.h"

#include <array>
#include <nlohmann/json.hpp>

namespace qs::core {

namespace {

struct NamedPreTokenizer {
    std::string_view name;
    BpePreTokenizer settings;
};

// The expressions as tokenizer.json spells them.
constexpr std::string_view kLlama3Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kQwen2Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kGpt4oRegex =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// llama.cpp's llama_vocab::load: the types its names select (split, ignore_merges, add_bos).
constexpr BpePreTokenizer kGpt2{BpeSplit::Gpt2, false, false, "gpt-2", {}, false};
constexpr BpePreTokenizer kLlama3{BpeSplit::Llama3, true, true, "llama-bpe", kLlama3Regex, false};
// DBRX and Smaug: Llama 3's expression without its merge and BOS defaults.
constexpr BpePreTokenizer kCl100k{BpeSplit::Llama3, false, false, "dbrx", kLlama3Regex, false};
constexpr BpePreTokenizer kQwen2{BpeSplit::Qwen2, false, false, "qwen2", kQwen2Regex, true};
constexpr BpePreTokenizer kGpt4o{BpeSplit::Gpt4o, false, false, "gpt-4o", kGpt4oRegex, false};

// The names converters write, as llama-vocab.cpp maps them. A name missing here (DeepSeek,
// Falcon, Tekken, ...) is refused rather than guessed.
constexpr std::array kNames = {
    NamedPreTokenizer{"llama3", kLlama3},
    NamedPreTokenizer{"llama-v3", kLlama3},
    NamedPreTokenizer{"llama-bpe", kLlama3},
    NamedPreTokenizer{"falcon3", kLlama3},
    NamedPreTokenizer{"falcon-h1", kLlama3},
    NamedPreTokenizer{"pixtral", kLlama3},
    NamedPreTokenizer{"midm-2.0", kLlama3},
    NamedPreTokenizer{"lfm2", kLlama3},
    NamedPreTokenizer{"dbrx", kCl100k},
    NamedPreTokenizer{"smaug-bpe", kCl100k},
    NamedPreTokenizer{"qwen2", kQwen2},
    NamedPreTokenizer{"deepseek-r1-qwen", kQwen2},
    NamedPreTokenizer{"megrez", kQwen2},
    NamedPreTokenizer{"stablelm2", kQwen2},
    NamedPreTokenizer{"gpt-2", kGpt2},
    NamedPreTokenizer{"phi-2", kGpt2},
    NamedPreTokenizer{"mpt", kGpt2},
    NamedPreTokenizer{"olmo", kGpt2},
    NamedPreTokenizer{"jais", kGpt2},
    NamedPreTokenizer{"trillion", kGpt2},
    NamedPreTokenizer{"granite-docling", kGpt2},
    NamedPreTokenizer{"exaone4", kGpt2},
    NamedPreTokenizer{"jina-es", kGpt2},
    NamedPreTokenizer{"jina-de", kGpt2},
    NamedPreTokenizer{"jina-v2-es", kGpt2},
    NamedPreTokenizer{"jina-v2-de", kGpt2},
    NamedPreTokenizer{"jina-v2-code", kGpt2},
    NamedPreTokenizer{"gpt-4o", kGpt4o},
    NamedPreTokenizer{"llama4", kGpt4o},
};

// A tokenizer.json's Split expression -> the type converters name it by (first match).
std::optional<BpePreTokenizer> forPattern(std::string_view regex) {
    for (const BpePreTokenizer& p : {kLlama3, kQwen2, kGpt4o}) {
        if (p.regex == regex) {
            return p;
        }
    }
    return std::nullopt;
}

} // namespace

std::optional<BpePreTokenizer> bpePreTokenizerFor(std::string_view pre) {
    for (const NamedPreTokenizer& n : kNames) {
        if (n.name == pre) {
            return n.settings;
        }
    }
    return std::nullopt;
}

std::string supportedBpePreTokenizers() {
    std::string list;
    for (const NamedPreTokenizer& n : kNames) {
        list += list.empty() ? "" : ", ";
        list += n.name;
    }
    return list;
}

std::optional<BpePreTokenizer> byteLevelPreTokenizerOf(const nlohmann::json& root) {
    const auto& pre = root.value("pre_tokenizer", nlohmann::json());
    if (!pre.is_object()) {
        return std::nullopt;
    }
    const std::string type = pre.value("type", "");
    if (type == "ByteLevel") { // with its own expression, which is GPT-2's
        if (pre.value("add_prefix_space", false) || !pre.value("use_regex", true)) {
            return std::nullopt;
        }
        return kGpt2;
    }
    if (type != "Sequence" || !pre.contains("pretokenizers") || !pre["pretokenizers"].is_array()) {
        return std::nullopt;
    }
    const auto& steps = pre["pretokenizers"];
    if (steps.size() != 2 || !steps[0].is_object() || !steps[1].is_object() ||
        steps[0].value("type", "") != "Split" || steps[1].value("type", "") != "ByteLevel" ||
        steps[1].value("use_regex", true) || steps[1].value("add_prefix_space", false)) {
        return std::nullopt;
    }
    const auto& pattern = steps[0].value("pattern", nlohmann::json());
    if (!pattern.is_object() || !pattern.contains("Regex") || !pattern["Regex"].is_string()) {
        return std::nullopt;
    }
    return forPattern(pattern["Regex"].get<std::string>());
}

} // namespace qs::core
