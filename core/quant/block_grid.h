#pragma once

#include "core/error.h"
#include "core/quant/ggml_type.h"

#include <cstdint>

// The grid of one stored block of a scale-and-offset format (Q4_0, Q5_0, Q8_0, Q2_K..Q6_K):
// every value decodes as scale[j] * level - offset[j] with an integer level in
// [minLevel, maxLevel] and per-value scale and offset taken from the block's (sub-)block
// scales. Calibrated rounding (GPTQ inside the block structure) keeps the scales that the
// format's own quantizer chose and picks the levels itself, so it needs to read that grid and
// write levels back without touching the scales.
namespace qs::core {

struct BlockGrid {
    int size = 0; // values per block: 32 or 256
    int minLevel = 0;
    int maxLevel = 0;
    float scale[256] = {};
    float offset[256] = {};

    // As the dequantizer computes it (same operations, same order: bit-exact).
    float value(int j, int level) const { return scale[j] * static_cast<float>(level) - offset[j]; }
    // The level whose value is nearest to x (ties to the lower level).
    int nearest(int j, float x) const;
};

// Whether readBlockGrid / writeBlockLevels handle `type`.
bool blockGridSupports(GgmlType type);

// The grid of the block at `block` (ggmlTypeInfo(type).bytesPerBlock bytes).
Status readBlockGrid(GgmlType type, const void* block, BlockGrid& grid);

// The levels stored in a block (grid.size of them, in value order).
Status readBlockLevels(GgmlType type, const void* block, int* levels);

// Stores `levels` (in value order, each within the grid's range) into the block, keeping its
// scales, mins and super-block scales as they are.
Status writeBlockLevels(GgmlType type, void* block, const int* levels);

} // namespace qs::core
