#include "core/eval/bpe_pretokenizer.h"

#include "core/eval/unicode_classes.h"

#include <array>
#include <cstdint>

namespace qs::core {

namespace {

struct NamedPreTokenizer {
    std::string_view name;
    BpePreTokenizer settings;
};

// llama.cpp's llama_vocab::load: the names converters write and what each selects. Only
// names whose expression is one of the three scanners here are listed.
constexpr BpePreTokenizer kGpt2{BpeSplit::Gpt2, false, false};
constexpr BpePreTokenizer kLlama3{BpeSplit::Llama3, true, true};
constexpr BpePreTokenizer kLlama3Regex{BpeSplit::Llama3, false, false}; // dbrx, smaug-bpe
constexpr BpePreTokenizer kQwen2{BpeSplit::Qwen2, false, false};
constexpr std::array kNames = {
    NamedPreTokenizer{"llama3", kLlama3},
    NamedPreTokenizer{"llama-v3", kLlama3},
    NamedPreTokenizer{"llama-bpe", kLlama3},
    NamedPreTokenizer{"falcon3", kLlama3},
    NamedPreTokenizer{"falcon-h1", kLlama3},
    NamedPreTokenizer{"pixtral", kLlama3},
    NamedPreTokenizer{"midm-2.0", kLlama3},
    NamedPreTokenizer{"lfm2", kLlama3},
    NamedPreTokenizer{"dbrx", kLlama3Regex},
    NamedPreTokenizer{"smaug-bpe", kLlama3Regex},
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
};

// The expressions as tokenizer.json spells them (convert_hf_to_gguf hashes the tokenizer
// instead; a folder is matched on its pattern).
constexpr std::string_view kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
constexpr std::string_view kLlama3Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kQwen2Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

constexpr char32_t kEnd = 0xFFFFFFFF; // past the text: no class at all

char32_t lowerAscii(char32_t c) {
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

// One scanner for the three expressions; positions are code point indices.
class WordScanner {
public:
    WordScanner(std::string_view text, BpeSplit split)
        : m_cps(unicode::decodeUtf8Lossy(text))
        , m_split(split) {
        m_classes.reserve(m_cps.size());
        for (char32_t c : m_cps) {
            m_classes.push_back(unicode::classOf(c));
        }
    }

    std::vector<std::string> run() {
        std::size_t pos = 0;
        while (pos < m_cps.size()) {
            pos = m_split == BpeSplit::Gpt2 ? nextGpt2(pos) : nextLlama3(pos);
            emit(pos);
        }
        return std::move(m_words);
    }

private:
    char32_t cp(std::size_t i) const { return i < m_cps.size() ? m_cps[i] : kEnd; }
    bool inText(std::size_t i) const { return i < m_cps.size(); }
    bool has(std::size_t i, std::uint8_t c) const { return inText(i) && (m_classes[i] & c); }
    // [^\s\p{L}\p{N}] inside the text.
    bool isOther(std::size_t i) const { return inText(i) && m_classes[i] == 0; }

    void emit(std::size_t end) {
        if (end <= m_start) {
            return;
        }
        std::string word;
        for (std::size_t i = m_start; i < end; ++i) {
            unicode::appendUtf8(word, m_cps[i]);
        }
        m_words.push_back(std::move(word));
        m_start = end;
    }

    // 's 't 'm 'd 're 've 'll: the end of the contraction at pos, or 0.
    std::size_t contraction(std::size_t pos, bool anyCase) const {
        if (cp(pos) != '\'' || !inText(pos + 1)) {
            return 0;
        }
        auto fold = [&](char32_t c) {
            return anyCase ? lowerAscii(c) : c;
        };
        const char32_t a = fold(cp(pos + 1));
        if (a == 's' || a == 't' || a == 'm' || a == 'd') {
            return pos + 2;
        }
        if (!inText(pos + 2)) {
            return 0;
        }
        const char32_t b = fold(cp(pos + 2));
        if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
            return pos + 3;
        }
        return 0;
    }

    // Whitespace from pos: \s+(?!\S) leaves the last one for the word it precedes.
    std::size_t whitespace(std::size_t pos) const {
        std::size_t n = 0;
        while (has(pos + n, unicode::kWhitespace)) {
            ++n;
        }
        if (n > 1 && inText(pos + n)) {
            return pos + n - 1;
        }
        return n > 0 ? pos + n : pos + 1; // one code point matching nothing is a word
    }

    std::size_t nextGpt2(std::size_t pos) const {
        if (const std::size_t end = contraction(pos, false)) {
            return end;
        }
        const std::size_t body = cp(pos) == ' ' ? pos + 1 : pos;
        for (std::uint8_t c : {unicode::kLetter, unicode::kNumber}) {
            if (has(body, c)) { // ' ?\p{L}+' and ' ?\p{N}+'
                std::size_t end = body;
                while (has(end, c)) {
                    ++end;
                }
                return end;
            }
        }
        if (isOther(body)) { // ' ?[^\s\p{L}\p{N}]+'
            std::size_t end = body;
            while (isOther(end)) {
                ++end;
            }
            return end;
        }
        return whitespace(pos);
    }

    std::size_t nextLlama3(std::size_t pos) const {
        if (const std::size_t end = contraction(pos, true)) {
            return end;
        }
        const char32_t c = cp(pos);
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if (c != '\r' && c != '\n' && !has(pos, unicode::kNumber) &&
            (has(pos, unicode::kLetter) || has(pos + 1, unicode::kLetter))) {
            std::size_t end = pos + 1;
            while (has(end, unicode::kLetter)) {
                ++end;
            }
            return end;
        }
        if (has(pos, unicode::kNumber)) { // \p{N}{1,3} or \p{N}
            const std::size_t most = m_split == BpeSplit::Llama3 ? 3 : 1;
            std::size_t end = pos;
            while (end - pos < most && has(end, unicode::kNumber)) {
                ++end;
            }
            return end;
        }
        // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
        const std::size_t body = c == ' ' ? pos + 1 : pos;
        if (isOther(body)) {
            std::size_t end = body;
            while (isOther(end)) {
                ++end;
            }
            while (cp(end) == '\r' || cp(end) == '\n') {
                ++end;
            }
            return end;
        }
        // \s*[\r\n]+: through the last line break of the whitespace run.
        std::size_t lastBreak = 0;
        for (std::size_t i = pos; has(i, unicode::kWhitespace); ++i) {
            if (cp(i) == '\r' || cp(i) == '\n') {
                lastBreak = i + 1;
            }
        }
        return lastBreak > 0 ? lastBreak : whitespace(pos);
    }

    std::vector<char32_t> m_cps;
    std::vector<std::uint8_t> m_classes;
    BpeSplit m_split;
    std::vector<std::string> m_words;
    std::size_t m_start = 0;
};

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

std::optional<BpePreTokenizer> bpePreTokenizerForPattern(std::string_view regex) {
    if (regex == kLlama3Pattern) {
        return kLlama3;
    }
    if (regex == kQwen2Pattern) {
        return kQwen2;
    }
    if (regex == kGpt2Pattern) {
        return kGpt2;
    }
    return std::nullopt;
}

std::vector<std::string> splitBpeWords(std::string_view text, BpeSplit split) {
    return WordScanner(text, split).run();
}

} // namespace qs::core
