#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qs::core::unicode {

// The classes the byte-level BPE pre-tokenizers test: regex \p{L}, \p{N} and llama.cpp's
// whitespace set (which is not C's isspace nor Python's). Bits of classOf's result.
enum Class : std::uint8_t {
    kLetter = 1,
    kNumber = 2,
    kWhitespace = 4,
};

// Class bits of a code point (0 for punctuation, symbols, marks, controls, unassigned).
std::uint8_t classOf(char32_t cp);

// Code points of UTF-8 text as llama.cpp decodes it: a byte that does not start a complete
// sequence becomes U+FFFD and decoding goes on at the next byte.
std::vector<char32_t> decodeUtf8Lossy(std::string_view text);

void appendUtf8(std::string& out, char32_t cp);

// GPT-2's byte-level alphabet: every byte as one printable code point (printable Latin-1 bytes
// stand for themselves, the others for U+0100 onwards in byte order), as UTF-8.
const std::string& byteSymbol(std::uint8_t byte);
// The byte a symbol of that alphabet stands for; -1 when `symbol` is not one.
int symbolByte(std::string_view symbol);

} // namespace qs::core::unicode
