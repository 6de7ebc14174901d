#pragma once

#include "core/quant/quant_kernels.h"

#include <bit>
#include <cstdint>
#include <cstring>

// Internal: ggml's scale searches run on many independent groups at once, one group per SIMD
// lane (GCC vector extensions: SSE2 on baseline x86-64, AVX2 in the dispatched clones). Each
// lane performs exactly the scalar sequence of IEEE operations of quant_search.cpp - the same
// products, the same left-to-right sums, branches turned into selects - so the bytes are the
// reference's. Only whole groups are spread over lanes; nothing inside a group is reordered.
// Helpers are always_inline so that the vector ABI never crosses a call (hence -Wpsabi off)
// and so that they compile for the target of the kernel that inlines them.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

#define QS_LANES_INLINE inline __attribute__((always_inline))

namespace qs::core::quant::lanes {

template <int W>
struct Vec {
    typedef float F __attribute__((vector_size(4 * W)));
    typedef std::int32_t I __attribute__((vector_size(4 * W)));
};

template <typename F>
QS_LANES_INLINE F splat(float s) {
    return F{} + s;
}

// As nearestInt(): add 1.5 * 2^23 and read the mantissa bits.
template <typename F>
QS_LANES_INLINE auto nearestInt(F x) {
    using I = decltype(x < x);
    const F shifted = x + 12582912.f;
    return (std::bit_cast<I>(shifted) & 0x007fffff) - 0x00400000;
}

template <typename I>
QS_LANES_INLINE I clampInt(I l, int lo, int hi) {
    l = l < lo ? I{} + lo : l;
    return l > hi ? I{} + hi : l;
}

template <typename F>
QS_LANES_INLINE F absF(F x) {
    using I = decltype(x < x);
    return std::bit_cast<F>(std::bit_cast<I>(x) & 0x7fffffff);
}

template <typename F>
QS_LANES_INLINE auto toFloat(decltype(F{} < F{}) l) {
    return __builtin_convertvector(l, F);
}

template <typename M, typename T>
QS_LANES_INLINE T select(M mask, T a, T b) {
    return mask ? a : b;
}

// Groups of N consecutive values, W of them, to value-major order: xt[i] holds value i of
// every group.
template <typename F, int N, int W>
QS_LANES_INLINE void gather(const float* x, F* xt) {
    for (int i = 0; i < N; ++i) {
        for (int j = 0; j < W; ++j) {
            xt[i][j] = x[N * j + i];
        }
    }
}

// makeQkx2Quants (Qkx3 = false) / makeQkx3Quants (Qkx3 = true) on K * W groups of N values:
// x[K * i + k] and w[K * i + k] hold value i of every lane of vector group k. Writes levels (as
// floats, same layout) to L, the scales to scale[k] and -min to theMin[k], lane by lane as the
// scalar functions return them. The K vector groups are independent; running them interleaved
// only hides the latency of each lane's serial sums.
template <typename F, int N, int K, bool Qkx3>
QS_LANES_INLINE void qkxQuants(int nmax, const F* x, const F* w, F* L, F* scaleOut, F* theMin,
                               float rmin, float rdelta, int nstep, bool useMad) {
    using I = decltype(F{} < F{});
    F min[K], max[K], sumW[K], sumX[K];
    for (int k = 0; k < K; ++k) {
        min[k] = x[k];
        max[k] = x[k];
        sumW[k] = w[k];
        sumX[k] = sumW[k] * x[k];
    }
    for (int i = 1; i < N; ++i) {
        for (int k = 0; k < K; ++k) {
            const F xi = x[K * i + k];
            min[k] = select(xi < min[k], xi, min[k]);
            max[k] = select(xi > max[k], xi, max[k]);
            sumW[k] += w[K * i + k];
            sumX[k] += w[K * i + k] * xi;
        }
    }
    I flat[K];
    F flatMin[K], iscale[K], scale[K], bestError[K];
    const float fmaxS = static_cast<float>(nmax);
    for (int k = 0; k < K; ++k) {
        min[k] = select(min[k] > 0.f, F{}, min[k]);
        flat[k] = Qkx3 ? (max[k] <= min[k]) : (max[k] == min[k]);
        flatMin[k] = min[k];
        iscale[k] = fmaxS / (max[k] - min[k]);
        scale[k] = 1.f / iscale[k];
        bestError[k] = F{};
    }
    for (int i = 0; i < N; ++i) {
        for (int k = 0; k < K; ++k) {
            const int at = K * i + k;
            const F l = toFloat<F>(clampInt(nearestInt(iscale[k] * (x[at] - min[k])), 0, nmax));
            L[at] = l;
            F diff = scale[k] * l + min[k] - x[at];
            diff = useMad ? absF(diff) : diff * diff;
            bestError[k] += w[at] * diff;
        }
    }
    if (nstep >= 1) {
        F laux[N * K];
        for (int is = 0; is <= nstep; ++is) {
            const float numerator = rmin + rdelta * static_cast<float>(is) + fmaxS;
            F sumL[K], sumL2[K], sumXL[K];
            for (int k = 0; k < K; ++k) {
                iscale[k] = numerator / (max[k] - min[k]);
                sumL[k] = F{};
                sumL2[k] = F{};
                sumXL[k] = F{};
            }
            for (int i = 0; i < N; ++i) {
                for (int k = 0; k < K; ++k) {
                    const int at = K * i + k;
                    F l;
                    if constexpr (Qkx3) {
                        const F v = iscale[k] * (x[at] - min[k]);
                        const F vc = select(fmaxS < v, splat<F>(fmaxS), v);
                        l = toFloat<F>(select(v > 0.f, nearestInt(vc), I{}));
                    } else {
                        l = toFloat<F>(clampInt(nearestInt(iscale[k] * (x[at] - min[k])), 0, nmax));
                    }
                    laux[at] = l;
                    sumL[k] += w[at] * l;
                    sumL2[k] += w[at] * l * l;
                    sumXL[k] += w[at] * l * x[at];
                }
            }
            F D[K], thisScale[K], thisMin[K], curError[K];
            I positiveD[K];
            bool any = false;
            for (int k = 0; k < K; ++k) {
                D[k] = sumW[k] * sumL2[k] - sumL[k] * sumL[k];
                positiveD[k] = D[k] > 0.f;
                for (int j = 0; j < static_cast<int>(sizeof(F) / sizeof(float)); ++j) {
                    any |= positiveD[k][j] != 0;
                }
            }
            if (!any) {
                continue;
            }
            for (int k = 0; k < K; ++k) {
                thisScale[k] = (sumW[k] * sumXL[k] - sumX[k] * sumL[k]) / D[k];
                thisMin[k] = (sumL2[k] * sumX[k] - sumL[k] * sumXL[k]) / D[k];
                const I minPositive = thisMin[k] > 0.f;
                thisScale[k] = select(minPositive, sumXL[k] / sumL2[k], thisScale[k]);
                thisMin[k] = select(minPositive, F{}, thisMin[k]);
                curError[k] = F{};
            }
            for (int i = 0; i < N; ++i) {
                for (int k = 0; k < K; ++k) {
                    const int at = K * i + k;
                    F diff = thisScale[k] * laux[at] + thisMin[k] - x[at];
                    diff = useMad ? absF(diff) : diff * diff;
                    curError[k] += w[at] * diff;
                }
            }
            I better[K];
            for (int k = 0; k < K; ++k) {
                better[k] = positiveD[k] & (curError[k] < bestError[k]);
                bestError[k] = select(better[k], curError[k], bestError[k]);
                scale[k] = select(better[k], thisScale[k], scale[k]);
                min[k] = select(better[k], thisMin[k], min[k]);
            }
            for (int i = 0; i < N; ++i) {
                for (int k = 0; k < K; ++k) {
                    L[K * i + k] = select(better[k], laux[K * i + k], L[K * i + k]);
                }
            }
        }
    }
    for (int i = 0; i < N; ++i) {
        for (int k = 0; k < K; ++k) {
            L[K * i + k] = select(flat[k], F{}, L[K * i + k]);
        }
    }
    for (int k = 0; k < K; ++k) {
        theMin[k] = -select(flat[k], flatMin[k], min[k]);
        scaleOut[k] = select(flat[k], F{}, scale[k]);
    }
}

// makeQxQuants with rmseType 1 (weights x^2 unless qw) on W groups of N values; levels
// (already offset by nmax) go to L as floats.
template <typename F, int N>
QS_LANES_INLINE F qxQuants(int nmax, const F* x, F* L, const F* qw) {
    using I = decltype(F{} < F{});
    F max{};
    F amax{};
    for (int i = 0; i < N; ++i) {
        const F ax = absF(x[i]);
        const I bigger = ax > amax;
        amax = select(bigger, ax, amax);
        max = select(bigger, x[i], max);
    }
    const I flat = amax < 1e-15f;
    const F fnmax = splat<F>(static_cast<float>(nmax));
    F iscale = static_cast<float>(-nmax) / max;
    F sumlx{}, suml2{};
    for (int i = 0; i < N; ++i) {
        const F l = toFloat<F>(clampInt(nearestInt(iscale * x[i]), -nmax, nmax - 1));
        L[i] = l + fnmax;
        const F w = qw ? qw[i] : x[i] * x[i];
        sumlx += w * x[i] * l;
        suml2 += w * l * l;
    }
    F scale = select(suml2 != 0.f, sumlx / suml2, F{});
    F best = scale * sumlx;
    F lcur[N];
    for (int is = -9; is <= 9; ++is) {
        if (is == 0) {
            continue;
        }
        iscale = -(static_cast<float>(nmax) + 0.1f * static_cast<float>(is)) / max;
        sumlx = F{};
        suml2 = F{};
        for (int i = 0; i < N; ++i) {
            const F l = toFloat<F>(clampInt(nearestInt(iscale * x[i]), -nmax, nmax - 1));
            lcur[i] = l;
            const F w = qw ? qw[i] : x[i] * x[i];
            sumlx += w * x[i] * l;
            suml2 += w * l * l;
        }
        const I better = (suml2 > 0.f) & (sumlx * sumlx > best * suml2);
        bool any = false;
        for (int k = 0; k < static_cast<int>(sizeof(F) / sizeof(float)); ++k) {
            any |= better[k] != 0;
        }
        if (!any) {
            continue;
        }
        for (int i = 0; i < N; ++i) {
            L[i] = select(better, lcur[i] + fnmax, L[i]);
        }
        const F newScale = sumlx / suml2;
        scale = select(better, newScale, scale);
        best = select(better, newScale * sumlx, best);
    }
    for (int i = 0; i < N; ++i) {
        L[i] = select(flat, F{}, L[i]);
    }
    return select(flat, F{}, scale);
}

} // namespace qs::core::quant::lanes

// Defines `void publicName(src, dst, nRows, nPerRow, importance)` running impl<W>(...) compiled
// twice, for AVX2 with 8 lanes and for baseline x86-64 (SSE2) with 4, picked at run time. impl and
// everything it calls that uses lanes must be QS_LANES_INLINE so that each build gets its own copy.
#if defined(__x86_64__) || defined(__i386__)
#define QS_LANES_DISPATCH(publicName, impl)                                                        \
    __attribute__((target("avx2"))) static void publicName##Avx2(                                  \
        const float* s, void* d, std::int64_t r, std::int64_t n, const float* w) {                 \
        impl<8>(s, d, r, n, w);                                                                    \
        /* Clean upper halves: SSE code run next would otherwise pay for the dirty state. */       \
        __builtin_ia32_vzeroupper();                                                               \
    }                                                                                              \
    static void publicName##Base(const float* s, void* d, std::int64_t r, std::int64_t n,          \
                                 const float* w) {                                                 \
        impl<4>(s, d, r, n, w);                                                                    \
    }                                                                                              \
    void publicName(const float* s, void* d, std::int64_t r, std::int64_t n, const float* w) {     \
        (useAvx2Kernels() ? publicName##Avx2 : publicName##Base)(s, d, r, n, w);                   \
    }
#else
#define QS_LANES_DISPATCH(publicName, impl)                                                        \
    void publicName(const float* s, void* d, std::int64_t r, std::int64_t n, const float* w) {     \
        impl<4>(s, d, r, n, w);                                                                    \
    }
#endif

#pragma GCC diagnostic pop
