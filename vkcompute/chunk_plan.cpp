#include "vkcompute/chunk_plan.h"

#include <algorithm>

namespace qs::vk {
namespace {

std::uint64_t alignDown(std::uint64_t v, std::uint64_t a) {
    return v / a * a;
}
std::uint64_t roundUp(std::uint64_t v, std::uint64_t a) {
    return (v + a - 1) / a * a;
}

} // namespace

Binding bindRange(std::uint64_t start, std::uint64_t bytes, std::uint64_t bufferBytes,
                  const ChunkLimits& limits) {
    Binding b;
    b.offset = alignDown(start, limits.offsetAlignment);
    b.inner = start - b.offset;
    // Whole 16-byte texels (kernels read inputs through texel views of up to 16 bytes), with
    // at least kBindingTailBytes past the data; buffers hold whole texels too.
    b.size = std::min(bufferBytes - b.offset, roundUp(b.inner + bytes + kBindingTailBytes, 16));
    return b;
}

std::uint64_t usableBindingBytes(const ChunkLimits& limits) {
    const std::uint64_t slack = limits.offsetAlignment + kBindingTailBytes + 16;
    return limits.maxBindingBytes > slack ? limits.maxBindingBytes - slack : 0;
}

std::vector<DequantChunk> planDequant(std::uint64_t elements, std::uint32_t unitElems,
                                      std::uint32_t unitBytes, std::uint32_t outBytesPerElem,
                                      std::uint64_t srcBufferBytes, std::uint64_t dstBufferBytes,
                                      const ChunkLimits& limits) {
    std::vector<DequantChunk> chunks;
    const std::uint64_t room = usableBindingBytes(limits);
    // Units per chunk: both bindings must fit, and element indices stay far from 2^32.
    std::uint64_t units =
        std::min(room / unitBytes, room / (std::uint64_t(unitElems) * outBytesPerElem));
    units = std::min<std::uint64_t>(units, (1ull << 30) / unitElems);
    units = std::min<std::uint64_t>(units, limits.maxWorkItems / (unitElems / 32));
    if (units == 0) {
        return chunks; // a single block does not fit: the caller reports it
    }
    const std::uint64_t totalUnits = (elements + unitElems - 1) / unitElems;
    for (std::uint64_t u = 0; u < totalUnits; u += units) {
        const std::uint64_t n = std::min(units, totalUnits - u);
        DequantChunk c;
        c.firstElement = u * unitElems;
        c.elements = std::min(elements - c.firstElement, n * unitElems);
        c.src = bindRange(u * unitBytes, n * unitBytes, srcBufferBytes, limits);
        // Whole units: the kernels write a partial last group of a plain type in full, into the
        // destination's padding (the host copies out only the values).
        c.dst = bindRange(c.firstElement * outBytesPerElem, n * unitElems * outBytesPerElem,
                          dstBufferBytes, limits);
        chunks.push_back(c);
    }
    return chunks;
}

std::vector<MatvecChunk> planMatvec(std::uint64_t rows, std::uint64_t rowBytes,
                                    std::uint64_t srcBufferBytes, std::uint64_t dstBufferBytes,
                                    const ChunkLimits& limits) {
    std::vector<MatvecChunk> chunks;
    const std::uint64_t room = usableBindingBytes(limits);
    std::uint64_t perChunk = std::min(room / rowBytes, room / sizeof(float));
    perChunk = std::min<std::uint64_t>({perChunk, 1ull << 30, limits.maxWorkItems});
    if (perChunk == 0) {
        return chunks;
    }
    for (std::uint64_t r = 0; r < rows; r += perChunk) {
        MatvecChunk c;
        c.firstRow = r;
        c.rows = std::min(perChunk, rows - r);
        c.src = bindRange(r * rowBytes, c.rows * rowBytes, srcBufferBytes, limits);
        c.dst = bindRange(r * sizeof(float), c.rows * sizeof(float), dstBufferBytes, limits);
        chunks.push_back(c);
    }
    return chunks;
}

Grid planGrid(std::uint64_t workgroups, std::uint32_t maxPerDim) {
    Grid g;
    if (workgroups == 0 || maxPerDim == 0) {
        return g;
    }
    g.x = static_cast<std::uint32_t>(std::min<std::uint64_t>(workgroups, maxPerDim));
    const std::uint64_t y = (workgroups + g.x - 1) / g.x;
    g.y = y <= maxPerDim ? static_cast<std::uint32_t>(y) : 0;
    return g;
}

} // namespace qs::vk
