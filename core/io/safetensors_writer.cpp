#include "core/io/safetensors_writer.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace qs::core {

namespace fs = std::filesystem;

std::vector<std::byte> serializeSafetensorsHeader(const std::vector<SafetensorsEntry>& entries,
                                                  std::size_t first, std::size_t count) {
    // nlohmann's ordered_json keeps entry order, so the header lists tensors as stored.
    nlohmann::ordered_json header;
    header["__metadata__"] = {{"format", "pt"}};
    std::uint64_t offset = 0;
    for (std::size_t i = first; i < first + count; ++i) {
        const auto& e = entries[i];
        header[e.name] = {{"dtype", e.dtype},
                          {"shape", e.shape},
                          {"data_offsets", {offset, offset + e.data.size()}}};
        offset += e.data.size();
    }
    std::string text = header.dump();
    while ((text.size() + 8) % 8 != 0) {
        text.push_back(' ');
    }
    std::vector<std::byte> out(8 + text.size());
    const std::uint64_t n = text.size();
    for (int b = 0; b < 8; ++b) {
        out[b] = static_cast<std::byte>((n >> (8 * b)) & 0xFF);
    }
    std::memcpy(out.data() + 8, text.data(), text.size());
    return out;
}

namespace {

Status writeFile(const fs::path& path, const std::vector<SafetensorsEntry>& entries,
                 std::size_t first, std::size_t count, CancelToken& cancel) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) {
        return Error::fromErrno(errno, path.string(), "create");
    }
    const auto header = serializeSafetensorsHeader(entries, first, count);
    out.write(reinterpret_cast<const char*>(header.data()),
              static_cast<std::streamsize>(header.size()));
    for (std::size_t i = first; i < first + count; ++i) {
        if (cancel.isCancelled()) {
            return makeError(ErrorCode::Cancelled, path.string() + ": writing cancelled");
        }
        out.write(reinterpret_cast<const char*>(entries[i].data.data()),
                  static_cast<std::streamsize>(entries[i].data.size()));
    }
    out.flush();
    if (!out) {
        return makeError(ErrorCode::Io, path.string() + ": write failed (disk full?)");
    }
    return {};
}

} // namespace

Status writeSafetensorsFolder(const std::string& dirPath,
                              const std::vector<SafetensorsEntry>& entries,
                              std::uint64_t maxShardBytes, CancelToken& cancel) {
    const fs::path dir(dirPath);
    std::uint64_t total = 0;
    for (const auto& e : entries) {
        total += e.data.size();
    }
    if (maxShardBytes == 0 || total <= maxShardBytes) {
        return writeFile(dir / "model.safetensors", entries, 0, entries.size(), cancel);
    }
    // Greedy shards in entry order.
    std::vector<std::pair<std::size_t, std::size_t>> shards;
    std::size_t start = 0;
    std::uint64_t size = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto n = entries[i].data.size();
        if (i > start && size + n > maxShardBytes) {
            shards.emplace_back(start, i - start);
            start = i;
            size = 0;
        }
        size += n;
    }
    shards.emplace_back(start, entries.size() - start);
    nlohmann::ordered_json index;
    index["metadata"] = {{"total_size", total}};
    index["weight_map"] = nlohmann::ordered_json::object();
    for (std::size_t s = 0; s < shards.size(); ++s) {
        char name[64];
        std::snprintf(name, sizeof(name), "model-%05zu-of-%05zu.safetensors", s + 1, shards.size());
        if (auto st = writeFile(dir / name, entries, shards[s].first, shards[s].second, cancel);
            !st) {
            return st;
        }
        for (std::size_t i = shards[s].first; i < shards[s].first + shards[s].second; ++i) {
            index["weight_map"][entries[i].name] = name;
        }
    }
    std::ofstream out(dir / "model.safetensors.index.json");
    out << index.dump(2) << "\n";
    if (!out) {
        return makeError(ErrorCode::Io,
                         (dir / "model.safetensors.index.json").string() + ": write failed");
    }
    return {};
}

} // namespace qs::core
