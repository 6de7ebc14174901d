#include "core/eval/vec_dot.h"

#include "core/eval/activation_rounding.h"
#include "core/eval/vec_dot_kernels.h"
#include "core/quant/block_types.h"
#include "core/quant/quant_kernels.h"

#include <cassert>

namespace qs::core {

namespace {

struct VecDotKernels {
    VecDotFn scalar;
    VecDotFn avx2;
};

VecDotKernels kernelsFor(GgmlType weightType) {
    using namespace vecdot;
#if defined(QS_VEC_DOT_AVX2)
#define QS_KERNELS(name)                                                                           \
    VecDotKernels {                                                                                \
        name##Scalar, name##Avx2                                                                   \
    }
#else
#define QS_KERNELS(name)                                                                           \
    VecDotKernels {                                                                                \
        name##Scalar, nullptr                                                                      \
    }
#endif
    switch (weightType) {
    case GgmlType::Q2_K:
        return QS_KERNELS(dotQ2K);
    case GgmlType::Q3_K:
        return QS_KERNELS(dotQ3K);
    case GgmlType::Q4_K:
        return QS_KERNELS(dotQ4K);
    case GgmlType::Q5_K:
        return QS_KERNELS(dotQ5K);
    case GgmlType::Q6_K:
        return QS_KERNELS(dotQ6K);
    case GgmlType::Q8_0:
        return QS_KERNELS(dotQ8_0);
    case GgmlType::Q4_0:
        return QS_KERNELS(dotQ4_0);
    case GgmlType::F16:
        return QS_KERNELS(dotF16);
    default:
        return {nullptr, nullptr};
    }
#undef QS_KERNELS
}

// The AVX2 kernels also use FMA and F16C, which every AVX2 CPU we know of has; checked anyway
// so that an odd virtual CPU falls back instead of faulting.
bool cpuRunsAvx2Kernels() {
#if defined(QS_VEC_DOT_AVX2)
    static const bool extras = __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    return extras && quant::useAvx2Kernels();
#else
    return false;
#endif
}

} // namespace

VecDotFn vecDotFor(GgmlType weightType, VecDotIsa isa) {
    const VecDotKernels k = kernelsFor(weightType);
    if (isa == VecDotIsa::Best && k.avx2 && cpuRunsAvx2Kernels()) {
        return k.avx2;
    }
    return k.scalar;
}

VecDot8Fn vecDot8For(GgmlType weightType, VecDotIsa isa) {
    switch (weightType) {
    case GgmlType::Q4_K:
        if (isa == VecDotIsa::Scalar) {
            return vecdot::dotQ4Kx8Scalar;
        }
#if defined(QS_VEC_DOT_AVX2)
        if (cpuRunsAvx2Kernels()) {
            return vecdot::dotQ4Kx8Avx2;
        }
#endif
        return nullptr;
    case GgmlType::Q6_K:
        if (isa == VecDotIsa::Scalar) {
            return vecdot::dotQ6Kx8Scalar;
        }
#if defined(QS_VEC_DOT_AVX2)
        if (cpuRunsAvx2Kernels()) {
            return vecdot::dotQ6Kx8Avx2;
        }
#endif
        return nullptr;
    case GgmlType::F16:
        if (isa == VecDotIsa::Scalar) {
            return vecdot::dotF16x8Scalar;
        }
#if defined(QS_VEC_DOT_AVX2)
        if (cpuRunsAvx2Kernels()) {
            return vecdot::dotF16x8Avx2;
        }
#endif
        return nullptr;
    default:
        return nullptr;
    }
}

std::size_t vecDot8GroupBytes(GgmlType weightType, std::int64_t n) {
    const auto blocks = static_cast<std::size_t>(n / quant::kQK);
    switch (weightType) {
    case GgmlType::Q4_K:
        return blocks * sizeof(vecdot::BlockQ4Kx8);
    case GgmlType::Q6_K:
        return blocks * sizeof(vecdot::BlockQ6Kx8);
    case GgmlType::F16:
        return n % 8 == 0 ? 8 * sizeof(std::uint16_t) * static_cast<std::size_t>(n) : 0;
    default:
        return 0;
    }
}

void repackRows8(GgmlType weightType, const void* rows, std::size_t rowBytes, std::int64_t n,
                 void* group) {
    switch (weightType) {
    case GgmlType::Q4_K:
        vecdot::repackQ4Kx8(rows, rowBytes, n, group);
        return;
    case GgmlType::Q6_K:
        vecdot::repackQ6Kx8(rows, rowBytes, n, group);
        return;
    case GgmlType::F16:
        vecdot::repackF16x8(rows, rowBytes, n, group);
        return;
    default:
        assert(false && "no 8-row kernel for this type");
        return;
    }
}

std::size_t vecDotActivationBytes(GgmlType weightType, std::int64_t n) {
    const auto un = static_cast<std::size_t>(n);
    switch (activationTypeFor(weightType)) {
    case GgmlType::Q8_K:
        return un / quant::kQK * sizeof(quant::BlockQ8K);
    case GgmlType::Q8_0:
        return un / quant::kQK32 * sizeof(quant::BlockQ8_0);
    default:
        return un * sizeof(float);
    }
}

void roundToHalf(float* x, std::int64_t n) {
#if defined(QS_VEC_DOT_AVX2)
    if (cpuRunsAvx2Kernels()) {
        vecdot::roundToHalfAvx2(x, n);
        return;
    }
#endif
    roundActivations(GgmlType::F16, x, n);
}

void quantizeVecDotActivations(GgmlType weightType, const float* x, void* out, std::int64_t n) {
    switch (activationTypeFor(weightType)) {
    case GgmlType::Q8_K:
#if defined(QS_VEC_DOT_AVX2)
        if (cpuRunsAvx2Kernels()) {
            vecdot::quantizeQ8KAvx2(x, out, n);
            return;
        }
#endif
        quantizeActivationsQ8K(x, static_cast<quant::BlockQ8K*>(out), n);
        return;
    case GgmlType::Q8_0:
        quantizeActivationsQ8_0(x, static_cast<quant::BlockQ8_0*>(out), n);
        return;
    case GgmlType::F16: {
        auto* y = static_cast<float*>(out);
        for (std::int64_t i = 0; i < n; ++i) {
            y[i] = x[i];
        }
        roundToHalf(y, n);
        return;
    }
    default:
        assert(false && "no fused kernel reads this activation type");
        return;
    }
}

} // namespace qs::core
