#include "core/quant/format_registry.h"

#include "core/quant/quant_kernels.h"

#include <array>
#include <string>

namespace qs::core {
namespace {

using quant::DequantizeFn;
using quant::QuantizeRowsFn;

struct FormatEntry {
    GgmlType type;
    QuantizeRowsFn quantize;  // nullptr: the CPU cannot produce this type
    DequantizeFn dequantize;  // nullptr: the CPU cannot read this type
    bool weightsChangeOutput; // from ggml: which quantize_* take the quant_weights path
    bool requiresImatrix;     // llama-quant.cpp tensor_requires_imatrix()
};

// Ordered by id; every non-integer GgmlType appears once (tst_format_registry checks it).
constexpr std::array kEntries = {
    FormatEntry{GgmlType::F32, quant::quantizeF32, quant::dequantizeF32, false, false},
    FormatEntry{GgmlType::F16, quant::quantizeF16, quant::dequantizeF16, false, false},
    FormatEntry{GgmlType::Q4_0, quant::quantizeQ4_0, quant::dequantizeQ4_0, true, false},
    FormatEntry{GgmlType::Q4_1, quant::quantizeQ4_1, quant::dequantizeQ4_1, true, false},
    FormatEntry{GgmlType::Q5_0, quant::quantizeQ5_0, quant::dequantizeQ5_0, true, false},
    FormatEntry{GgmlType::Q5_1, quant::quantizeQ5_1, quant::dequantizeQ5_1, true, false},
    FormatEntry{GgmlType::Q8_0, quant::quantizeQ8_0, quant::dequantizeQ8_0, false, false},
    FormatEntry{GgmlType::Q8_1, nullptr, quant::dequantizeQ8_1, false, false},
    FormatEntry{GgmlType::Q2_K, quant::quantizeQ2K, quant::dequantizeQ2K, true, false},
    FormatEntry{GgmlType::Q3_K, quant::quantizeQ3K, quant::dequantizeQ3K, true, false},
    FormatEntry{GgmlType::Q4_K, quant::quantizeQ4K, quant::dequantizeQ4K, true, false},
    FormatEntry{GgmlType::Q5_K, quant::quantizeQ5K, quant::dequantizeQ5K, true, false},
    FormatEntry{GgmlType::Q6_K, quant::quantizeQ6K, quant::dequantizeQ6K, true, false},
    FormatEntry{GgmlType::Q8_K, nullptr, quant::dequantizeQ8K, false, false},
    FormatEntry{GgmlType::IQ2_XXS, quant::quantizeIQ2XXS, quant::dequantizeIQ2XXS, true, true},
    FormatEntry{GgmlType::IQ2_XS, quant::quantizeIQ2XS, quant::dequantizeIQ2XS, true, true},
    FormatEntry{GgmlType::IQ3_XXS, quant::quantizeIQ3XXS, quant::dequantizeIQ3XXS, true, true},
    FormatEntry{GgmlType::IQ1_S, quant::quantizeIQ1S, quant::dequantizeIQ1S, true, true},
    FormatEntry{GgmlType::IQ4_NL, quant::quantizeIQ4NL, quant::dequantizeIQ4NL, true, false},
    FormatEntry{GgmlType::IQ3_S, quant::quantizeIQ3S, quant::dequantizeIQ3S, true, false},
    FormatEntry{GgmlType::IQ2_S, quant::quantizeIQ2S, quant::dequantizeIQ2S, true, true},
    FormatEntry{GgmlType::IQ4_XS, quant::quantizeIQ4XS, quant::dequantizeIQ4XS, true, false},
    FormatEntry{GgmlType::F64, nullptr, nullptr, false, false},
    FormatEntry{GgmlType::IQ1_M, quant::quantizeIQ1M, quant::dequantizeIQ1M, true, true},
    FormatEntry{GgmlType::BF16, quant::quantizeBF16, quant::dequantizeBF16, false, false},
    FormatEntry{GgmlType::TQ1_0, quant::quantizeTQ1_0, quant::dequantizeTQ1_0, false, false},
    FormatEntry{GgmlType::TQ2_0, quant::quantizeTQ2_0, quant::dequantizeTQ2_0, false, false},
    FormatEntry{GgmlType::MXFP4, quant::quantizeMXFP4, quant::dequantizeMXFP4, false, false},
    FormatEntry{GgmlType::NVFP4, nullptr, nullptr, false, false},
    FormatEntry{GgmlType::Q1_0, nullptr, nullptr, false, false},
    FormatEntry{GgmlType::Q2_0, nullptr, nullptr, false, false},
};

// Built at first use, not constexpr: comparing a function's address with nullptr is not a
// constant expression under -fsanitize (the QS_SANITIZE build).
const std::array<QuantFormat, kEntries.size()>& formats() {
    static const auto table = [] {
        std::array<QuantFormat, kEntries.size()> result{};
        for (std::size_t i = 0; i < kEntries.size(); ++i) {
            const auto& e = kEntries[i];
            result[i] = QuantFormat{e.type, e.quantize != nullptr, e.dequantize != nullptr,
                                    e.weightsChangeOutput, e.requiresImatrix};
        }
        return result;
    }();
    return table;
}

const FormatEntry* findEntry(GgmlType type) {
    for (const auto& e : kEntries) {
        if (e.type == type) {
            return &e;
        }
    }
    return nullptr;
}

std::string typeName(GgmlType type) {
    const auto* info = ggmlTypeInfo(static_cast<std::uint32_t>(type));
    return info ? std::string(info->name) : "type " + std::to_string(static_cast<int>(type));
}

} // namespace

std::span<const QuantFormat> allQuantFormats() {
    return formats();
}

const QuantFormat* quantFormat(GgmlType type) {
    for (const auto& f : formats()) {
        if (f.type == type) {
            return &f;
        }
    }
    return nullptr;
}

Status quantizeRows(GgmlType type, const float* src, void* dst, int64_t nRows, int64_t nPerRow,
                    const float* importance) {
    const FormatEntry* entry = findEntry(type);
    if (!entry || !entry->quantize) {
        return makeError(ErrorCode::Unsupported,
                         "quantizing to " + typeName(type) + " is not supported on the CPU");
    }
    const auto blockSize = static_cast<int64_t>(ggmlTypeInfo(type).blockSize);
    if (nRows < 0 || nPerRow <= 0 || nPerRow % blockSize != 0) {
        return makeError(ErrorCode::InvalidArgument,
                         typeName(type) + ": rows of " + std::to_string(nPerRow) +
                             " values are not a whole number of " + std::to_string(blockSize) +
                             "-value blocks");
    }
    if (nRows == 0) {
        return {};
    }
    if (!src || !dst) {
        return makeError(ErrorCode::InvalidArgument, "quantizeRows: null buffer");
    }
    if (!importance && quantizeNeedsImportance(type)) {
        return makeError(ErrorCode::InvalidArgument,
                         typeName(type) + " needs importance weights (an imatrix) to quantize");
    }
    entry->quantize(src, dst, nRows, nPerRow, importance);
    return {};
}

// ggml's quantizers of these types assert on missing importance weights
// (quantize_row_iq2_xxs_impl, quantize_row_iq2_xs_impl, quantize_row_iq1_s_impl); IQ2_S and IQ1_M
// fall back to weights made from the values, so they run without.
bool quantizeNeedsImportance(GgmlType type) {
    return type == GgmlType::IQ2_XXS || type == GgmlType::IQ2_XS || type == GgmlType::IQ1_S;
}

Status dequantizeRow(GgmlType type, const void* src, float* dst, int64_t n) {
    const FormatEntry* entry = findEntry(type);
    if (!entry || !entry->dequantize) {
        return makeError(ErrorCode::Unsupported,
                         "reading " + typeName(type) + " data is not supported on the CPU");
    }
    const auto blockSize = static_cast<int64_t>(ggmlTypeInfo(type).blockSize);
    if (n < 0 || n % blockSize != 0) {
        return makeError(ErrorCode::InvalidArgument, typeName(type) + ": " + std::to_string(n) +
                                                         " values are not a whole number of " +
                                                         std::to_string(blockSize) +
                                                         "-value blocks");
    }
    if (n == 0) {
        return {};
    }
    if (!src || !dst) {
        return makeError(ErrorCode::InvalidArgument, "dequantizeRow: null buffer");
    }
    entry->dequantize(src, dst, n);
    return {};
}

} // namespace qs::core
