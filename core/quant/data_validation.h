#pragma once

#include "core/quant/ggml_type.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

// The checks llama.cpp makes on tensor data before it trusts it (ggml_validate_row_data, run by
// llama-quantize on every tensor it writes and by the model loader with --check-tensors): every
// value of a plain float type is finite, and every block of a quantized type has a finite
// scale (the `d`, `dmin`/`m` half floats; MXFP4's E8M0 exponent is not 0xff). Integer codes
// need no check: every bit pattern decodes to a finite value once the scale is finite.
namespace qs::core {

struct DataProblem {
    // Plain types: the index of the value; block types: the index of the block.
    std::uint64_t index = 0;
    bool isBlock = false;
    std::string field; // "value", "d", "dmin", "m", "e", "scale"
    float value = 0;   // the offending value (NaN, ±Inf; 0xff exponents read as NaN)

    // "value nan", "+inf in the scale d": for messages.
    std::string describe() const;
};

// The first problem in `bytes` (whole blocks of `type`), or nullopt when the data is valid.
// Types without a known layout (NVFP4, Q1_0, Q2_0, integers) have nothing checked, as in ggml.
std::optional<DataProblem> findInvalidData(GgmlType type, std::span<const std::byte> bytes);

// Index of the first NaN or ±Inf among n floats, or nullopt. Vectorizes; costs a fraction of
// the conversion that produced the values.
std::optional<std::uint64_t> findNonFinite(const float* values, std::uint64_t n);

// "nan", "+inf" or "-inf".
std::string nonFiniteName(float value);

} // namespace qs::core
