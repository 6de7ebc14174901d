#include "core/quant/ggml_type.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace qs::core {
namespace {

// Sizes from ggml-common.h's block structs (QK_K = 256); see docs/formats.md.
constexpr std::array kTypes = {
    GgmlTypeInfo{GgmlType::F32, "F32", "f32", 1, 4, false},
    GgmlTypeInfo{GgmlType::F16, "F16", "f16", 1, 2, false},
    GgmlTypeInfo{GgmlType::Q4_0, "Q4_0", "q4_0", 32, 18, false},
    GgmlTypeInfo{GgmlType::Q4_1, "Q4_1", "q4_1", 32, 20, false},
    GgmlTypeInfo{GgmlType::Q5_0, "Q5_0", "q5_0", 32, 22, false},
    GgmlTypeInfo{GgmlType::Q5_1, "Q5_1", "q5_1", 32, 24, false},
    GgmlTypeInfo{GgmlType::Q8_0, "Q8_0", "q8_0", 32, 34, false},
    GgmlTypeInfo{GgmlType::Q8_1, "Q8_1", "q8_1", 32, 36, false},
    GgmlTypeInfo{GgmlType::Q2_K, "Q2_K", "q2_K", 256, 84, false},
    GgmlTypeInfo{GgmlType::Q3_K, "Q3_K", "q3_K", 256, 110, false},
    GgmlTypeInfo{GgmlType::Q4_K, "Q4_K", "q4_K", 256, 144, false},
    GgmlTypeInfo{GgmlType::Q5_K, "Q5_K", "q5_K", 256, 176, false},
    GgmlTypeInfo{GgmlType::Q6_K, "Q6_K", "q6_K", 256, 210, false},
    GgmlTypeInfo{GgmlType::Q8_K, "Q8_K", "q8_K", 256, 292, false},
    GgmlTypeInfo{GgmlType::IQ2_XXS, "IQ2_XXS", "iq2_xxs", 256, 66, false},
    GgmlTypeInfo{GgmlType::IQ2_XS, "IQ2_XS", "iq2_xs", 256, 74, false},
    GgmlTypeInfo{GgmlType::IQ3_XXS, "IQ3_XXS", "iq3_xxs", 256, 98, false},
    GgmlTypeInfo{GgmlType::IQ1_S, "IQ1_S", "iq1_s", 256, 50, false},
    GgmlTypeInfo{GgmlType::IQ4_NL, "IQ4_NL", "iq4_nl", 32, 18, false},
    GgmlTypeInfo{GgmlType::IQ3_S, "IQ3_S", "iq3_s", 256, 110, false},
    GgmlTypeInfo{GgmlType::IQ2_S, "IQ2_S", "iq2_s", 256, 82, false},
    GgmlTypeInfo{GgmlType::IQ4_XS, "IQ4_XS", "iq4_xs", 256, 136, false},
    GgmlTypeInfo{GgmlType::I8, "I8", "i8", 1, 1, true},
    GgmlTypeInfo{GgmlType::I16, "I16", "i16", 1, 2, true},
    GgmlTypeInfo{GgmlType::I32, "I32", "i32", 1, 4, true},
    GgmlTypeInfo{GgmlType::I64, "I64", "i64", 1, 8, true},
    GgmlTypeInfo{GgmlType::F64, "F64", "f64", 1, 8, false},
    GgmlTypeInfo{GgmlType::IQ1_M, "IQ1_M", "iq1_m", 256, 56, false},
    GgmlTypeInfo{GgmlType::BF16, "BF16", "bf16", 1, 2, false},
    GgmlTypeInfo{GgmlType::TQ1_0, "TQ1_0", "tq1_0", 256, 54, false},
    GgmlTypeInfo{GgmlType::TQ2_0, "TQ2_0", "tq2_0", 256, 66, false},
    GgmlTypeInfo{GgmlType::MXFP4, "MXFP4", "mxfp4", 32, 17, false},
    GgmlTypeInfo{GgmlType::NVFP4, "NVFP4", "nvfp4", 64, 36, false},
    GgmlTypeInfo{GgmlType::Q1_0, "Q1_0", "q1_0", 128, 18, false},
    GgmlTypeInfo{GgmlType::Q2_0, "Q2_0", "q2_0", 64, 18, false},
};

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

} // namespace

std::span<const GgmlTypeInfo> allGgmlTypes() {
    return kTypes;
}

const GgmlTypeInfo* ggmlTypeInfo(std::uint32_t id) {
    for (const auto& t : kTypes) {
        if (static_cast<std::uint32_t>(t.type) == id) {
            return &t;
        }
    }
    return nullptr;
}

const GgmlTypeInfo& ggmlTypeInfo(GgmlType type) {
    // Every enumerator has a table row (checked by tst_ggml_type).
    return *ggmlTypeInfo(static_cast<std::uint32_t>(type));
}

const GgmlTypeInfo* ggmlTypeByName(std::string_view name) {
    for (const auto& t : kTypes) {
        if (equalsIgnoreCase(t.name, name)) {
            return &t;
        }
    }
    return nullptr;
}

std::optional<std::uint64_t> ggmlRowBytes(GgmlType type, std::uint64_t elements) {
    const auto& info = ggmlTypeInfo(type);
    if (elements % info.blockSize != 0) {
        return std::nullopt;
    }
    // 2^62 F32 values would wrap around to a few bytes: such a size does not exist.
    if (elements / info.blockSize > UINT64_MAX / info.bytesPerBlock) {
        return std::nullopt;
    }
    return elements / info.blockSize * info.bytesPerBlock;
}

} // namespace qs::core
