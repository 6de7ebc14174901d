#pragma once

#include "core/compute/packed_linear.h"
#include "core/error.h"
#include "vkcompute/chunk_plan.h"

#include <cstdint>
#include <vector>

// Internal, free of Vulkan types: how the kernels on a packed GPTQ/AWQ linear split their
// work so that every binding stays within maxStorageBufferRange. Both packed layouts store
// most arrays as [rows][outputs] (scales, qzeros, GPTQ's qweight), so a range of outputs is a
// column slice, not a contiguous range. The host therefore uploads the outputs in data chunks
// of whole output granules, each array of a chunk cut to the chunk's outputs and stored
// contiguously: one chunk binds as three contiguous ranges, whatever the layer's size.
namespace qs::vk {

struct PackedShape {
    std::uint64_t in = 0;
    std::uint64_t out = 0;
    std::uint64_t groups = 0;
    std::uint32_t bits = 4;
    std::uint64_t granule = 8;      // outputs sharing packed words (packedOutputGranule)
    std::uint64_t groupEntries = 0; // entries (32-bit) of the group table
};

// Outputs [firstOutput, firstOutput + outputs) uploaded together. Each binding covers its
// array exactly (inner == 0): sections start at offsetAlignment in the source buffer.
struct PackedDataChunk {
    std::uint64_t firstOutput = 0;
    std::uint64_t outputs = 0;
    Binding qweight; // [rows][outputs * bits / 32 (AWQ) or outputs (GPTQ)] words
    Binding qzeros;  // [groups][outputs * bits / 32] words
    Binding scales;  // [groups][outputs] halves
};

// One vkCmdDispatch: outputs [firstOutput, firstOutput + outputs) (absolute) of one chunk,
// written through `dst`, a range of the output buffer whose byte 0 is the first requested
// output's first byte.
struct PackedDispatch {
    std::size_t chunk = 0;
    std::uint64_t firstOutput = 0;
    std::uint64_t outputs = 0;
    Binding dst;
};

struct PackedPlan {
    std::vector<PackedDataChunk> chunks;
    Binding groupTable;
    std::uint64_t srcBytes = 0; // the source buffer: every chunk's sections, then the table
    std::uint64_t dstBytes = 0; // the output buffer, with the tail bindings need
    std::vector<PackedDispatch> dispatches;
};

// Plans outputs [first, first + count) of `shape`, each producing dstBytesPerOutput bytes
// (a dequantized row: in * 4 or in * 2; matvec: 4), at most maxOutputsPerDispatch outputs per
// dispatch (grid and index limits). Unsupported when one granule, one output or the group
// table cannot fit a binding.
core::Result<PackedPlan> planPacked(const PackedShape& shape, std::uint64_t first,
                                    std::uint64_t count, std::uint64_t dstBytesPerOutput,
                                    std::uint64_t maxOutputsPerDispatch, const ChunkLimits& limits);

// Writes plan.srcBytes of source buffer: each chunk's slices of w's arrays, then the group
// table (`groupTable`, plan's groupEntries), zeros in the slack past each section.
void writePackedSource(std::uint8_t* base, const core::PackedLinear& w, const PackedPlan& plan,
                       const std::vector<std::int32_t>& groupTable);

} // namespace qs::vk
