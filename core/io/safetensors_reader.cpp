#include "core/io/safetensors_reader.h"

#include "core/fs/byte_cursor.h"
#include "core/try.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace qs::core {
namespace {

// The safetensors crate refuses headers above 100 MB; so do we (it bounds JSON parsing).
constexpr std::uint64_t kMaxHeaderBytes = 100u << 20;

std::optional<std::uint64_t> dtypeBytes(const std::string& dtype) {
    static const std::map<std::string, std::uint64_t, std::less<>> sizes = {
        {"F64", 8}, {"F32", 4}, {"F16", 2},  {"BF16", 2},    {"I64", 8},
        {"I32", 4}, {"I16", 2}, {"I8", 1},   {"U64", 8},     {"U32", 4},
        {"U16", 2}, {"U8", 1},  {"BOOL", 1}, {"F8_E4M3", 1}, {"F8_E5M2", 1},
    };
    const auto it = sizes.find(dtype);
    return it == sizes.end() ? std::nullopt : std::optional(it->second);
}

} // namespace

std::optional<GgmlType> ggmlTypeForDtype(const std::string& dtype) {
    if (dtype == "F32") {
        return GgmlType::F32;
    }
    if (dtype == "F16") {
        return GgmlType::F16;
    }
    if (dtype == "BF16") {
        return GgmlType::BF16;
    }
    if (dtype == "F64") {
        return GgmlType::F64;
    }
    if (dtype == "I8") {
        return GgmlType::I8;
    }
    if (dtype == "I16") {
        return GgmlType::I16;
    }
    if (dtype == "I32") {
        return GgmlType::I32;
    }
    if (dtype == "I64") {
        return GgmlType::I64;
    }
    return std::nullopt;
}

Result<SafetensorsFile> readSafetensors(const std::string& path) {
    QS_TRY_ASSIGN(file, MappedFile::open(path));
    ByteCursor in(file->bytes(), path);
    QS_TRY_ASSIGN(headerLength, in.read<std::uint64_t>("safetensors header length"));
    if (headerLength > in.remaining() || headerLength > kMaxHeaderBytes) {
        return in.errorAt("safetensors header length " + std::to_string(headerLength) +
                              " exceeds the file or the 100 MB limit",
                          0);
    }
    QS_TRY_ASSIGN(headerBytes, in.bytes(headerLength, "safetensors header"));
    const auto* begin = reinterpret_cast<const char*>(headerBytes.data());
    const auto header = nlohmann::json::parse(begin, begin + headerBytes.size(), nullptr, false);
    if (header.is_discarded() || !header.is_object()) {
        return in.errorAt("safetensors header is not a JSON object", 8);
    }
    const std::uint64_t dataStart = 8 + headerLength;
    const std::uint64_t dataBytes = file->size() - dataStart;

    SafetensorsFile out;
    out.file = file;
    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") {
            if (entry.is_object()) {
                for (const auto& [k, v] : entry.items()) {
                    if (v.is_string()) {
                        out.metadata[k] = v.get<std::string>();
                    }
                }
            }
            continue;
        }
        const std::string label = path + ": tensor '" + name + "'";
        if (!entry.is_object() || !entry.contains("dtype") || !entry["dtype"].is_string() ||
            !entry.contains("shape") || !entry["shape"].is_array() ||
            !entry.contains("data_offsets") || !entry["data_offsets"].is_array() ||
            entry["data_offsets"].size() != 2) {
            return makeError(ErrorCode::Format, label + ": header entry needs dtype, shape and "
                                                        "two data_offsets");
        }
        SafetensorsTensor t;
        t.name = name;
        t.dtype = entry["dtype"].get<std::string>();
        const auto elementBytes = dtypeBytes(t.dtype);
        if (!elementBytes) {
            return makeError(ErrorCode::Format, label + ": unknown dtype '" + t.dtype + "'");
        }
        std::uint64_t bytes = *elementBytes;
        for (const auto& d : entry["shape"]) {
            if (!d.is_number_unsigned()) {
                return makeError(ErrorCode::Format, label + ": shape has a non-integer or "
                                                            "negative dimension");
            }
            const auto v = d.get<std::uint64_t>();
            if (v != 0 && bytes > UINT64_MAX / v) {
                return makeError(ErrorCode::Format, label + ": shape overflows 64 bits");
            }
            bytes *= v;
            t.shape.push_back(v);
        }
        const auto& offsets = entry["data_offsets"];
        if (!offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned()) {
            return makeError(ErrorCode::Format, label + ": data_offsets are not integers");
        }
        const auto first = offsets[0].get<std::uint64_t>();
        const auto last = offsets[1].get<std::uint64_t>();
        if (first > last || last > dataBytes) {
            return makeError(ErrorCode::Format,
                             label + ": data_offsets [" + std::to_string(first) + ", " +
                                 std::to_string(last) + ") lie outside the " +
                                 std::to_string(dataBytes) + "-byte data buffer");
        }
        if (last - first != bytes) {
            return makeError(ErrorCode::Format,
                             label + ": data_offsets span " + std::to_string(last - first) +
                                 " bytes but dtype and shape need " + std::to_string(bytes));
        }
        t.offset = dataStart + first;
        t.byteSize = bytes;
        out.tensors.push_back(std::move(t));
    }
    std::sort(out.tensors.begin(), out.tensors.end(),
              [](const auto& a, const auto& b) { return a.offset < b.offset; });
    for (std::size_t i = 1; i < out.tensors.size(); ++i) {
        const auto& prev = out.tensors[i - 1];
        if (prev.offset + prev.byteSize > out.tensors[i].offset) {
            return makeError(ErrorCode::Format, path + ": tensors '" + prev.name + "' and '" +
                                                    out.tensors[i].name + "' overlap");
        }
    }
    return out;
}

} // namespace qs::core
