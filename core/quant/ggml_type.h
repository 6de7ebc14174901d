#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace qs::core {

// ggml tensor storage types, with ggml's own numeric ids (ggml.h). These ids are written into
// GGUF files, so they never change. Removed ids (4, 5, 31-33, 36-38) are not listed.
enum class GgmlType : std::uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    IQ2_XXS = 16,
    IQ2_XS = 17,
    IQ3_XXS = 18,
    IQ1_S = 19,
    IQ4_NL = 20,
    IQ3_S = 21,
    IQ2_S = 22,
    IQ4_XS = 23,
    I8 = 24,
    I16 = 25,
    I32 = 26,
    I64 = 27,
    F64 = 28,
    IQ1_M = 29,
    BF16 = 30,
    TQ1_0 = 34,
    TQ2_0 = 35,
    MXFP4 = 39,
    NVFP4 = 40,
    Q1_0 = 41,
    Q2_0 = 42,
};

// The storage facts of one ggml type: the single place where a type's name, block size and
// bytes per block are defined. Quantizer entry points live in the format registry
// (core/quant/format_registry.h), which refers back to this table.
struct GgmlTypeInfo {
    GgmlType type;
    std::string_view name;     // upper-case name as users and llama-quantize write it: "Q4_K"
    std::string_view ggmlName; // ggml's own type name, as in ggml_type_name(): "q4_K"
    std::uint32_t blockSize;   // elements per block (1 for plain types)
    std::uint32_t bytesPerBlock;
    bool isInteger; // I8..I64: never quantized, never a weight format

    double bitsPerWeight() const { return 8.0 * bytesPerBlock / blockSize; }
};

// Every known type, ordered by id.
std::span<const GgmlTypeInfo> allGgmlTypes();

// Lookup by numeric id (as read from a file); nullopt for unknown or removed ids.
const GgmlTypeInfo* ggmlTypeInfo(std::uint32_t id);
const GgmlTypeInfo& ggmlTypeInfo(GgmlType type);

// Lookup by name, case-insensitive ("q4_k", "Q4_K", "bf16").
const GgmlTypeInfo* ggmlTypeByName(std::string_view name);

// Bytes of a row of `elements` values; nullopt when elements is not a multiple of the block or
// the byte count does not fit 64 bits.
std::optional<std::uint64_t> ggmlRowBytes(GgmlType type, std::uint64_t elements);

} // namespace qs::core
