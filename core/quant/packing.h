#pragma once

#include "core/error.h"
#include "core/quant/quantized_linear.h"

#include <cstdint>
#include <vector>

namespace qs::core {

// One linear in AutoGPTQ's checkpoint layout (formats.md 5.1/5.2), as stored: row-major
// arrays with the shapes the safetensors header gives.
struct GptqPacked {
    int in = 0, out = 0, groups = 0, bits = 4;
    std::vector<std::int32_t> qweight; // [in * bits / 32][out], packed along the input dim
    std::vector<std::int32_t> qzeros;  // [groups][out * bits / 32], packed along the output dim
    std::vector<std::uint16_t> scales; // [groups][out] f16
    std::vector<std::int32_t> gIdx;    // [in]
};

// AutoAWQ's GEMM layout (formats.md 6.2), 4 bits only.
struct AwqPacked {
    int in = 0, out = 0, groups = 0;
    std::vector<std::int32_t> qweight; // [in][out / 8], packed along the output dim
    std::vector<std::int32_t> qzeros;  // [groups][out / 8]
    std::vector<std::uint16_t> scales; // [groups][out] f16
};

// Packs `bits`-bit values LSB first into consecutive 32-bit words: AutoGPTQ's scheme for 2, 4
// and 8 bits, and exactly its 3-bit "32 values in 3 words" scheme too.
void packBitstream(const std::int32_t* values, std::size_t count, int bits, std::uint32_t* words);
std::int32_t unpackBitstream(const std::uint32_t* words, std::size_t index, int bits);

// v2 == false: the v1 "zero - 1" convention (AutoGPTQ default); v2: zeros as they are.
Result<GptqPacked> packGptq(const QuantizedLinear& q, bool v2);
// The inverse (for import); groupSize is informational (-1 allowed).
Result<QuantizedLinear> unpackGptq(const GptqPacked& p, bool v2, int groupSize);

// Needs contiguous groups (no act-order), 4 bits, out % 8 == 0.
Result<AwqPacked> packAwq(const QuantizedLinear& q);
Result<QuantizedLinear> unpackAwq(const AwqPacked& p, int groupSize);

// GGUF stores llama Q/K rows in interleaved-pair order per head; Hugging Face in rotate-half
// order. Returns for each GGUF row the HF row it is (formats.md 1.7).
std::vector<int> ggufToHfRows(int rows, int heads);
// Reorders the output rows of a quantized linear from GGUF to HF order.
void permuteRowsGgufToHf(QuantizedLinear& q, int heads);

} // namespace qs::core
