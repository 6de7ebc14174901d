#pragma once

#include "core/compute/packed_linear.h"
#include "core/quant/packing.h"

#include <cstdint>
#include <string>
#include <vector>

// Shared by the packed GPTQ/AWQ kernel tests and usable by benchmarks: packed layers built
// with core/quant/packing.cpp from random integer weights, and their reference.
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

} // namespace qs::test
