#pragma once

#include "core/error.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>

namespace qs::core {

// Bounds-checked little-endian reads over a mapped file. Every read checks the remaining
// length first, so hostile sizes can only produce a Format error naming the file, the
// section being read and the offset, never an out-of-range access.
class ByteCursor {
public:
    ByteCursor(std::span<const std::byte> data, const std::string& fileName)
        : m_data(data)
        , m_file(fileName) {}

    std::uint64_t offset() const { return m_offset; }
    std::uint64_t remaining() const { return m_data.size() - m_offset; }
    std::uint64_t size() const { return m_data.size(); }

    template <typename T>
    requires std::is_arithmetic_v<T> Result<T> read(const char* what) {
        if (remaining() < sizeof(T)) {
            return truncated(what, sizeof(T));
        }
        T v;
        std::memcpy(&v, m_data.data() + m_offset, sizeof(T));
        m_offset += sizeof(T);
        return v;
    }

    Result<std::span<const std::byte>> bytes(std::uint64_t n, const char* what) {
        if (remaining() < n) {
            return truncated(what, n);
        }
        auto s = m_data.subspan(static_cast<std::size_t>(m_offset), static_cast<std::size_t>(n));
        m_offset += n;
        return s;
    }

    Error truncated(const char* what, std::uint64_t needed) const {
        return makeError(ErrorCode::Format, m_file + ": truncated while reading " + what +
                                                " at offset " + std::to_string(m_offset) + " (" +
                                                std::to_string(needed) + " bytes needed, " +
                                                std::to_string(remaining()) + " left)");
    }
    Error error(const std::string& what) const { return errorAt(what, m_offset); }
    Error errorAt(const std::string& what, std::uint64_t offset) const {
        return makeError(ErrorCode::Format,
                         m_file + ": " + what + " (offset " + std::to_string(offset) + ")");
    }
    const std::string& fileName() const { return m_file; }

private:
    std::span<const std::byte> m_data;
    std::string m_file;
    std::uint64_t m_offset = 0;
};

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool isValidUtf8(std::string_view text);

// The UTF-8 sequence starting at text[i]: its code point and byte length, or length 0 when the
// bytes there do not have a sequence's shape (a lead byte, then enough continuation bytes).
// Overlong forms, surrogates and values past U+10FFFF come back decoded; isValidUtf8 refuses
// them.
struct Utf8Sequence {
    char32_t codePoint = 0;
    std::size_t length = 0;
};
Utf8Sequence decodeUtf8At(std::string_view text, std::size_t i);

} // namespace qs::core
