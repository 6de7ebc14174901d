#include "core/eval/vec_dot.h"

#include "core/eval/activation_rounding.h"
#include "core/eval/cpu_type_traits.h"
#include "core/eval/vec_dot_kernels.h"
#include "core/quant/quant_kernels.h"

#include <cassert>

namespace qs::core {

namespace {

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

// The AVX-512 tiles use F, BW, VL, DQ and VNNI (and the AVX2 set). The compiler's check also
// asks the OS whether it saves the 512-bit registers.
bool cpuRunsAvx512Kernels() {
#if defined(QS_VEC_DOT_AVX512)
    static const bool has =
        __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vnni");
    return has && cpuRunsAvx2Kernels();
#else
    return false;
#endif
}

} // namespace

bool avx2KernelsRun() {
    return cpuRunsAvx2Kernels();
}

VecDotFn vecDotFor(GgmlType weightType, VecDotIsa isa) {
    const CpuTypeTraits& t = cpuTypeTraits(weightType);
    const bool avx2 = t.dotAvx2 && cpuRunsAvx2Kernels();
    switch (isa) {
    case VecDotIsa::Best:
        return avx2 ? t.dotAvx2 : t.dotScalar;
    case VecDotIsa::Scalar:
        return t.dotScalar;
    case VecDotIsa::Avx2:
        return avx2 ? t.dotAvx2 : nullptr;
    case VecDotIsa::Avx512:
        return nullptr;
    }
    return nullptr;
}

VecDot8Fn vecDot8For(GgmlType weightType, VecDotIsa isa) {
    const CpuTypeTraits& t = cpuTypeTraits(weightType);
    if (isa == VecDotIsa::Scalar) {
        return t.dot8Scalar;
    }
    if (isa == VecDotIsa::Avx512) {
        return nullptr;
    }
    // Best: only a vector build; elsewhere the row kernels are as fast without the copy.
    return t.dot8Avx2 && cpuRunsAvx2Kernels() ? t.dot8Avx2 : nullptr;
}

VecDot8TileFn vecDot8TileFor(GgmlType weightType, VecDotIsa isa) {
    const CpuTypeTraits& t = cpuTypeTraits(weightType);
    const bool best = isa == VecDotIsa::Best;
    if ((best || isa == VecDotIsa::Avx512) && t.dot8TileAvx512 && cpuRunsAvx512Kernels()) {
        return t.dot8TileAvx512;
    }
    if ((best || isa == VecDotIsa::Avx2) && t.dot8TileAvx2 && cpuRunsAvx2Kernels()) {
        return t.dot8TileAvx2;
    }
    return nullptr;
}

VecDotTileFn vecDotTileFor(GgmlType weightType, VecDotIsa isa) {
    const CpuTypeTraits& t = cpuTypeTraits(weightType);
    const bool best = isa == VecDotIsa::Best;
    if ((best || isa == VecDotIsa::Avx512) && t.dotTileAvx512 && cpuRunsAvx512Kernels()) {
        return t.dotTileAvx512;
    }
    if ((best || isa == VecDotIsa::Avx2) && t.dotTileAvx2 && cpuRunsAvx2Kernels()) {
        return t.dotTileAvx2;
    }
    return nullptr;
}

std::size_t vecDot8GroupBytes(GgmlType weightType, std::int64_t n) {
    const CpuTypeTraits& t = cpuTypeTraits(weightType);
    return t.group8Bytes ? t.group8Bytes(n) : 0;
}

void repackRows8(GgmlType weightType, const void* rows, std::size_t rowBytes, std::int64_t n,
                 void* group) {
    const CpuTypeTraits& t = cpuTypeTraits(weightType);
    assert(t.repack8 && "no 8-row kernel for this type");
    if (t.repack8) {
        t.repack8(rows, rowBytes, n, group);
    }
}

std::size_t vecDotActivationBytes(GgmlType weightType, std::int64_t n) {
    const CpuTypeTraits& a = cpuTypeTraits(activationTypeFor(weightType));
    return static_cast<std::size_t>(n) / static_cast<std::size_t>(a.activationBlockValues) *
           a.activationBlockBytes;
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
    const CpuTypeTraits& a = cpuTypeTraits(activationTypeFor(weightType));
    if (a.fromFloatAvx2 && cpuRunsAvx2Kernels()) {
        a.fromFloatAvx2(x, out, n);
        return;
    }
    assert(a.fromFloat && "no fused kernel reads this activation type");
    if (a.fromFloat) {
        a.fromFloat(x, out, n);
    }
}

} // namespace qs::core
