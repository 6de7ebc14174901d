#pragma once

#include "core/compute/packed_linear.h"
#include "core/error.h"
#include "core/quant/ggml_type.h"

#include <cstdint>
#include <memory>
#include <string>

// The interface through which evaluation, the GUI and the benchmarks run matrix work, so that
// they need not know whether the CPU or a Vulkan device computes it. core holds the CPU
// implementation; vkcompute implements it for Vulkan (core never depends on vkcompute).
namespace qs::core {

// A row-major weight matrix in its stored format: nRows rows of nCols values, each row
// ggmlRowBytes(type, nCols) bytes, rows contiguous. The bytes are the caller's; backends
// never keep the pointer past the call.
struct WeightMatrix {
    GgmlType type = GgmlType::F32;
    const void* data = nullptr;
    std::int64_t nRows = 0;
    std::int64_t nCols = 0;
};

// Rows [first, first + count) of a WeightMatrix.
struct RowRange {
    std::int64_t first = 0;
    std::int64_t count = 0;
};

// Checks the shape, type and range a backend is asked to work on: a null pointer, a
// negative size, nCols not a multiple of the block size or a range outside the matrix is
// InvalidArgument. Every implementation calls this first, so all reject the same inputs.
Status validateWeights(const WeightMatrix& w, RowRange rows);

class ComputeBackend {
public:
    virtual ~ComputeBackend() = default;

    // Human-readable: "CPU (8 threads)", "Vulkan: llvmpipe (LLVM 15.0.6, 256 bits)".
    virtual std::string name() const = 0;

    // True when the work runs on this machine's CPU cores: the CPU backend, or a Vulkan device
    // that is a CPU implementation (lavapipe). The forward pass then keeps its own fused CPU
    // kernels, which beat a dispatch per matrix product on the same cores by 40x (pp, measured).
    virtual bool runsOnHostCpu() const = 0;

    // Whether dequantize/matvec accept this storage type.
    virtual bool supports(GgmlType type) const = 0;

    // Writes rows.count * w.nCols floats: the values of those rows, bit for bit what
    // dequantizeRow (core/quant/format_registry.h) produces.
    virtual Status dequantize(const WeightMatrix& w, RowRange rows, float* dst) = 0;

    // As dequantize, rounded to IEEE half (round to nearest even), as raw binary16 bits.
    virtual Status dequantizeF16(const WeightMatrix& w, RowRange rows, std::uint16_t* dst) = 0;

    // y = W x for all rows: x has w.nCols floats, y receives w.nRows floats. Summation order
    // is the backend's own, so results agree with other backends to rounding, not bitwise.
    virtual Status matvec(const WeightMatrix& w, const float* x, float* y) = 0;

    // y = W x for n tokens at once (prompt processing): x holds n rows of w.nCols floats, y
    // receives n rows of w.nRows floats, token t's in y[t * w.nRows ...]. Each row agrees with
    // matvec of that token to rounding. The default runs one matvec per token; a backend that
    // reads each weight once per batch overrides it (Vulkan: mul_mm.comp).
    virtual Status matmul(const WeightMatrix& w, const float* x, std::int64_t n, float* y);

    // The same three on a GPTQ/AWQ linear in its packed checkpoint layout (packed_linear.h);
    // rows are output features, out row-major. Every backend rejects what
    // validatePackedRows rejects. Values: bit for bit QuantizedLinear::dequantize() of the
    // unpacked layer (f16: that value rounded to nearest even); matvec: y has w.out floats,
    // x w.in, agreeing with other backends to rounding.
    virtual Status dequantize(const PackedLinear& w, RowRange rows, float* dst) = 0;
    virtual Status dequantizeF16(const PackedLinear& w, RowRange rows, std::uint16_t* dst) = 0;
    virtual Status matvec(const PackedLinear& w, const float* x, float* y) = 0;
};

// The CPU implementation; threads == 0 uses every hardware thread.
std::unique_ptr<ComputeBackend> makeCpuBackend(unsigned threads = 0);

} // namespace qs::core
