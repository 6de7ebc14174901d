#pragma once

#include "core/compute/compute_backend.h"

#include <cstdint>
#include <string>
#include <vector>

// Shared by the backend tests: quantized test matrices and the CPU oracle.
namespace qs::test {

// nRows x nCols weights drawn from N(0, 1) with a few outliers (so scales differ between
// blocks), quantized to `type` with core's quantizeRows.
struct QuantizedMatrix {
    core::GgmlType type;
    std::int64_t nRows = 0;
    std::int64_t nCols = 0;
    std::vector<std::uint8_t> bytes;
    core::WeightMatrix view() const { return {type, bytes.data(), nRows, nCols}; }
};
QuantizedMatrix makeQuantized(core::GgmlType type, std::int64_t nRows, std::int64_t nCols,
                              unsigned seed);

std::vector<float> randomVector(std::int64_t n, unsigned seed);

// dequantizeRow over all rows: the bit-exact reference.
std::vector<float> cpuDequantized(const QuantizedMatrix& m);

// W x in double precision from the CPU-dequantized weights.
std::vector<double> referenceMatvec(const std::vector<float>& weights, std::int64_t nRows,
                                    std::int64_t nCols, const std::vector<float>& x);

// Normalised mean squared error sum((y - ref)^2) / sum(ref^2), as ggml's test-backend-ops.
double nmse(const std::vector<float>& y, const std::vector<double>& ref);

// Budget for matvec NMSE against referenceMatvec. Both sides use the same dequantized weights,
// so only f32 summation order differs (relative error ~1e-6 on 512-4096 terms, NMSE ~1e-12);
// a wrong sub-block scale or a swapped nibble gives NMSE > 1e-4. 1e-9 separates the two by
// orders of magnitude for every format.
inline constexpr double kMatvecNmseBudget = 1e-9;

// "index 17: 0.25 != 0.5" for the first difference of two float arrays, bitwise; empty if equal.
std::string firstBitDifference(const float* a, const float* b, std::size_t n);

} // namespace qs::test
