#pragma once

#include <cstdint>

namespace qs::core::gguf {

// Facts of the GGUF container (ggml gguf.h / gguf.cpp), shared by reader and writer.
inline constexpr std::uint32_t kMagic = 0x46554747; // "GGUF" little-endian
inline constexpr std::uint32_t kVersion = 3;
inline constexpr std::uint32_t kDefaultAlignment = 32;
inline constexpr std::uint64_t kMaxNameBytes = 63; // ggml rejects length >= GGML_MAX_NAME (64)
inline constexpr std::uint32_t kMaxDims = 4;       // GGML_MAX_DIMS
inline constexpr std::uint64_t kMaxKeyBytes = 65535;
// Nesting deeper than this is hostile: no real file nests arrays beyond two levels.
inline constexpr int kMaxArrayDepth = 8;
inline constexpr const char* kAlignmentKey = "general.alignment";

inline std::uint64_t alignUp(std::uint64_t offset, std::uint64_t alignment) {
    return offset + (alignment - offset % alignment) % alignment;
}

} // namespace qs::core::gguf
