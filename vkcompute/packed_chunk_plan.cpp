#include "vkcompute/packed_chunk_plan.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace qs::vk {
namespace {

std::uint64_t roundUp(std::uint64_t v, std::uint64_t a) {
    return (v + a - 1) / a * a;
}

core::Error unsupported(const std::string& what) {
    return core::makeError(core::ErrorCode::Unsupported, "Vulkan: " + what);
}

// Appends a section of `bytes` to the source buffer at `cursor`; a binding of exactly it.
Binding section(std::uint64_t bytes, std::uint64_t& cursor, const ChunkLimits& limits) {
    Binding b;
    b.offset = roundUp(cursor, limits.offsetAlignment);
    b.size = roundUp(bytes + kBindingTailBytes, 16);
    cursor = b.offset + b.size;
    return b;
}

// Columns [first, first + count) of a rows x rowElems array of elemBytes-byte elements,
// written as a contiguous rows x count array, then zeros up to the binding's end.
void writeSlice(std::uint8_t* base, const Binding& to, const void* from, std::uint64_t rows,
                std::uint64_t rowElems, std::uint64_t first, std::uint64_t count,
                std::uint64_t elemBytes) {
    std::uint8_t* dst = base + to.offset;
    const auto* src = static_cast<const std::uint8_t*>(from);
    const std::uint64_t rowBytes = count * elemBytes;
    for (std::uint64_t r = 0; r < rows; ++r) {
        std::memcpy(dst + r * rowBytes, src + (r * rowElems + first) * elemBytes, rowBytes);
    }
    std::memset(dst + rows * rowBytes, 0, to.size - rows * rowBytes);
}

} // namespace

core::Result<PackedPlan> planPacked(const PackedShape& shape, std::uint64_t first,
                                    std::uint64_t count, std::uint64_t dstBytesPerOutput,
                                    std::uint64_t maxOutputsPerDispatch,
                                    const ChunkLimits& limits) {
    PackedPlan plan;
    const std::uint64_t room = usableBindingBytes(limits);
    // Bytes per output of each array (exact for whole granules): qweight in * bits / 8,
    // qzeros groups * bits / 8, scales groups * 2.
    const std::uint64_t qweightPerOutput = (shape.in * shape.bits + 7) / 8;
    const std::uint64_t qzerosPerOutput = std::max<std::uint64_t>(1, shape.groups * shape.bits / 8);
    const std::uint64_t perOutput = std::max({qweightPerOutput, qzerosPerOutput, shape.groups * 2});
    const std::uint64_t chunkOutputs = room / perOutput / shape.granule * shape.granule;
    if (chunkOutputs == 0) {
        return unsupported(std::to_string(shape.granule) + " outputs of " +
                           std::to_string(perOutput) +
                           " packed bytes each exceed the binding limit");
    }
    if (shape.groupEntries * 4 > room) {
        return unsupported("a group table of " + std::to_string(shape.groupEntries) +
                           " entries exceeds the binding limit");
    }
    const std::uint64_t perDispatch =
        std::min(maxOutputsPerDispatch, room / std::max<std::uint64_t>(1, dstBytesPerOutput));
    if (perDispatch == 0) {
        return unsupported("one output of " + std::to_string(dstBytesPerOutput) +
                           " bytes exceeds the binding limit");
    }
    if (count == 0) {
        return plan;
    }

    const std::uint64_t end = first + count;
    const std::uint64_t uploadFirst = first / shape.granule * shape.granule;
    const std::uint64_t uploadEnd = std::min(shape.out, roundUp(end, shape.granule));
    plan.dstBytes = roundUp(count * dstBytesPerOutput, 16) + kBindingTailBytes;
    std::uint64_t cursor = 0;
    for (std::uint64_t o = uploadFirst; o < uploadEnd; o += chunkOutputs) {
        PackedDataChunk c;
        c.firstOutput = o;
        c.outputs = std::min(chunkOutputs, uploadEnd - o);
        // Chunks hold whole granules, whose bits fill whole words: the byte counts are exact.
        c.qweight = section(c.outputs * shape.in * shape.bits / 8, cursor, limits);
        c.qzeros = section(c.outputs * shape.groups * shape.bits / 8, cursor, limits);
        c.scales = section(c.outputs * shape.groups * 2, cursor, limits);
        const std::size_t index = plan.chunks.size();
        plan.chunks.push_back(c);
        const std::uint64_t from = std::max(first, o);
        const std::uint64_t to = std::min(end, o + c.outputs);
        for (std::uint64_t d = from; d < to; d += perDispatch) {
            PackedDispatch dispatch;
            dispatch.chunk = index;
            dispatch.firstOutput = d;
            dispatch.outputs = std::min(perDispatch, to - d);
            dispatch.dst = bindRange((d - first) * dstBytesPerOutput,
                                     dispatch.outputs * dstBytesPerOutput, plan.dstBytes, limits);
            plan.dispatches.push_back(dispatch);
        }
    }
    plan.groupTable = section(std::max<std::uint64_t>(1, shape.groupEntries) * 4, cursor, limits);
    plan.srcBytes = cursor;
    return plan;
}

void writePackedSource(std::uint8_t* base, const core::PackedLinear& w, const PackedPlan& plan,
                       const std::vector<std::int32_t>& groupTable) {
    const auto in = static_cast<std::uint64_t>(w.in);
    const auto out = static_cast<std::uint64_t>(w.out);
    const auto groups = static_cast<std::uint64_t>(w.groups);
    const auto bits = static_cast<std::uint64_t>(w.bits);
    const bool awq = w.layout == core::PackedLayout::AwqGemm;
    for (const PackedDataChunk& c : plan.chunks) {
        // AWQ qweight: [in][out / 8]; GPTQ: [in * bits / 32][out].
        if (awq) {
            writeSlice(base, c.qweight, w.qweight, in, out / 8, c.firstOutput / 8, c.outputs / 8,
                       4);
        } else {
            writeSlice(base, c.qweight, w.qweight, in * bits / 32, out, c.firstOutput, c.outputs,
                       4);
        }
        // qzeros: [groups][out * bits / 32] in both layouts; chunks start at whole words.
        writeSlice(base, c.qzeros, w.qzeros, groups, out * bits / 32, c.firstOutput * bits / 32,
                   c.outputs * bits / 32, 4);
        writeSlice(base, c.scales, w.scales, groups, out, c.firstOutput, c.outputs, 2);
    }
    writeSlice(base, plan.groupTable, groupTable.data(), 1, groupTable.size(), 0, groupTable.size(),
               4);
}

} // namespace qs::vk
