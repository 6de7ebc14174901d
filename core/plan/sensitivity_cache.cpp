#include "core/plan/sensitivity_cache.h"

#include "core/fs/atomic_file.h"
#include "core/fs/content_hash.h"
#include "core/io/imatrix.h"
#include "core/model/model.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace qs::core {
namespace {

// Bumped whenever the measurement changes (error definition, quantizers), so that old files
// are ignored rather than trusted.
constexpr int kCacheVersion = 1;
constexpr std::size_t kSampleBytes = 4096;

template <typename T>
void appendPod(std::vector<std::byte>& out, const T& value) {
    const auto* p = reinterpret_cast<const std::byte*>(&value);
    out.insert(out.end(), p, p + sizeof(T));
}

void appendString(std::vector<std::byte>& out, std::string_view s) {
    appendPod(out, static_cast<std::uint64_t>(s.size()));
    const auto* p = reinterpret_cast<const std::byte*>(s.data());
    out.insert(out.end(), p, p + s.size());
}

} // namespace

std::uint64_t sensitivityModelKey(const Model& model) {
    std::vector<std::byte> buffer;
    appendPod(buffer, kCacheVersion);
    for (const TensorInfo& t : model.tensors()) {
        appendString(buffer, t.name);
        appendPod(buffer, static_cast<std::uint32_t>(t.type));
        for (auto d : t.dims) {
            appendPod(buffer, d);
        }
        appendPod(buffer, t.byteSize);
        appendPod(buffer, t.permuteHeads);
        appendPod(buffer, t.normPlusOne);
        // Copied rather than viewed: a tensor stored in pieces (TensorInfo::parts) has no one
        // view. A tensor whose bytes cannot be read is sampled as nothing, as before.
        const std::size_t n = static_cast<std::size_t>(t.byteSize);
        auto sample = [&](std::size_t offset) {
            const std::size_t len = std::min(kSampleBytes, n - offset);
            const std::size_t at = buffer.size();
            buffer.resize(at + len);
            if (!model.copyStored(t, offset, std::span(buffer).subspan(at, len))) {
                buffer.resize(at);
            }
        };
        if (n <= 3 * kSampleBytes) {
            sample(0);
            if (n > kSampleBytes) {
                sample(kSampleBytes);
                if (n > 2 * kSampleBytes) {
                    sample(2 * kSampleBytes);
                }
            }
        } else {
            sample(0);
            sample(n / 2 - kSampleBytes / 2);
            sample(n - kSampleBytes);
        }
    }
    return contentHash64(buffer);
}

std::uint64_t sensitivityImatrixKey(const ImportanceMatrix* imatrix) {
    if (!imatrix) {
        return 0;
    }
    std::vector<std::byte> buffer;
    for (const ImatrixEntry& e : imatrix->entries) {
        appendString(buffer, e.name);
        appendPod(buffer, e.columns);
        const auto* p = reinterpret_cast<const std::byte*>(e.weights.data());
        buffer.insert(buffer.end(), p, p + e.weights.size() * sizeof(float));
    }
    const std::uint64_t key = contentHash64(buffer);
    return key ? key : 1; // 0 means "no imatrix"
}

SensitivityCache SensitivityCache::open(const std::string& dir, std::uint64_t modelKey,
                                        std::uint64_t imatrixKey) {
    SensitivityCache cache;
    cache.m_path = (std::filesystem::path(dir) /
                    ("sens-" + hashHex(modelKey) + "-" + hashHex(imatrixKey) + ".json"))
                       .string();
    std::ifstream in(cache.m_path, std::ios::binary);
    if (!in) {
        return cache;
    }
    std::stringstream text;
    text << in.rdbuf();
    const auto json = nlohmann::json::parse(text.str(), nullptr, false);
    if (json.is_discarded() || !json.is_object() ||
        json.value("format", "") != "quantscope-sensitivity" ||
        json.value("version", 0) != kCacheVersion || !json.contains("tensors") ||
        !json["tensors"].is_object()) {
        return cache;
    }
    for (const auto& [tensor, formats] : json["tensors"].items()) {
        if (!formats.is_object()) {
            continue;
        }
        for (const auto& [typeName, p] : formats.items()) {
            const GgmlTypeInfo* info = ggmlTypeByName(typeName);
            if (!info || !p.is_object() || !p.contains("bytes") || !p.contains("error")) {
                continue;
            }
            Entry e;
            e.point.type = info->type;
            e.point.bytes = p["bytes"].get<std::uint64_t>();
            e.point.error = p["error"].get<double>();
            e.point.mse = p.value("mse", 0.0);
            e.weighted = p.value("weighted", false);
            cache.m_entries[tensor][typeName] = e;
        }
    }
    return cache;
}

std::optional<SensitivityPoint> SensitivityCache::find(const std::string& tensor, GgmlType type,
                                                       bool* weighted) const {
    const auto t = m_entries.find(tensor);
    if (t == m_entries.end()) {
        return std::nullopt;
    }
    const auto p = t->second.find(std::string(ggmlTypeInfo(type).name));
    if (p == t->second.end()) {
        return std::nullopt;
    }
    if (weighted) {
        *weighted = p->second.weighted;
    }
    return p->second.point;
}

void SensitivityCache::insert(const std::string& tensor, const SensitivityPoint& point,
                              bool weighted) {
    m_entries[tensor][std::string(ggmlTypeInfo(point.type).name)] = Entry{point, weighted};
    m_dirty = true;
}

Status SensitivityCache::save() const {
    if (!m_dirty) {
        return {};
    }
    nlohmann::json tensors = nlohmann::json::object();
    for (const auto& [tensor, formats] : m_entries) {
        nlohmann::json f = nlohmann::json::object();
        for (const auto& [typeName, e] : formats) {
            f[typeName] = {{"bytes", e.point.bytes},
                           {"error", e.point.error},
                           {"mse", e.point.mse},
                           {"weighted", e.weighted}};
        }
        tensors[tensor] = std::move(f);
    }
    const nlohmann::json json = {
        {"format", "quantscope-sensitivity"}, {"version", kCacheVersion}, {"tensors", tensors}};
    std::error_code ec;
    const auto parent = std::filesystem::path(m_path).parent_path();
    if (!parent.empty()) {
        std::filesystem::create_directories(parent, ec);
        if (ec) {
            return makeError(ErrorCode::Io, parent.string() + ": " + ec.message());
        }
    }
    return writeFileAtomically(m_path, json.dump(1));
}

} // namespace qs::core
