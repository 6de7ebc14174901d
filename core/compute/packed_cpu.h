#pragma once

#include "core/compute/compute_backend.h"
#include "core/compute/packed_linear.h"

#include <cstdint>

// Internal to core/compute: the CPU kernels on packed GPTQ/AWQ linears behind CpuBackend.
// Arguments are validated by the caller (validatePackedRows); `threads` >= 1.
namespace qs::core {

// Rows (output features) [rows.first, rows.first + rows.count) of W, row-major, into exactly
// one of dstF32 / dstF16 (the other null). Values bit for bit QuantizedLinear::dequantize().
void cpuDequantizePacked(const PackedLinear& w, RowRange rows, float* dstF32, std::uint16_t* dstF16,
                         unsigned threads);

// y = W x: x has w.in floats, y receives w.out floats.
void cpuMatvecPacked(const PackedLinear& w, const float* x, float* y, unsigned threads);

} // namespace qs::core
