#pragma once

#include "core/error.h"
#include "core/quant/ggml_type.h"

#include <cstdint>
#include <span>

// The one registry of quantization formats: what the CPU can do with each ggml type. Storage
// facts (name, block size, bytes per block, bits per weight) live in GgmlTypeInfo and are
// reached through info(); nothing here repeats them.
namespace qs::core {

struct QuantFormat {
    GgmlType type;
    bool cpuQuantize;         // quantizeRows() accepts this type
    bool cpuDequantize;       // dequantizeRow() accepts this type
    bool weightsChangeOutput; // importance weights alter the quantized bytes
    // llama-quantize refuses the type without an imatrix (tensor_requires_imatrix, §2.1 level 2;
    // Q2_K only under the Q2_K_S preset, which is a plan rule, not a format property).
    bool requiresImatrix;

    const GgmlTypeInfo& info() const { return ggmlTypeInfo(type); }
    // Read-only: we can turn stored data into floats but cannot produce it.
    bool readOnly() const { return cpuDequantize && !cpuQuantize; }
};

// Every ggml weight type (integer types excluded), ordered by id, whether supported or not.
std::span<const QuantFormat> allQuantFormats();

// nullptr for integer types (I8..I64), which are never weights.
const QuantFormat* quantFormat(GgmlType type);

// Quantizes nRows rows of nPerRow floats into dst (nRows * ggmlRowBytes(type, nPerRow) bytes),
// exactly as ggml_quantize_chunk does. `importance` is nullptr or nPerRow weights shared by all
// rows (an imatrix entry); types that ignore weights ignore it. Fails with InvalidArgument when
// nPerRow is not a multiple of the block size, Unsupported when the CPU cannot produce the type.
// Thread-safe: callers split work by rows.
Status quantizeRows(GgmlType type, const float* src, void* dst, int64_t nRows, int64_t nPerRow,
                    const float* importance /*nullptr or nPerRow weights*/);

// The types whose quantizer cannot run without importance weights (IQ1_S, IQ2_XXS, IQ2_XS:
// ggml asserts); quantizeRows refuses them without, and quantizeModel checks every tensor
// before it writes anything.
bool quantizeNeedsImportance(GgmlType type);

// Converts n values of stored data (n a multiple of the block size) to floats, bit-exact with
// ggml's to_float. Rows are contiguous blocks, so n may span several rows.
Status dequantizeRow(GgmlType type, const void* src, float* dst, int64_t n);

} // namespace qs::core
