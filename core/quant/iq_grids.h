#pragma once

#include <array>
#include <cstdint>

// The code books of ggml's i-quants (ggml-common.h): what a stored grid index means. Each
// entry of the 8-wide grids is 8 bytes (value k in byte k); IQ2_* grids hold unsigned
// magnitudes, IQ1_S/IQ1_M's holds -1, 0 or +1 as signed bytes; each entry of the 4-wide IQ3
// grids is 4 unsigned magnitudes. Every reader of these formats (dequantizers, CPU dot
// products, the Vulkan kernels) takes the tables from here. The quantizers' search tables
// (value levels, index maps, neighbour lists) are built from the same entries inside the
// quantizer files.
namespace qs::core::quant::iqgrid {

const std::array<std::uint64_t, 256>& iq2xxs(); // IQ2_XXS
const std::array<std::uint64_t, 512>& iq2xs();  // IQ2_XS
const std::array<std::uint64_t, 1024>& iq2s();  // IQ2_S
const std::array<std::uint64_t, 2048>& iq1s();  // IQ1_S and IQ1_M
const std::array<std::uint32_t, 256>& iq3xxs(); // IQ3_XXS
const std::array<std::uint32_t, 512>& iq3s();   // IQ3_S

// ksigns_iq2xs: 7 stored sign bits -> 8 sign bits with even parity (bit 7 makes the count even).
const std::array<std::uint8_t, 128>& ksigns();

// IQ1_S / IQ1_M: the shift of a group's values by +-delta (ggml's IQ1S_DELTA, IQ1M_DELTA).
constexpr float kIq1sDelta = 0.125f;
constexpr float kIq1mDelta = 0.125f;

} // namespace qs::core::quant::iqgrid
