#include "core/fs/byte_cursor.h"

#include <string_view>

namespace qs::core {

Utf8Sequence decodeUtf8At(std::string_view text, std::size_t i) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data()) + i;
    const std::size_t left = text.size() - i;
    const unsigned c = p[0];
    if (c < 0x80) {
        return {c, 1};
    }
    std::size_t extra = 0;
    char32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
        extra = 1;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        extra = 2;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        extra = 3;
        cp = c & 0x07;
    } else {
        return {};
    }
    if (left <= extra) {
        return {};
    }
    for (std::size_t k = 1; k <= extra; ++k) {
        if ((p[k] & 0xC0) != 0x80) {
            return {};
        }
        cp = (cp << 6) | (p[k] & 0x3F);
    }
    return {cp, extra + 1};
}

bool isValidUtf8(std::string_view text) {
    static constexpr char32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    for (std::size_t i = 0; i < text.size();) {
        const Utf8Sequence s = decodeUtf8At(text, i);
        if (s.length == 0 || s.codePoint < kMinForLength[s.length] || s.codePoint > 0x10FFFF ||
            (s.codePoint >= 0xD800 && s.codePoint <= 0xDFFF)) {
            return false;
        }
        i += s.length;
    }
    return true;
}

} // namespace qs::core
