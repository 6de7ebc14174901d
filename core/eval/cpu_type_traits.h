#pragma once

#include "core/eval/vec_dot.h"
#include "core/quant/ggml_type.h"

#include <cstddef>
#include <cstdint>

namespace qs::core {

// What the CPU forward pass does with each ggml type, one row per type, as ggml's
// type_traits_cpu. vec_dot.h and activation_rounding.h answer from here, so a new weight format
// is one row (and its kernels) rather than a case in each of their functions. A type without a
// row gets the defaults below: Q8_K activations, no fused kernel (rows are dequantized).
struct CpuTypeTraits {
    GgmlType type = GgmlType::F32;

    // As the type of a weight matrix.
    GgmlType vecDotType = GgmlType::Q8_K; // activations are converted to this (ggml's vec_dot_type)
    VecDotFn dotScalar = nullptr;         // fused row kernel, portable
    VecDotFn dotAvx2 = nullptr;           // the same for CPUs that run the AVX2 kernels
    VecDotTileFn dotTileAvx2 = nullptr;   // one row, several inputs, as dotAvx2 per input
    VecDotTileFn dotTileAvx512 = nullptr; // the same with AVX-512 and VNNI
    VecDot8Fn dot8Scalar = nullptr;       // 8-row kernel over groups that repack8 made
    VecDot8Fn dot8Avx2 = nullptr;
    VecDot8TileFn dot8TileAvx2 = nullptr;   // several inputs per group, as dot8Avx2 per input
    VecDot8TileFn dot8TileAvx512 = nullptr; // the same with AVX-512 and VNNI
    void (*repack8)(const void* rows, std::size_t rowBytes, std::int64_t n, void* group) = nullptr;
    std::size_t (*group8Bytes)(std::int64_t n) = nullptr; // 0: no group for rows of n values

    // As a vec_dot_type, the activations' side.
    void (*roundInPlace)(float* x, std::int64_t n) = nullptr; // roundActivations; none: exact
    // quantizeVecDotActivations; none: no fused kernel reads this type.
    void (*fromFloat)(const float* x, void* out, std::int64_t n) = nullptr;
    void (*fromFloatAvx2)(const float* x, void* out, std::int64_t n) = nullptr;
    // What fromFloat writes: activationBlockBytes per activationBlockValues values (floats
    // where there is no block format, as for F16, whose rounded values stay floats).
    std::size_t activationBlockBytes = sizeof(float);
    std::int64_t activationBlockValues = 1;
};

// The row of `type`, or the defaults.
const CpuTypeTraits& cpuTypeTraits(GgmlType type);

} // namespace qs::core
