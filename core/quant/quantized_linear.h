#pragma once

#include <cstdint>
#include <vector>

namespace qs::core {

// One quantized linear layer in the GPTQ layout, rows in the order the caller passed them. A
// storage layout, not an algorithm: GPTQ and RTN produce it, the checkpoint packing, the import
// and the compute kernels read it, so it sits with the other formats below all of them.
struct QuantizedLinear {
    int rows = 0; // output features
    int cols = 0; // input features
    int bits = 4;
    int groupSize = 128; // as requested (-1: one group)
    bool sym = true;
    std::vector<std::uint8_t> q;     // [rows][cols] integer weights 0..2^bits-1
    std::vector<float> scales;       // [groups][rows], values exactly representable in f16
    std::vector<std::int32_t> zeros; // [groups][rows], true zero points 0..2^bits-1
    std::vector<std::int32_t> gIdx;  // [cols] group of each input column

    int groups() const { return static_cast<int>(scales.size() / static_cast<std::size_t>(rows)); }
    // W[r][c] = scales[g][r] * (q[r][c] - zeros[g][r]) with g = gIdx[c]; rows x cols floats.
    std::vector<float> dequantize() const;
};

} // namespace qs::core
