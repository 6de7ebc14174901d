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

void quantizeVecDotActivations(GgmlType weightType, const float* x, void* out, std::int64_t n) {
    switch (activationTypeFor(weightType)) {
    case GgmlType::Q8_K:
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
        roundActivations(GgmlType::F16, y, n);
        return;
    }
    default:
        assert(false && "no fused kernel reads this activation type");
        return;
    }
}

} // namespace qs::core
