#include "core/model/metadata.h"

#include <cstring>
#include <sstream>

namespace qs::core {
namespace {

template <typename T>
T loadScalar(const std::uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof(T)); // GGUF is little-endian, as is every host we build for
    return v;
}

std::optional<double> scalarAsNumber(MetaType type, const std::uint8_t* p) {
    switch (type) {
    case MetaType::UInt8:
        return loadScalar<std::uint8_t>(p);
    case MetaType::Int8:
        return loadScalar<std::int8_t>(p);
    case MetaType::UInt16:
        return loadScalar<std::uint16_t>(p);
    case MetaType::Int16:
        return loadScalar<std::int16_t>(p);
    case MetaType::UInt32:
        return loadScalar<std::uint32_t>(p);
    case MetaType::Int32:
        return loadScalar<std::int32_t>(p);
    case MetaType::Float32:
        return loadScalar<float>(p);
    case MetaType::Bool:
        return *p != 0 ? 1.0 : 0.0;
    case MetaType::UInt64:
        return static_cast<double>(loadScalar<std::uint64_t>(p));
    case MetaType::Int64:
        return static_cast<double>(loadScalar<std::int64_t>(p));
    case MetaType::Float64:
        return loadScalar<double>(p);
    case MetaType::String:
    case MetaType::Array:
        break;
    }
    return std::nullopt;
}

std::optional<std::int64_t> scalarAsInteger(MetaType type, const std::uint8_t* p) {
    switch (type) {
    case MetaType::UInt8:
        return loadScalar<std::uint8_t>(p);
    case MetaType::Int8:
        return loadScalar<std::int8_t>(p);
    case MetaType::UInt16:
        return loadScalar<std::uint16_t>(p);
    case MetaType::Int16:
        return loadScalar<std::int16_t>(p);
    case MetaType::UInt32:
        return loadScalar<std::uint32_t>(p);
    case MetaType::Int32:
        return loadScalar<std::int32_t>(p);
    case MetaType::Bool:
        return *p != 0 ? 1 : 0;
    case MetaType::UInt64: {
        const auto v = loadScalar<std::uint64_t>(p);
        if (v > static_cast<std::uint64_t>(INT64_MAX)) {
            return std::nullopt;
        }
        return static_cast<std::int64_t>(v);
    }
    case MetaType::Int64:
        return loadScalar<std::int64_t>(p);
    default:
        return std::nullopt;
    }
}

// Packs a value into its on-disk bytes so that scalar handling has one code path.
std::vector<std::uint8_t> scalarBytes(const MetaValue::Storage& s) {
    std::vector<std::uint8_t> out;
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_arithmetic_v<T>) {
                out.resize(sizeof(T));
                std::memcpy(out.data(), &v, sizeof(T));
            }
        },
        s);
    return out;
}

} // namespace

const char* metaTypeName(MetaType type) {
    switch (type) {
    case MetaType::UInt8:
        return "u8";
    case MetaType::Int8:
        return "i8";
    case MetaType::UInt16:
        return "u16";
    case MetaType::Int16:
        return "i16";
    case MetaType::UInt32:
        return "u32";
    case MetaType::Int32:
        return "i32";
    case MetaType::Float32:
        return "f32";
    case MetaType::Bool:
        return "bool";
    case MetaType::String:
        return "string";
    case MetaType::Array:
        return "array";
    case MetaType::UInt64:
        return "u64";
    case MetaType::Int64:
        return "i64";
    case MetaType::Float64:
        return "f64";
    }
    return "?";
}

bool isValidMetaType(std::uint32_t id) {
    return id <= static_cast<std::uint32_t>(MetaType::Float64);
}

std::size_t metaScalarSize(MetaType type) {
    switch (type) {
    case MetaType::UInt8:
    case MetaType::Int8:
    case MetaType::Bool:
        return 1;
    case MetaType::UInt16:
    case MetaType::Int16:
        return 2;
    case MetaType::UInt32:
    case MetaType::Int32:
    case MetaType::Float32:
        return 4;
    case MetaType::UInt64:
    case MetaType::Int64:
    case MetaType::Float64:
        return 8;
    case MetaType::String:
    case MetaType::Array:
        return 0;
    }
    return 0;
}

std::size_t MetaArray::size() const {
    if (elementType == MetaType::String) {
        return strings.size();
    }
    if (elementType == MetaType::Array) {
        return arrays.size();
    }
    const std::size_t w = metaScalarSize(elementType);
    return w == 0 ? 0 : scalars.size() / w;
}

std::optional<double> MetaArray::number(std::size_t i) const {
    const std::size_t w = metaScalarSize(elementType);
    if (w == 0 || i >= size()) {
        return std::nullopt;
    }
    return scalarAsNumber(elementType, scalars.data() + i * w);
}

std::optional<std::int64_t> MetaArray::integer(std::size_t i) const {
    const std::size_t w = metaScalarSize(elementType);
    if (w == 0 || i >= size()) {
        return std::nullopt;
    }
    return scalarAsInteger(elementType, scalars.data() + i * w);
}

MetaArray MetaArray::ofStrings(std::vector<std::string> values) {
    MetaArray a;
    a.elementType = MetaType::String;
    a.strings = std::move(values);
    return a;
}

MetaArray MetaArray::ofFloat32(const std::vector<float>& values) {
    MetaArray a;
    a.elementType = MetaType::Float32;
    a.scalars.resize(values.size() * sizeof(float));
    if (!values.empty()) { // memcpy from an empty vector's null data() is undefined
        std::memcpy(a.scalars.data(), values.data(), a.scalars.size());
    }
    return a;
}

MetaArray MetaArray::ofInt32(const std::vector<std::int32_t>& values) {
    MetaArray a;
    a.elementType = MetaType::Int32;
    a.scalars.resize(values.size() * sizeof(std::int32_t));
    if (!values.empty()) {
        std::memcpy(a.scalars.data(), values.data(), a.scalars.size());
    }
    return a;
}

bool MetaArray::operator==(const MetaArray& other) const {
    return elementType == other.elementType && scalars == other.scalars &&
           strings == other.strings && arrays == other.arrays;
}

std::optional<std::int64_t> MetaValue::asInteger() const {
    const auto bytes = scalarBytes(m_value);
    if (bytes.empty()) {
        return std::nullopt;
    }
    return scalarAsInteger(type(), bytes.data());
}

std::optional<double> MetaValue::asNumber() const {
    const auto bytes = scalarBytes(m_value);
    if (bytes.empty()) {
        return std::nullopt;
    }
    return scalarAsNumber(type(), bytes.data());
}

std::optional<bool> MetaValue::asBool() const {
    if (const auto* b = std::get_if<bool>(&m_value)) {
        return *b;
    }
    return std::nullopt;
}

namespace {

void appendQuoted(std::ostringstream& os, const std::string& s) {
    os << '"';
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            os << '\\' << c;
        } else if (c < 0x20) {
            static const char* hex = "0123456789abcdef";
            os << "\\x" << hex[c >> 4] << hex[c & 15];
        } else {
            os << c;
        }
    }
    os << '"';
}

void appendArray(std::ostringstream& os, const MetaArray& a, std::size_t maxItems) {
    const std::size_t n = a.size();
    os << '[';
    for (std::size_t i = 0; i < n && i < maxItems; ++i) {
        if (i > 0) {
            os << ", ";
        }
        if (a.elementType == MetaType::String) {
            appendQuoted(os, a.strings[i]);
        } else if (a.elementType == MetaType::Array) {
            os << a.arrays[i].toDisplayString(maxItems);
        } else if (a.elementType == MetaType::Bool) {
            os << (a.scalars[i] ? "true" : "false");
        } else {
            os << *a.number(i);
        }
    }
    if (n > maxItems) {
        os << ", ... (" << n << " " << metaTypeName(a.elementType) << ")";
    }
    os << ']';
}

} // namespace

std::string MetaValue::toDisplayString(std::size_t maxItems) const {
    std::ostringstream os;
    os.precision(9);
    if (const auto* s = asString()) {
        appendQuoted(os, *s);
    } else if (const auto* a = asArray()) {
        appendArray(os, *a, maxItems);
    } else if (const auto b = asBool()) {
        os << (*b ? "true" : "false");
    } else if (type() == MetaType::Float32 || type() == MetaType::Float64) {
        os << *asNumber();
    } else if (type() == MetaType::UInt64) {
        os << std::get<std::uint64_t>(m_value);
    } else {
        os << *asInteger();
    }
    return os.str();
}

const MetaValue* Metadata::find(std::string_view key) const {
    const auto it = m_index.find(key);
    return it == m_index.end() ? nullptr : &m_entries[it->second].second;
}

void Metadata::set(const std::string& key, MetaValue value) {
    const auto it = m_index.find(key);
    if (it != m_index.end()) {
        m_entries[it->second].second = std::move(value);
        return;
    }
    m_index.emplace(key, m_entries.size());
    m_entries.emplace_back(key, std::move(value));
}

bool Metadata::insertNew(const std::string& key, MetaValue value) {
    if (m_index.count(key) != 0) {
        return false;
    }
    m_index.emplace(key, m_entries.size());
    m_entries.emplace_back(key, std::move(value));
    return true;
}

void Metadata::erase(std::string_view key) {
    const auto it = m_index.find(key);
    if (it == m_index.end()) {
        return;
    }
    m_entries.erase(m_entries.begin() + static_cast<std::ptrdiff_t>(it->second));
    m_index.clear();
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
        m_index.emplace(m_entries[i].first, i);
    }
}

std::optional<std::int64_t> Metadata::integer(std::string_view key) const {
    const auto* v = find(key);
    return v ? v->asInteger() : std::nullopt;
}

std::optional<double> Metadata::number(std::string_view key) const {
    const auto* v = find(key);
    return v ? v->asNumber() : std::nullopt;
}

std::string Metadata::string(std::string_view key, std::string fallback) const {
    const auto* v = find(key);
    if (v && v->asString()) {
        return *v->asString();
    }
    return fallback;
}

} // namespace qs::core
