#pragma once

#include "core/compute/packed_linear.h"
#include "core/gptq/packing.h"

#include <cstdint>
#include <string>
#include <vector>

// Shared by the packed GPTQ/AWQ kernel tests and usable by benchmarks: packed layers built
// with core/gptq/packing.cpp from random integer weights, and their reference.
namespace qs::test {

struct PackedCase {
    core::PackedLayout layout = core::PackedLayout::GptqV1;
    int bits = 4;
    int in = 256;          // input features (columns of W)
    int out = 64;          // output features (rows of W)
    int groupSize = 128;   // -1: one group
    bool actOrder = false; // g_idx from a random column permutation (non-monotonic)
    bool nullGIdx = false; // view without g_idx (contiguous groups)
    // Scales within one octave (2^-8 .. 2^-7) instead of 2^-14 .. 2^-2, so that every group of
    // a row weighs about the same in a product.
    bool narrowScales = false;
};

struct PackedLayer {
    PackedCase spec;
    core::GptqPacked gptq;
    core::AwqPacked awq;
    // QuantizedLinear::dequantize() of unpackGptq / unpackAwq of the packed arrays: the
    // bit-exact reference, out x in row-major.
    std::vector<float> reference;
    core::PackedLinear view() const;
};

// Random weights 0 .. 2^bits - 1, zeros over the whole range (v1's stored zero - 1 wraps for a
// zero of 0: the reference keeps what unpackGptq reads), f16 scales of varied magnitude with
// a few subnormal ones (none with narrowScales).
PackedLayer makePackedLayer(const PackedCase& spec, unsigned seed);

// A normalised per-row matvec error: max over rows of |y - ref| / sum_c |W[r][c] x[c]|, with
// ref = W x in double precision; `row` is where the maximum is.
struct RowError {
    double worst = 0.0;
    std::int64_t row = -1;
};
RowError matvecRowError(const std::vector<float>& weights, std::int64_t rows, std::int64_t cols,
                        const std::vector<float>& x, const std::vector<float>& y);

// The budget of matvecRowError: f32 sums of 32-value blocks added one after another, and a
// reduction of at most 64 partial sums, stay within (cols / 32 + 32 + 64) roundings of the
// sum of |terms|. A scale off by 1/64 in one group of a row exceeds it by far (the negative
// test in tst_packed_kernels shows it).
double packedMatvecBudget(std::int64_t cols);

} // namespace qs::test
