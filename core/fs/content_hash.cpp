#include "core/fs/content_hash.h"

#include "core/fs/mapped_file.h"

#include <cstring>

namespace qs::core {

std::uint64_t contentHash64(std::span<const std::byte> bytes) {
    constexpr std::uint64_t kPrime = 0x100000001b3ULL;
    std::uint64_t h = 0xcbf29ce484222325ULL ^ bytes.size();
    std::size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, bytes.data() + i, 8);
        h = (h ^ word) * kPrime;
        h ^= h >> 29;
    }
    for (; i < bytes.size(); ++i) {
        h = (h ^ static_cast<std::uint8_t>(bytes[i])) * kPrime;
    }
    // Final avalanche (splitmix64) so that nearby inputs give unrelated hashes.
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

Result<std::uint64_t> fileHash64(const std::string& path) {
    auto file = MappedFile::open(path);
    if (!file) {
        return file.error();
    }
    return contentHash64((*file)->bytes());
}

std::string hashHex(std::uint64_t hash) {
    static const char* digits = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = digits[hash & 0xF];
        hash >>= 4;
    }
    return out;
}

} // namespace qs::core
