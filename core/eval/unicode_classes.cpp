#include "core/eval/unicode_classes.h"

#include "core/fs/byte_cursor.h"

#include <algorithm>
#include <array>
#include <unordered_map>

namespace qs::core::unicode {

namespace {

struct ClassRun {
    char32_t first; // first code point of a run of code points with the same classes
    std::uint8_t classes;
};

constexpr ClassRun kRuns[] = {
#include "core/eval/unicode_class_ranges.inc"
};

// Byte -> code point of GPT-2's bytes_to_unicode table.
std::array<char32_t, 256> makeByteCodePoints() {
    std::array<char32_t, 256> table{};
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
        table[static_cast<std::size_t>(b)] = printable ? static_cast<char32_t>(b) : next++;
    }
    return table;
}

} // namespace

std::uint8_t classOf(char32_t cp) {
    if (cp < 0x80) { // the common case, without a search
        if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D)) {
            return kWhitespace;
        }
        if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') {
            return kLetter;
        }
        return cp >= '0' && cp <= '9' ? kNumber : 0;
    }
    const auto* it = std::upper_bound(std::begin(kRuns), std::end(kRuns), cp,
                                      [](char32_t c, const ClassRun& r) { return c < r.first; });
    return it == std::begin(kRuns) ? 0 : (it - 1)->classes;
}

std::vector<char32_t> decodeUtf8Lossy(std::string_view text) {
    std::vector<char32_t> out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const Utf8Sequence s = decodeUtf8At(text, i);
        out.push_back(s.length > 0 ? s.codePoint : char32_t{0xFFFD});
        i += s.length > 0 ? s.length : 1;
    }
    return out;
}

void appendUtf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

const std::string& byteSymbol(std::uint8_t byte) {
    static const std::array<std::string, 256> symbols = [] {
        std::array<std::string, 256> s;
        const std::array<char32_t, 256> cps = makeByteCodePoints();
        for (std::size_t b = 0; b < 256; ++b) {
            appendUtf8(s[b], cps[b]);
        }
        return s;
    }();
    return symbols[byte];
}

int symbolByte(std::string_view symbol) {
    static const std::unordered_map<std::string, int> bytes = [] {
        std::unordered_map<std::string, int> m;
        for (int b = 0; b < 256; ++b) {
            m.emplace(byteSymbol(static_cast<std::uint8_t>(b)), b);
        }
        return m;
    }();
    const auto it = bytes.find(std::string(symbol));
    return it == bytes.end() ? -1 : it->second;
}

} // namespace qs::core::unicode
