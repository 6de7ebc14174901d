#include "core/quant/quant_search.h"

#include "core/quant/quant_lanes.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>

namespace qs::core::quant {
namespace {

constexpr float kGroupMaxEps = 1e-15f; // below this a group counts as all zero

float defaultWeight(int rmseType, float x) {
    switch (rmseType) {
    case 1:
        return x * x;
    case 2:
        return 1;
    case 3:
        return std::fabs(x);
    default:
        return std::sqrt(std::fabs(x));
    }
}

} // namespace

namespace {
std::atomic<bool> gAvx2Allowed{true};
} // namespace

bool useAvx2Kernels() {
#if defined(__x86_64__) || defined(__i386__)
    static const bool hasAvx2 = __builtin_cpu_supports("avx2");
    return hasAvx2 && gAvx2Allowed.load(std::memory_order_relaxed);
#else
    return false;
#endif
}

void allowAvx2Kernels(bool allowed) {
    gAvx2Allowed.store(allowed, std::memory_order_relaxed);
}

float makeQxQuants(int n, int nmax, const float* x, std::int8_t* L, int rmseType, const float* qw) {
    float max = 0;
    float amax = 0;
    for (int i = 0; i < n; ++i) {
        const float ax = std::fabs(x[i]);
        if (ax > amax) {
            amax = ax;
            max = x[i];
        }
    }
    if (amax < kGroupMaxEps) {
        std::memset(L, 0, static_cast<std::size_t>(n));
        return 0.f;
    }
    float iscale = static_cast<float>(-nmax) / max;
    if (rmseType == 0) {
        for (int i = 0; i < n; ++i) {
            const int l = nearestInt(iscale * x[i]);
            L[i] = static_cast<std::int8_t>(nmax + std::max(-nmax, std::min(nmax - 1, l)));
        }
        return 1 / iscale;
    }
    bool returnEarly = false;
    if (rmseType < 0) {
        rmseType = -rmseType;
        returnEarly = true;
    }
    float sumlx = 0;
    float suml2 = 0;
    for (int i = 0; i < n; ++i) {
        int l = nearestInt(iscale * x[i]);
        l = std::max(-nmax, std::min(nmax - 1, l));
        L[i] = static_cast<std::int8_t>(l + nmax);
        const float w = qw ? qw[i] : defaultWeight(rmseType, x[i]);
        sumlx += w * x[i] * static_cast<float>(l);
        suml2 += w * static_cast<float>(l) * static_cast<float>(l);
    }
    float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
    if (returnEarly) {
        return suml2 > 0 ? 0.5f * (scale + 1 / iscale) : 1 / iscale;
    }
    float best = scale * sumlx;
    for (int is = -9; is <= 9; ++is) {
        if (is == 0) {
            continue;
        }
        iscale = -(static_cast<float>(nmax) + 0.1f * static_cast<float>(is)) / max;
        sumlx = 0;
        suml2 = 0;
        for (int i = 0; i < n; ++i) {
            int l = nearestInt(iscale * x[i]);
            l = std::max(-nmax, std::min(nmax - 1, l));
            const float w = qw ? qw[i] : defaultWeight(rmseType, x[i]);
            sumlx += w * x[i] * static_cast<float>(l);
            suml2 += w * static_cast<float>(l) * static_cast<float>(l);
        }
        if (suml2 > 0 && sumlx * sumlx > best * suml2) {
            for (int i = 0; i < n; ++i) {
                const int l = nearestInt(iscale * x[i]);
                L[i] = static_cast<std::int8_t>(nmax + std::max(-nmax, std::min(nmax - 1, l)));
            }
            scale = sumlx / suml2;
            best = scale * sumlx;
        }
    }
    return scale;
}

float makeQ3Quants(int n, int nmax, const float* x, std::int8_t* L, bool doRmse) {
    float max = 0;
    float amax = 0;
    for (int i = 0; i < n; ++i) {
        const float ax = std::fabs(x[i]);
        if (ax > amax) {
            amax = ax;
            max = x[i];
        }
    }
    if (amax < kGroupMaxEps) {
        std::memset(L, 0, static_cast<std::size_t>(n));
        return 0.f;
    }
    const float iscale = static_cast<float>(-nmax) / max;
    if (doRmse) {
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; ++i) {
            int l = nearestInt(iscale * x[i]);
            l = std::max(-nmax, std::min(nmax - 1, l));
            L[i] = static_cast<std::int8_t>(l);
            const float w = x[i] * x[i];
            sumlx += w * x[i] * static_cast<float>(l);
            suml2 += w * static_cast<float>(l) * static_cast<float>(l);
        }
        for (int itry = 0; itry < 5; ++itry) {
            int nChanged = 0;
            for (int i = 0; i < n; ++i) {
                const float w = x[i] * x[i];
                float slx = sumlx - w * x[i] * static_cast<float>(L[i]);
                if (slx > 0) {
                    float sl2 = suml2 - w * static_cast<float>(L[i]) * static_cast<float>(L[i]);
                    int newL = nearestInt(x[i] * sl2 / slx);
                    newL = std::max(-nmax, std::min(nmax - 1, newL));
                    if (newL != L[i]) {
                        slx += w * x[i] * static_cast<float>(newL);
                        sl2 += w * static_cast<float>(newL) * static_cast<float>(newL);
                        if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                            L[i] = static_cast<std::int8_t>(newL);
                            sumlx = slx;
                            suml2 = sl2;
                            ++nChanged;
                        }
                    }
                }
            }
            if (!nChanged) {
                break;
            }
        }
        for (int i = 0; i < n; ++i) {
            L[i] = static_cast<std::int8_t>(L[i] + nmax);
        }
        return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
    }
    for (int i = 0; i < n; ++i) {
        int l = nearestInt(iscale * x[i]);
        l = std::max(-nmax, std::min(nmax - 1, l));
        L[i] = static_cast<std::int8_t>(l + nmax);
    }
    return 1 / iscale;
}

float makeQkx2Quants(int n, int nmax, const float* x, const float* weights, std::uint8_t* L,
                     float* theMin, std::uint8_t* Laux, float rmin, float rdelta, int nstep,
                     bool useMad) {
    float min = x[0];
    float max = x[0];
    float sumW = weights[0];
    float sumX = sumW * x[0];
    for (int i = 1; i < n; ++i) {
        if (x[i] < min) {
            min = x[i];
        }
        if (x[i] > max) {
            max = x[i];
        }
        const float w = weights[i];
        sumW += w;
        sumX += w * x[i];
    }
    if (min > 0) {
        min = 0;
    }
    if (max == min) {
        std::memset(L, 0, static_cast<std::size_t>(n));
        *theMin = -min;
        return 0.f;
    }
    const float fmax = static_cast<float>(nmax);
    float iscale = fmax / (max - min);
    float scale = 1 / iscale;
    float bestError = 0;
    for (int i = 0; i < n; ++i) {
        const int l = nearestInt(iscale * (x[i] - min));
        L[i] = static_cast<std::uint8_t>(std::max(0, std::min(nmax, l)));
        float diff = scale * static_cast<float>(L[i]) + min - x[i];
        diff = useMad ? std::fabs(diff) : diff * diff;
        bestError += weights[i] * diff;
    }
    if (nstep < 1) {
        *theMin = -min;
        return scale;
    }
    for (int is = 0; is <= nstep; ++is) {
        iscale = (rmin + rdelta * static_cast<float>(is) + fmax) / (max - min);
        float sumL = 0, sumL2 = 0, sumXL = 0;
        for (int i = 0; i < n; ++i) {
            int l = nearestInt(iscale * (x[i] - min));
            l = std::max(0, std::min(nmax, l));
            Laux[i] = static_cast<std::uint8_t>(l);
            const float w = weights[i];
            const float fl = static_cast<float>(l);
            sumL += w * fl;
            sumL2 += w * fl * fl;
            sumXL += w * fl * x[i];
        }
        const float D = sumW * sumL2 - sumL * sumL;
        if (D > 0) {
            float thisScale = (sumW * sumXL - sumX * sumL) / D;
            float thisMin = (sumL2 * sumX - sumL * sumXL) / D;
            if (thisMin > 0) {
                thisMin = 0;
                thisScale = sumXL / sumL2;
            }
            float curError = 0;
            for (int i = 0; i < n; ++i) {
                float diff = thisScale * static_cast<float>(Laux[i]) + thisMin - x[i];
                diff = useMad ? std::fabs(diff) : diff * diff;
                curError += weights[i] * diff;
            }
            if (curError < bestError) {
                std::memcpy(L, Laux, static_cast<std::size_t>(n));
                bestError = curError;
                scale = thisScale;
                min = thisMin;
            }
        }
    }
    *theMin = -min;
    return scale;
}

float makeQkx3Quants(int n, int nmax, const float* x, const float* weights, std::uint8_t* L,
                     float* theMin, std::uint8_t* Laux, float rmin, float rdelta, int nstep,
                     bool useMad) {
    auto weightAt = [&](int i) {
        return weights ? weights[i] : x[i] * x[i];
    };
    float min = x[0];
    float max = x[0];
    float sumW = weightAt(0);
    float sumX = sumW * x[0];
    for (int i = 1; i < n; ++i) {
        if (x[i] < min) {
            min = x[i];
        }
        if (x[i] > max) {
            max = x[i];
        }
        const float w = weightAt(i);
        sumW += w;
        sumX += w * x[i];
    }
    if (min > 0) {
        min = 0;
    }
    if (max <= min) {
        std::memset(L, 0, static_cast<std::size_t>(n));
        *theMin = -min;
        return 0.f;
    }
    const float fmax = static_cast<float>(nmax);
    float iscale = fmax / (max - min);
    float scale = 1 / iscale;
    float bestMad = 0;
    for (int i = 0; i < n; ++i) {
        const int l = nearestInt(iscale * (x[i] - min));
        L[i] = static_cast<std::uint8_t>(std::max(0, std::min(nmax, l)));
        float diff = scale * static_cast<float>(L[i]) + min - x[i];
        diff = useMad ? std::fabs(diff) : diff * diff;
        bestMad += weightAt(i) * diff;
    }
    if (nstep < 1) {
        *theMin = -min;
        return scale;
    }
    for (int is = 0; is <= nstep; ++is) {
        iscale = (rmin + rdelta * static_cast<float>(is) + fmax) / (max - min);
        float sumL = 0, sumL2 = 0, sumXL = 0;
        for (int i = 0; i < n; ++i) {
            // The running min can sit at max, so v may be inf or NaN: clamp before rounding.
            const float v = iscale * (x[i] - min);
            const int l = v > 0 ? nearestInt(std::min(v, fmax)) : 0;
            Laux[i] = static_cast<std::uint8_t>(l);
            const float w = weightAt(i);
            const float fl = static_cast<float>(l);
            sumL += w * fl;
            sumL2 += w * fl * fl;
            sumXL += w * fl * x[i];
        }
        const float D = sumW * sumL2 - sumL * sumL;
        if (D > 0) {
            float thisScale = (sumW * sumXL - sumX * sumL) / D;
            float thisMin = (sumL2 * sumX - sumL * sumXL) / D;
            if (thisMin > 0) {
                thisMin = 0;
                thisScale = sumXL / sumL2;
            }
            float mad = 0;
            for (int i = 0; i < n; ++i) {
                float diff = thisScale * static_cast<float>(Laux[i]) + thisMin - x[i];
                diff = useMad ? std::fabs(diff) : diff * diff;
                mad += weightAt(i) * diff;
            }
            if (mad < bestMad) {
                std::memcpy(L, Laux, static_cast<std::size_t>(n));
                bestMad = mad;
                scale = thisScale;
                min = thisMin;
            }
        }
    }
    *theMin = -min;
    return scale;
}

float makeQpQuants(int n, int nmax, const float* x, std::uint8_t* L, const float* quantWeights) {
    float max = 0;
    for (int i = 0; i < n; ++i) {
        max = std::max(max, x[i]);
    }
    if (max < kGroupMaxEps) {
        std::memset(L, 0, static_cast<std::size_t>(n));
        return 0.f;
    }
    const float fmax = static_cast<float>(nmax);
    float iscale = fmax / max;
    for (int i = 0; i < n; ++i) {
        L[i] = static_cast<std::uint8_t>(nearestInt(iscale * x[i]));
    }
    const float scale = 1 / iscale;
    float bestMse = 0;
    for (int i = 0; i < n; ++i) {
        const float diff = x[i] - scale * static_cast<float>(L[i]);
        bestMse += quantWeights[i] * diff * diff;
    }
    for (int is = -4; is <= 4; ++is) {
        if (is == 0) {
            continue;
        }
        const float iscaleIs = (0.1f * static_cast<float>(is) + fmax) / max;
        const float scaleIs = 1 / iscaleIs;
        float mse = 0;
        for (int i = 0; i < n; ++i) {
            const int l = std::min(nmax, nearestInt(iscaleIs * x[i]));
            const float diff = x[i] - scaleIs * static_cast<float>(l);
            mse += quantWeights[i] * diff * diff;
        }
        if (mse < bestMse) {
            bestMse = mse;
            iscale = iscaleIs;
        }
    }
    float sumlx = 0;
    float suml2 = 0;
    for (int i = 0; i < n; ++i) {
        const int l = std::min(nmax, nearestInt(iscale * x[i]));
        L[i] = static_cast<std::uint8_t>(l);
        const float w = quantWeights[i];
        sumlx += w * x[i] * static_cast<float>(l);
        suml2 += w * static_cast<float>(l) * static_cast<float>(l);
    }
    for (int itry = 0; itry < 5; ++itry) {
        int nChanged = 0;
        for (int i = 0; i < n; ++i) {
            const float w = quantWeights[i];
            float slx = sumlx - w * x[i] * static_cast<float>(L[i]);
            float sl2 = suml2 - w * static_cast<float>(L[i]) * static_cast<float>(L[i]);
            if (slx > 0 && sl2 > 0) {
                const int newL = std::min(nmax, nearestInt(x[i] * sl2 / slx));
                if (newL != L[i]) {
                    slx += w * x[i] * static_cast<float>(newL);
                    sl2 += w * static_cast<float>(newL) * static_cast<float>(newL);
                    if (slx * slx * suml2 > sumlx * sumlx * sl2) {
                        L[i] = static_cast<std::uint8_t>(newL);
                        sumlx = slx;
                        suml2 = sl2;
                        ++nChanged;
                    }
                }
            }
        }
        if (!nChanged) {
            break;
        }
    }
    return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

} // namespace qs::core::quant
