#include "core/io/gguf_reader.h"

#include "core/fs/byte_cursor.h"
#include "core/io/gguf_format.h"
#include "core/try.h"

#include <set>

namespace qs::core {
namespace {

class GgufParser {
public:
    GgufParser(std::shared_ptr<const MappedFile> file)
        : m_file(std::move(file))
        , m_in(m_file->bytes(), m_file->path()) {}

    Result<Model> parse();

private:
    Result<std::string> readString(const char* what);
    Result<MetaValue> readValue(MetaType type, const std::string& key, int depth);
    Result<MetaArray> readArray(const std::string& key, int depth);
    Status readTensorInfo(std::uint64_t index, std::set<std::string>& names,
                          std::vector<TensorInfo>& out);

    std::shared_ptr<const MappedFile> m_file;
    ByteCursor m_in;
};

Result<std::string> GgufParser::readString(const char* what) {
    const auto at = m_in.offset();
    QS_TRY_ASSIGN(length, m_in.read<std::uint64_t>(what));
    if (length > m_in.remaining()) {
        return m_in.errorAt(std::string(what) + ": string length " + std::to_string(length) +
                                " runs past the end of the file",
                            at);
    }
    QS_TRY_ASSIGN(raw, m_in.bytes(length, what));
    return std::string(reinterpret_cast<const char*>(raw.data()), raw.size());
}

Result<MetaArray> GgufParser::readArray(const std::string& key, int depth) {
    const auto at = m_in.offset();
    if (depth >= gguf::kMaxArrayDepth) {
        return m_in.errorAt("metadata '" + key + "': arrays nested deeper than " +
                                std::to_string(gguf::kMaxArrayDepth) + " levels",
                            at);
    }
    QS_TRY_ASSIGN(typeId, m_in.read<std::uint32_t>("array element type"));
    if (!isValidMetaType(typeId)) {
        return m_in.errorAt(
            "metadata '" + key + "': unknown array element type " + std::to_string(typeId), at);
    }
    QS_TRY_ASSIGN(count, m_in.read<std::uint64_t>("array length"));
    MetaArray array;
    array.elementType = static_cast<MetaType>(typeId);
    // Every element takes at least one byte (strings 8, arrays 12), so a count larger than
    // what is left is a lie; checking before reserving keeps hostile counts from allocating.
    const std::size_t scalarSize = metaScalarSize(array.elementType);
    const std::uint64_t minElementBytes = scalarSize != 0                         ? scalarSize
                                          : array.elementType == MetaType::String ? 8
                                                                                  : 12;
    if (count > m_in.remaining() / minElementBytes) {
        return m_in.errorAt("metadata '" + key + "': array of " + std::to_string(count) + " " +
                                metaTypeName(array.elementType) +
                                " elements runs past the end of the file",
                            at);
    }
    if (scalarSize != 0) {
        QS_TRY_ASSIGN(raw, m_in.bytes(count * scalarSize, "array data"));
        const auto* p = reinterpret_cast<const std::uint8_t*>(raw.data());
        array.scalars.assign(p, p + raw.size());
        if (array.elementType == MetaType::Bool) {
            for (std::uint64_t i = 0; i < count; ++i) {
                if (array.scalars[i] > 1) {
                    return m_in.errorAt("metadata '" + key + "': bool element " +
                                            std::to_string(i) + " is neither 0 nor 1",
                                        m_in.offset() - count + i);
                }
            }
        }
        return array;
    }
    if (array.elementType == MetaType::String) {
        array.strings.reserve(count);
        for (std::uint64_t i = 0; i < count; ++i) {
            QS_TRY_ASSIGN(s, readString("array string"));
            array.strings.push_back(std::move(s));
        }
        return array;
    }
    array.arrays.reserve(count);
    for (std::uint64_t i = 0; i < count; ++i) {
        QS_TRY_ASSIGN(inner, readArray(key, depth + 1));
        array.arrays.emplace_back(std::move(inner));
    }
    return array;
}

Result<MetaValue> GgufParser::readValue(MetaType type, const std::string& key, int depth) {
    const char* what = "metadata value";
    switch (type) {
    case MetaType::UInt8: {
        QS_TRY_ASSIGN(v, m_in.read<std::uint8_t>(what));
        return MetaValue(v);
    }
    case MetaType::Int8: {
        QS_TRY_ASSIGN(v, m_in.read<std::int8_t>(what));
        return MetaValue(v);
    }
    case MetaType::UInt16: {
        QS_TRY_ASSIGN(v, m_in.read<std::uint16_t>(what));
        return MetaValue(v);
    }
    case MetaType::Int16: {
        QS_TRY_ASSIGN(v, m_in.read<std::int16_t>(what));
        return MetaValue(v);
    }
    case MetaType::UInt32: {
        QS_TRY_ASSIGN(v, m_in.read<std::uint32_t>(what));
        return MetaValue(v);
    }
    case MetaType::Int32: {
        QS_TRY_ASSIGN(v, m_in.read<std::int32_t>(what));
        return MetaValue(v);
    }
    case MetaType::Float32: {
        QS_TRY_ASSIGN(v, m_in.read<float>(what));
        return MetaValue(v);
    }
    case MetaType::Bool: {
        const auto at = m_in.offset();
        QS_TRY_ASSIGN(v, m_in.read<std::uint8_t>(what));
        if (v > 1) {
            return m_in.errorAt("metadata '" + key + "': bool value " + std::to_string(v) +
                                    " is neither 0 nor 1",
                                at);
        }
        return MetaValue(v != 0);
    }
    case MetaType::String: {
        QS_TRY_ASSIGN(v, readString(what));
        return MetaValue(std::move(v));
    }
    case MetaType::Array: {
        QS_TRY_ASSIGN(v, readArray(key, depth));
        return MetaValue(std::move(v));
    }
    case MetaType::UInt64: {
        QS_TRY_ASSIGN(v, m_in.read<std::uint64_t>(what));
        return MetaValue(v);
    }
    case MetaType::Int64: {
        QS_TRY_ASSIGN(v, m_in.read<std::int64_t>(what));
        return MetaValue(v);
    }
    case MetaType::Float64: {
        QS_TRY_ASSIGN(v, m_in.read<double>(what));
        return MetaValue(v);
    }
    }
    return m_in.error("metadata '" + key + "': unknown value type");
}

Status GgufParser::readTensorInfo(std::uint64_t index, std::set<std::string>& names,
                                  std::vector<TensorInfo>& out) {
    const auto at = m_in.offset();
    QS_TRY_ASSIGN(name, readString("tensor name"));
    const std::string label = "tensor " + std::to_string(index) + " '" + name + "'";
    if (name.size() > gguf::kMaxNameBytes) {
        return m_in.errorAt(label + ": name is " + std::to_string(name.size()) +
                                " bytes, ggml allows at most 63",
                            at);
    }
    if (!isValidUtf8(name)) {
        return m_in.errorAt("tensor " + std::to_string(index) + ": name is not valid UTF-8", at);
    }
    if (!names.insert(name).second) {
        return m_in.errorAt(label + ": duplicate tensor name", at);
    }
    QS_TRY_ASSIGN(nDims, m_in.read<std::uint32_t>("tensor dimension count"));
    if (nDims > gguf::kMaxDims) {
        return m_in.errorAt(label + ": " + std::to_string(nDims) + " dimensions, at most 4 allowed",
                            at);
    }
    TensorInfo t;
    t.name = name;
    t.sourceName = name;
    std::uint64_t elements = 1;
    for (std::uint32_t d = 0; d < nDims; ++d) {
        QS_TRY_ASSIGN(ne, m_in.read<std::uint64_t>("tensor dimension"));
        // ggml keeps dims as int64 and rejects products past INT64_MAX.
        if (ne > static_cast<std::uint64_t>(INT64_MAX) ||
            (ne != 0 && elements > static_cast<std::uint64_t>(INT64_MAX) / ne)) {
            return m_in.errorAt(label + ": dimensions overflow a 64-bit element count", at);
        }
        elements *= ne;
        t.dims.push_back(ne);
    }
    QS_TRY_ASSIGN(typeId, m_in.read<std::uint32_t>("tensor type"));
    const GgmlTypeInfo* type = ggmlTypeInfo(typeId);
    if (type == nullptr) {
        return m_in.errorAt(label + ": unknown or removed ggml type id " + std::to_string(typeId),
                            at);
    }
    t.type = type->type;
    const std::uint64_t ne0 = t.dims.empty() ? 1 : t.dims[0];
    if (ne0 / type->blockSize > UINT64_MAX / type->bytesPerBlock) {
        return m_in.errorAt(label + ": byte size overflows 64 bits", at);
    }
    const auto rowBytes = ggmlRowBytes(type->type, ne0);
    if (!rowBytes) {
        return m_in.errorAt(label + ": row length " + std::to_string(ne0) +
                                " is not a multiple of the " + std::string(type->name) +
                                " block size " + std::to_string(type->blockSize),
                            at);
    }
    const std::uint64_t rows = ne0 == 0 ? 0 : elements / ne0;
    if (rows != 0 && *rowBytes > UINT64_MAX / rows) {
        return m_in.errorAt(label + ": byte size overflows 64 bits", at);
    }
    t.byteSize = *rowBytes * rows;
    QS_TRY_ASSIGN(offset, m_in.read<std::uint64_t>("tensor offset"));
    t.relativeOffset = offset;
    out.push_back(std::move(t));
    return {};
}

Result<Model> GgufParser::parse() {
    const std::string& file = m_file->path();
    QS_TRY_ASSIGN(magic, m_in.read<std::uint32_t>("magic"));
    if (magic != gguf::kMagic) {
        return m_in.errorAt("not a GGUF file (bad magic)", 0);
    }
    QS_TRY_ASSIGN(version, m_in.read<std::uint32_t>("version"));
    if (version == 1) {
        return makeError(ErrorCode::Unsupported, file + ": GGUF v1 is no longer supported");
    }
    if ((version & 0xFFFF) == 0) {
        return m_in.errorAt("GGUF version " + std::to_string(version) +
                                " is extremely large; wrong endianness?",
                            4);
    }
    if (version > gguf::kVersion) {
        return makeError(ErrorCode::Unsupported,
                         file + ": GGUF version " + std::to_string(version) + " is not supported");
    }
    QS_TRY_ASSIGN(tensorCount, m_in.read<std::uint64_t>("tensor count"));
    QS_TRY_ASSIGN(kvCount, m_in.read<std::uint64_t>("metadata count"));
    // Smallest encodings: a KV is key length + type + 1 byte (13), a tensor info is name
    // length + n_dims + type + offset (24). Larger counts cannot fit in the file.
    if (kvCount > m_in.remaining() / 13) {
        return m_in.errorAt("metadata count " + std::to_string(kvCount) +
                                " cannot fit in the file (truncated or corrupt header)",
                            16);
    }
    if (tensorCount > (m_in.remaining() - 13 * kvCount) / 24) {
        return m_in.errorAt("tensor count " + std::to_string(tensorCount) +
                                " cannot fit in the file (truncated or corrupt header)",
                            8);
    }

    Metadata metadata;
    for (std::uint64_t i = 0; i < kvCount; ++i) {
        const auto at = m_in.offset();
        QS_TRY_ASSIGN(key, readString("metadata key"));
        if (key.empty() || key.size() > gguf::kMaxKeyBytes || !isValidUtf8(key)) {
            return m_in.errorAt(
                "metadata key " + std::to_string(i) + " is empty, too long or not valid UTF-8", at);
        }
        QS_TRY_ASSIGN(typeId, m_in.read<std::uint32_t>("metadata value type"));
        if (!isValidMetaType(typeId)) {
            return m_in.errorAt(
                "metadata '" + key + "': unknown value type " + std::to_string(typeId), at);
        }
        QS_TRY_ASSIGN(value, readValue(static_cast<MetaType>(typeId), key, 0));
        if (!metadata.insertNew(key, std::move(value))) {
            return m_in.errorAt("duplicate metadata key '" + key + "'", at);
        }
    }

    std::uint32_t alignment = gguf::kDefaultAlignment;
    if (const auto* a = metadata.find(gguf::kAlignmentKey)) {
        const auto* v = std::get_if<std::uint32_t>(&a->storage());
        if (v == nullptr || *v == 0 || (*v & (*v - 1)) != 0) {
            return makeError(ErrorCode::Format,
                             file + ": general.alignment must be a u32 power of two, got " +
                                 std::string(metaTypeName(a->type())) + " " + a->toDisplayString());
        }
        alignment = *v;
    }

    std::vector<TensorInfo> tensors;
    tensors.reserve(tensorCount);
    std::set<std::string> names;
    for (std::uint64_t i = 0; i < tensorCount; ++i) {
        if (auto s = readTensorInfo(i, names, tensors); !s) {
            return s.error();
        }
    }

    const std::uint64_t dataOffset = gguf::alignUp(m_in.offset(), alignment);
    if (dataOffset > m_file->size()) {
        if (tensorCount > 0) {
            return m_in.errorAt("truncated before the tensor data section", m_in.offset());
        }
    }
    // ggml requires each tensor to start exactly where the padded previous one ends, which
    // also rules out overlaps and misaligned offsets.
    std::uint64_t expected = 0;
    for (auto& t : tensors) {
        if (t.relativeOffset != expected) {
            return makeError(ErrorCode::Format,
                             file + ": tensor '" + t.name + "' has data offset " +
                                 std::to_string(t.relativeOffset) + ", expected " +
                                 std::to_string(expected) + " (offsets must be contiguous)");
        }
        const std::uint64_t available = m_file->size() - std::min(dataOffset, m_file->size());
        if (t.relativeOffset > available || t.byteSize > available - t.relativeOffset) {
            return makeError(ErrorCode::Format, file + ": tensor '" + t.name + "' data [" +
                                                    std::to_string(dataOffset + t.relativeOffset) +
                                                    ", +" + std::to_string(t.byteSize) +
                                                    ") runs past the end of the file (" +
                                                    std::to_string(m_file->size()) + " bytes)");
        }
        t.offset = dataOffset + t.relativeOffset;
        expected = gguf::alignUp(t.relativeOffset + t.byteSize, alignment);
    }
    return Model(ModelFormat::Gguf, file, {m_file}, std::move(metadata), std::move(tensors),
                 alignment, dataOffset);
}

} // namespace

Result<Model> readGguf(const std::string& path) {
    auto file = MappedFile::open(path);
    if (!file) {
        return file.error();
    }
    GgufParser parser(std::move(*file));
    return parser.parse();
}

} // namespace qs::core
