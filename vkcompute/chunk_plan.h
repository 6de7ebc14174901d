#pragma once

#include <cstdint>
#include <vector>

// Internal, and free of Vulkan types so that tests can check it directly: how a kernel's
// work is split into dispatches whose buffer bindings each stay within maxStorageBufferRange
// (128 MiB on lavapipe), and how a dispatch grid stays within maxComputeWorkGroupCount.
namespace qs::vk {

// A descriptor binding: [offset, offset + size) of a buffer, offset aligned to the device's
// minStorageBufferOffsetAlignment; the data starts `inner` bytes into it. The size is a
// multiple of 16 when the buffer's size is.
struct Binding {
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
    std::uint64_t inner = 0;
};

struct ChunkLimits {
    std::uint64_t maxBindingBytes = 0; // maxStorageBufferRange, or lower in tests
    std::uint64_t offsetAlignment = 16;
    // Most work items one dispatch may have, so that its grid fits maxComputeWorkGroupCount:
    // 32-value groups for dequant, rows for matvec.
    std::uint64_t maxWorkItems = ~std::uint64_t(0);
};

// [start, start + bytes) of a buffer of bufferBytes as a binding: offset aligned down to
// limits.offsetAlignment, whole 16-byte texels and kBindingTailBytes of slack past the data
// (clipped to the buffer).
Binding bindRange(std::uint64_t start, std::uint64_t bytes, std::uint64_t bufferBytes,
                  const ChunkLimits& limits);

// Bytes of data one binding can hold after its alignment slack and tail.
std::uint64_t usableBindingBytes(const ChunkLimits& limits);

// Dequantizing `elements` values stored as units of unitElems values / unitBytes bytes (a
// block; 32 values for plain types) from a source buffer of srcBufferBytes into an output
// of outBytesPerElem per value. Destination bindings cover whole units, so the output buffer
// should have room for the elements rounded up to a unit.
struct DequantChunk {
    std::uint64_t firstElement = 0;
    std::uint64_t elements = 0;
    Binding src;
    Binding dst;
};
std::vector<DequantChunk> planDequant(std::uint64_t elements, std::uint32_t unitElems,
                                      std::uint32_t unitBytes, std::uint32_t outBytesPerElem,
                                      std::uint64_t srcBufferBytes, std::uint64_t dstBufferBytes,
                                      const ChunkLimits& limits);

// A matrix-vector product over rows of rowBytes; y is f32.
struct MatvecChunk {
    std::uint64_t firstRow = 0;
    std::uint64_t rows = 0;
    Binding src;
    Binding dst;
};
std::vector<MatvecChunk> planMatvec(std::uint64_t rows, std::uint64_t rowBytes,
                                    std::uint64_t srcBufferBytes, std::uint64_t dstBufferBytes,
                                    const ChunkLimits& limits);

// A workgroup grid of x * y >= workgroups with x <= maxPerDim; y == 0 when even
// maxPerDim * maxPerDim workgroups are too few.
struct Grid {
    std::uint32_t x = 0;
    std::uint32_t y = 0;
};
Grid planGrid(std::uint64_t workgroups, std::uint32_t maxPerDim);

// Slack bindings keep past the data: the shaders read 16-byte texels, and a run of words of an
// unaligned block may take a texel that starts up to 12 bytes past the block's last word
// (dequant_funcs.glsl loadWords9).
inline constexpr std::uint64_t kBindingTailBytes = 16;

} // namespace qs::vk
