#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace qs::core {

// GGUF metadata value types with their on-disk ids (gguf.h `gguf_type`).
enum class MetaType : std::uint32_t {
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
};

const char* metaTypeName(MetaType type);
bool isValidMetaType(std::uint32_t id);
// Bytes of one scalar element on disk; 0 for String and Array.
std::size_t metaScalarSize(MetaType type);

class MetaValue;

// A GGUF array. Scalars are kept packed little-endian exactly as on disk (compact: a 150k
// token score array costs 600 kB, and hostile counts cannot inflate memory beyond the file
// size); strings and nested arrays are kept as objects.
struct MetaArray {
    MetaType elementType = MetaType::UInt8;
    std::vector<std::uint8_t> scalars; // elementType is a scalar type
    std::vector<std::string> strings;  // elementType == String
    std::vector<MetaValue> arrays;     // elementType == Array

    std::size_t size() const;
    // Element i as a number (scalar arrays only); nullopt for strings, arrays, out of range.
    std::optional<double> number(std::size_t i) const;
    std::optional<std::int64_t> integer(std::size_t i) const;

    static MetaArray ofStrings(std::vector<std::string> values);
    static MetaArray ofFloat32(const std::vector<float>& values);
    static MetaArray ofInt32(const std::vector<std::int32_t>& values);

    bool operator==(const MetaArray&) const;
};

// One metadata value; the variant index equals the GGUF type id.
class MetaValue {
public:
    using Storage = std::variant<std::uint8_t, std::int8_t, std::uint16_t, std::int16_t,
                                 std::uint32_t, std::int32_t, float, bool, std::string, MetaArray,
                                 std::uint64_t, std::int64_t, double>;

    MetaValue()
        : m_value(std::uint8_t{0}) {}
    template <typename T>
    requires(!std::is_same_v<std::decay_t<T>, MetaValue>) explicit MetaValue(T value)
        : m_value(std::move(value)) {}
    explicit MetaValue(const char* text)
        : m_value(std::string(text)) {}

    MetaType type() const { return static_cast<MetaType>(m_value.index()); }
    const Storage& storage() const { return m_value; }

    // Integers of any width and bools; nullopt for other types or when out of int64 range.
    std::optional<std::int64_t> asInteger() const;
    // Any number (integers and floats).
    std::optional<double> asNumber() const;
    std::optional<bool> asBool() const;
    const std::string* asString() const { return std::get_if<std::string>(&m_value); }
    const MetaArray* asArray() const { return std::get_if<MetaArray>(&m_value); }

    // Short human-readable text; arrays longer than maxItems are abbreviated.
    std::string toDisplayString(std::size_t maxItems = 8) const;

    bool operator==(const MetaValue&) const = default;

private:
    Storage m_value;
};

// Key/value pairs in file order (a rewrite must keep the order), with lookup by key.
class Metadata {
public:
    const std::vector<std::pair<std::string, MetaValue>>& entries() const { return m_entries; }
    std::size_t size() const { return m_entries.size(); }

    const MetaValue* find(std::string_view key) const;
    bool contains(std::string_view key) const { return find(key) != nullptr; }
    // Replaces the value of an existing key in place, or appends.
    void set(const std::string& key, MetaValue value);
    // False (and nothing changes) when the key exists: readers reject duplicates.
    bool insertNew(const std::string& key, MetaValue value);
    void erase(std::string_view key);

    std::optional<std::int64_t> integer(std::string_view key) const;
    std::optional<double> number(std::string_view key) const;
    std::string string(std::string_view key, std::string fallback = {}) const;

private:
    std::vector<std::pair<std::string, MetaValue>> m_entries;
    std::map<std::string, std::size_t, std::less<>> m_index;
};

} // namespace qs::core
