#include "core/io/imatrix.h"

#include "core/io/gguf_format.h"
#include "core/io/gguf_reader.h"
#include "core/logging.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <spdlog/spdlog.h>

namespace qs::core {
namespace {

constexpr std::string_view kSumsSuffix = ".in_sum2";
constexpr std::string_view kCountsSuffix = ".counts";

bool endsWith(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// sums / count per matrix, as llama-quantize's load_imatrix.
void deriveWeights(ImatrixEntry& e, ImatrixFormat format) {
    e.weights.resize(e.sums.size());
    for (std::int64_t m = 0; m < e.matrices; ++m) {
        const float count = e.counts[static_cast<std::size_t>(m)];
        for (std::int64_t i = 0; i < e.columns; ++i) {
            const auto k = static_cast<std::size_t>(m * e.columns + i);
            if (count > 0.0f) {
                e.weights[k] = e.sums[k] / count;
            } else {
                e.weights[k] = format == ImatrixFormat::Gguf ? 1.0f : e.sums[k];
            }
        }
    }
}

std::string valueText(float v) {
    if (std::isnan(v)) {
        return "nan";
    }
    if (std::isinf(v)) {
        return v > 0 ? "+inf" : "-inf";
    }
    char text[32];
    std::snprintf(text, sizeof(text), "%g", static_cast<double>(v));
    return text;
}

// The checks every entry passes before its weights can reach a quantizer. Zero counts with
// non-zero sums are tolerated (llama-quantize then uses weights of 1 for GGUF files) and logged.
Status validateEntry(const ImatrixEntry& e, const std::string& path, ImatrixFormat format) {
    const std::string prefix = path + ": entry " + e.name;
    auto where = [&](std::int64_t m, std::int64_t c) {
        std::string at = "column " + std::to_string(c);
        if (e.matrices > 1) {
            at = "matrix (expert) " + std::to_string(m) + " " + at;
        }
        return at;
    };
    for (std::int64_t m = 0; m < e.matrices; ++m) {
        const float count = e.counts[static_cast<std::size_t>(m)];
        if (!std::isfinite(count) || count < 0) {
            return makeError(ErrorCode::Format,
                             prefix + ": the token count" +
                                 (e.matrices > 1 ? " of matrix " + std::to_string(m) : "") +
                                 " is " + valueText(count) +
                                 "; a count must be a finite non-negative number");
        }
        bool anyValue = false;
        for (std::int64_t c = 0; c < e.columns; ++c) {
            const auto k = static_cast<std::size_t>(m * e.columns + c);
            const float sum = e.sums[k];
            if (!std::isfinite(sum)) {
                return makeError(ErrorCode::Format,
                                 prefix + ": " + where(m, c) + " is " + valueText(sum) +
                                     "; llama-quantize refuses non-finite importance values");
            }
            if (sum < 0) {
                return makeError(ErrorCode::Format,
                                 prefix + ": " + where(m, c) + " is " + valueText(sum) +
                                     "; a sum of squared activations cannot be negative");
            }
            if (!std::isfinite(e.weights[k])) {
                return makeError(ErrorCode::Format,
                                 prefix + ": " + where(m, c) + " gives the weight " +
                                     valueText(e.weights[k]) + " (" + valueText(sum) + " / " +
                                     valueText(count) + "); the count is too small for its sum");
            }
            anyValue = anyValue || sum != 0;
        }
        if (count == 0 && anyValue) {
            std::string text = prefix + (e.matrices > 1 ? " matrix " + std::to_string(m) : "") +
                               ": non-zero sums with a count of 0; " +
                               (format == ImatrixFormat::Gguf
                                    ? "weights of 1 are used, as llama-quantize does"
                                    : "the stored values are used, as llama-quantize does");
            coreLog().warn("{}", text);
        }
    }
    return {};
}

Result<std::vector<char>> readWholeFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return Error::fromErrno(errno, path, "open");
    }
    std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) {
        return Error::fromErrno(errno, path, "read");
    }
    return bytes;
}

// Bounds-checked little-endian reads over the .dat bytes.
class DatCursor {
public:
    DatCursor(const std::vector<char>& bytes)
        : m_bytes(bytes) {}

    bool readI32(std::int32_t& value) { return readRaw(&value, sizeof(value)); }
    bool readBytes(std::string& out, std::size_t n) {
        if (n > remaining()) {
            return false;
        }
        out.assign(m_bytes.data() + m_pos, n);
        m_pos += n;
        return true;
    }
    bool readFloats(std::vector<float>& out, std::size_t n) {
        if (n > remaining() / sizeof(float)) {
            return false;
        }
        out.resize(n);
        return readRaw(out.data(), n * sizeof(float));
    }
    std::size_t remaining() const { return m_bytes.size() - m_pos; }
    std::size_t position() const { return m_pos; }

private:
    bool readRaw(void* out, std::size_t n) {
        if (n > remaining()) {
            return false;
        }
        std::memcpy(out, m_bytes.data() + m_pos, n);
        m_pos += n;
        return true;
    }

    const std::vector<char>& m_bytes;
    std::size_t m_pos = 0;
};

} // namespace

std::span<const float> ImatrixEntry::matrixWeights(std::int64_t m) const {
    return std::span<const float>(weights).subspan(static_cast<std::size_t>(m * columns),
                                                   static_cast<std::size_t>(columns));
}

const ImatrixEntry* ImportanceMatrix::find(std::string_view tensorName) const {
    for (const auto& e : entries) {
        if (e.name == tensorName) {
            return &e;
        }
    }
    return nullptr;
}

Result<ImportanceMatrix> readImatrix(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return Error::fromErrno(errno, path, "open");
    }
    std::uint32_t magic = 0;
    in.read(reinterpret_cast<char*>(&magic), sizeof(magic));
    if (in.gcount() == sizeof(magic) && magic == gguf::kMagic) {
        return readImatrixGguf(path);
    }
    return readImatrixDat(path);
}

Result<ImportanceMatrix> readImatrixGguf(const std::string& path) {
    auto model = readGguf(path);
    if (!model) {
        return model.error();
    }
    const Metadata& meta = model->metadata();
    const std::string type = meta.string("general.type");
    if (type != "imatrix") {
        return makeError(ErrorCode::Format, path + ": not an importance matrix (general.type is '" +
                                                type + "', want 'imatrix')");
    }
    ImportanceMatrix result;
    result.format = ImatrixFormat::Gguf;
    if (const MetaValue* datasets = meta.find("imatrix.datasets")) {
        if (const MetaArray* a = datasets->asArray()) {
            result.datasets = a->strings;
        }
    }
    result.chunkCount = meta.integer("imatrix.chunk_count").value_or(0);
    result.chunkSize = meta.integer("imatrix.chunk_size").value_or(0);

    // Pair <name>.in_sum2 with <name>.counts; other suffixes (.in_sum, .stats) are ignored.
    std::map<std::string, std::pair<const TensorInfo*, const TensorInfo*>> pairs;
    std::vector<std::string> order;
    for (const auto& t : model->tensors()) {
        const bool isSums = endsWith(t.name, kSumsSuffix);
        const bool isCounts = endsWith(t.name, kCountsSuffix);
        if (!isSums && !isCounts) {
            continue;
        }
        const std::string base =
            t.name.substr(0, t.name.size() - (isSums ? kSumsSuffix : kCountsSuffix).size());
        auto [it, inserted] = pairs.try_emplace(base);
        if (inserted) {
            order.push_back(base);
        }
        (isSums ? it->second.first : it->second.second) = &t;
    }

    auto readF32 = [&](const TensorInfo& t, std::vector<float>& out) -> Status {
        if (t.type != GgmlType::F32) {
            return makeError(ErrorCode::Format, path + ": tensor " + t.name + " is not F32");
        }
        if (t.byteSize != t.elementCount() * sizeof(float)) {
            return makeError(ErrorCode::Format, path + ": tensor " + t.name + " has " +
                                                    std::to_string(t.elementCount()) +
                                                    " values in " + std::to_string(t.byteSize) +
                                                    " bytes");
        }
        out.resize(t.elementCount());
        return model->readTensorData(
            t, std::as_writable_bytes(std::span<float>(out.data(), out.size())));
    };

    for (const auto& name : order) {
        const auto [sums, counts] = pairs[name];
        if (!sums || !counts) {
            return makeError(ErrorCode::Format, path + ": entry " + name + " lacks its " +
                                                    (sums ? "counts" : "in_sum2") + " tensor");
        }
        ImatrixEntry e;
        e.name = name;
        e.columns = static_cast<std::int64_t>(sums->dims.empty() ? 0 : sums->dims[0]);
        e.matrices = static_cast<std::int64_t>(sums->dims.size() > 1 ? sums->dims[1] : 1);
        if (sums->dims.size() > 2 || e.columns <= 0) {
            return makeError(ErrorCode::Format,
                             path + ": entry " + name + " must have sums of [columns, matrices]");
        }
        if (counts->elementCount() != static_cast<std::uint64_t>(e.matrices)) {
            return makeError(ErrorCode::Format, path + ": entry " + name + " has " +
                                                    std::to_string(counts->elementCount()) +
                                                    " counts for " + std::to_string(e.matrices) +
                                                    " matrices");
        }
        if (auto s = readF32(*sums, e.sums); !s) {
            return s.error();
        }
        if (auto s = readF32(*counts, e.counts); !s) {
            return s.error();
        }
        deriveWeights(e, ImatrixFormat::Gguf);
        if (auto s = validateEntry(e, path, ImatrixFormat::Gguf); !s) {
            return s.error();
        }
        result.entries.push_back(std::move(e));
    }
    return result;
}

Result<ImportanceMatrix> readImatrixDat(const std::string& path) {
    auto bytes = readWholeFile(path);
    if (!bytes) {
        return bytes.error();
    }
    DatCursor in(*bytes);
    auto truncated = [&](const std::string& what) {
        return makeError(ErrorCode::Format, path + ": truncated or malformed imatrix (" + what +
                                                " at byte " + std::to_string(in.position()) + ")");
    };
    ImportanceMatrix result;
    result.format = ImatrixFormat::LegacyDat;
    std::int32_t nEntries = 0;
    if (!in.readI32(nEntries) || nEntries < 0) {
        return truncated("entry count");
    }
    for (std::int32_t i = 0; i < nEntries; ++i) {
        ImatrixEntry e;
        std::int32_t nameLength = 0, ncall = 0, nval = 0;
        if (!in.readI32(nameLength) || nameLength <= 0 ||
            !in.readBytes(e.name, static_cast<std::size_t>(nameLength))) {
            return truncated("entry name");
        }
        if (!in.readI32(ncall) || !in.readI32(nval) || nval <= 0) {
            return truncated("entry " + e.name + " header");
        }
        if (ncall < 0) {
            return makeError(ErrorCode::Format, path + ": entry " + e.name +
                                                    ": the call count is " + std::to_string(ncall) +
                                                    "; a count cannot be negative");
        }
        if (!in.readFloats(e.sums, static_cast<std::size_t>(nval))) {
            return truncated("entry " + e.name + " values");
        }
        // One count per tensor in this format, so expert tensors appear as one long row.
        e.columns = nval;
        e.matrices = 1;
        e.counts = {static_cast<float>(ncall)};
        deriveWeights(e, ImatrixFormat::LegacyDat);
        if (auto s = validateEntry(e, path, ImatrixFormat::LegacyDat); !s) {
            return s.error();
        }
        result.entries.push_back(std::move(e));
    }
    // Optional trailer: chunk count and the dataset name.
    std::int32_t lastChunk = 0, datasetLength = 0;
    if (in.readI32(lastChunk)) {
        result.chunkCount = lastChunk;
        std::string dataset;
        if (in.readI32(datasetLength) && datasetLength > 0 &&
            in.readBytes(dataset, static_cast<std::size_t>(datasetLength))) {
            result.datasets.push_back(std::move(dataset));
        }
    }
    return result;
}

} // namespace qs::core
