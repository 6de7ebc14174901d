#pragma once

#include <bit>
#include <cstdint>

// Internal: the scale searches ggml's quantizers share (ggml-quants.c "Helper functions").
// Every loop keeps the reference's order of float operations: reordering a single sum changes
// rounding and with it the chosen levels, so these are bit-exactness contracts, not style.
namespace qs::core::quant {

// Round to nearest (ties to even) by adding 1.5 * 2^23; valid for |x| <= 2^22. Kept as ggml
// does it, so that inf/NaN inputs give the same garbage level as the reference.
inline int nearestInt(float x) {
    const float shifted = x + 12582912.f;
    const auto bits = std::bit_cast<std::int32_t>(shifted);
    return (bits & 0x007fffff) - 0x00400000;
}

// float -> int32 truncation as x86-64 cvttss2si does it: NaN and out-of-range give INT32_MIN.
// ggml casts floats to int8/uint8 directly; GCC emits exactly this followed by taking the low
// byte, which matters for the inf/NaN scales that subnormal inputs produce.
inline std::int32_t truncToInt32(float x) {
    if (!(x > -2147483904.f && x < 2147483648.f)) {
        return INT32_MIN;
    }
    return static_cast<std::int32_t>(x);
}

// The weighted least-squares terms of odd levels q = 2L + 1 against x, in ggml's order:
// sumqx = sum w x q, sumq2 = sum w q^2 (the scale fits of the i-quant searches).
inline void oddLevelSums(int n, const float* weight, const float* x, const std::int8_t* L,
                         float& sumqx, float& sumq2) {
    sumqx = 0;
    sumq2 = 0;
    for (int i = 0; i < n; ++i) {
        const float w = weight[i];
        const auto q = static_cast<float>(2 * L[i] + 1);
        sumqx += w * x[i] * q;
        sumq2 += w * q * q;
    }
}

// Symmetric scale search; returns the scale, fills L with levels in [0, 2*nmax).
// rmseType selects the default weights when qw is null (1: x^2, 2: 1, 3: |x|, 4: sqrt|x|).
float makeQxQuants(int n, int nmax, const float* x, std::int8_t* L, int rmseType, const float* qw);

// Symmetric 3-bit search with per-element re-rounding (weights x^2).
float makeQ3Quants(int n, int nmax, const float* x, std::int8_t* L, bool doRmse);

// Asymmetric scale + min grid search with explicit weights; *theMin receives -min (>= 0).
float makeQkx2Quants(int n, int nmax, const float* x, const float* weights, std::uint8_t* L,
                     float* theMin, std::uint8_t* Laux, float rmin, float rdelta, int nstep,
                     bool useMad);

// As makeQkx2Quants; weights may be null (then x^2), used by the importance paths.
float makeQkx3Quants(int n, int nmax, const float* x, const float* weights, std::uint8_t* L,
                     float* theMin, std::uint8_t* Laux, float rmin, float rdelta, int nstep,
                     bool useMad);

// Quantizes non-negative sub-block scales/mins to [0, nmax] with importance weights.
float makeQpQuants(int n, int nmax, const float* x, std::uint8_t* L, const float* quantWeights);

} // namespace qs::core::quant
