#pragma once

#include "core/error.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

// Content hashes that key on-disk caches (KLD reference log-probabilities, sensitivity tables).
namespace qs::core {

// A 64-bit content hash (FNV-1a over 8-byte words, then mixed); stable across runs and
// platforms of the same endianness. Keys caches, never security.
std::uint64_t contentHash64(std::span<const std::byte> bytes);
// The hash of a whole file's bytes, read through a memory mapping.
Result<std::uint64_t> fileHash64(const std::string& path);
// 16 lower-case hex digits.
std::string hashHex(std::uint64_t hash);

} // namespace qs::core
