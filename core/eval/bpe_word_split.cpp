#include "core/eval/bpe_word_split.h"

#include "core/eval/unicode_classes.h"

#include <cstdint>

namespace qs::core {

namespace {

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

std::vector<std::string> splitBpeWords(std::string_view text, BpeSplit split) {
    return WordScanner(text, split).run();
}

} // namespace qs::core
