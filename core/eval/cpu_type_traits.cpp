#include "core/eval/cpu_type_traits.h"

#include "core/eval/activation_rounding.h"
#include "core/eval/vec_dot_kernels.h"
#include "core/quant/block_types.h"
#include "core/quant/half.h"

#include <array>

namespace qs::core {

namespace {

using quant::BlockQ8_0;
using quant::BlockQ8K;

// roundActivations per vec_dot_type: the values after conversion to the type and back.

void roundF16(float* x, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) {
        x[i] = fp16ToFp32(fp32ToFp16(x[i]));
    }
}

void roundBF16(float* x, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) {
        x[i] = bf16ToFp32(fp32ToBf16(x[i]));
    }
}

void roundQ8Blocks32(float* x, std::int64_t n) {
    for (std::int64_t b = 0; b + 32 <= n; b += 32) {
        BlockQ8_0 block;
        quantizeActivationsQ8_0(x + b, &block, 32);
        const float d = fp16ToFp32(block.d);
        for (int i = 0; i < 32; ++i) {
            x[b + i] = d * static_cast<float>(block.qs[i]);
        }
    }
}

void roundQ8KBlocks(float* x, std::int64_t n) {
    for (std::int64_t b = 0; b + 256 <= n; b += 256) {
        BlockQ8K block;
        quantizeActivationsQ8K(x + b, &block, 256);
        for (int i = 0; i < 256; ++i) {
            x[b + i] = block.d * static_cast<float>(block.qs[i]);
        }
    }
}

// quantizeVecDotActivations per vec_dot_type.

void fromFloatQ8K(const float* x, void* out, std::int64_t n) {
    quantizeActivationsQ8K(x, static_cast<BlockQ8K*>(out), n);
}

void fromFloatQ8_0(const float* x, void* out, std::int64_t n) {
    quantizeActivationsQ8_0(x, static_cast<BlockQ8_0*>(out), n);
}

// F16 kernels read floats already rounded to half (the rounding is the conversion).
void fromFloatF16(const float* x, void* out, std::int64_t n) {
    auto* y = static_cast<float*>(out);
    for (std::int64_t i = 0; i < n; ++i) {
        y[i] = x[i];
    }
    roundToHalf(y, n);
}

// Bytes of one group of 8 repacked rows of n values.

std::size_t groupBytesQ4K(std::int64_t n) {
    return static_cast<std::size_t>(n / quant::kQK) * sizeof(vecdot::BlockQ4Kx8);
}

std::size_t groupBytesQ6K(std::int64_t n) {
    return static_cast<std::size_t>(n / quant::kQK) * sizeof(vecdot::BlockQ6Kx8);
}

std::size_t groupBytesQ8_0(std::int64_t n) {
    return static_cast<std::size_t>(n / quant::kQK32) * sizeof(vecdot::BlockQ8_0x8);
}

std::size_t groupBytesF16(std::int64_t n) {
    return n % 8 == 0 ? 8 * sizeof(std::uint16_t) * static_cast<std::size_t>(n) : 0;
}

#if defined(QS_VEC_DOT_AVX2)
#define QS_AVX2(name) vecdot::name
#else
#define QS_AVX2(name) nullptr
#endif
#if defined(QS_VEC_DOT_AVX512)
#define QS_AVX512(name) vecdot::name
#else
#define QS_AVX512(name) nullptr
#endif

// One row per type the forward pass treats specially; every other type keeps the defaults.
const CpuTypeTraits kRows[] = {
    {.type = GgmlType::F32, .vecDotType = GgmlType::F32},
    {.type = GgmlType::F16,
     .vecDotType = GgmlType::F16,
     .dotScalar = vecdot::dotF16Scalar,
     .dotAvx2 = QS_AVX2(dotF16Avx2),
     .dot8Scalar = vecdot::dotF16x8Scalar,
     .dot8Avx2 = QS_AVX2(dotF16x8Avx2),
     .dot8TileAvx512 = QS_AVX512(dotF16x8TileAvx512),
     .repack8 = vecdot::repackF16x8,
     .group8Bytes = groupBytesF16,
     .roundInPlace = roundF16,
     .fromFloat = fromFloatF16},
    {.type = GgmlType::BF16, .vecDotType = GgmlType::BF16, .roundInPlace = roundBF16},
    {.type = GgmlType::Q4_0,
     .vecDotType = GgmlType::Q8_0,
     .dotScalar = vecdot::dotQ4_0Scalar,
     .dotAvx2 = QS_AVX2(dotQ4_0Avx2),
     .dotTileAvx2 = QS_AVX2(dotQ4_0TileAvx2)},
    {.type = GgmlType::Q4_1, .vecDotType = GgmlType::Q8_1},
    {.type = GgmlType::Q5_0, .vecDotType = GgmlType::Q8_0},
    {.type = GgmlType::Q5_1, .vecDotType = GgmlType::Q8_1},
    {.type = GgmlType::Q8_0,
     .vecDotType = GgmlType::Q8_0,
     .dotScalar = vecdot::dotQ8_0Scalar,
     .dotAvx2 = QS_AVX2(dotQ8_0Avx2),
     .dot8Scalar = vecdot::dotQ8_0x8Scalar,
     .dot8Avx2 = QS_AVX2(dotQ8_0x8Avx2),
     .dot8TileAvx2 = QS_AVX2(dotQ8_0x8TileAvx2),
     .dot8TileAvx512 = QS_AVX512(dotQ8_0x8TileAvx512),
     .repack8 = vecdot::repackQ8_0x8,
     .group8Bytes = groupBytesQ8_0,
     .roundInPlace = roundQ8Blocks32,
     .fromFloat = fromFloatQ8_0,
     .activationBlockBytes = sizeof(BlockQ8_0),
     .activationBlockValues = quant::kQK32},
    // Q8_1 only as activations of Q4_1/Q5_1 (which have no fused kernel): the same values
    // as Q8_0's (its extra sum does not change them).
    {.type = GgmlType::Q8_1, .roundInPlace = roundQ8Blocks32},
    {.type = GgmlType::Q2_K,
     .dotScalar = vecdot::dotQ2KScalar,
     .dotAvx2 = QS_AVX2(dotQ2KAvx2),
     .dotTileAvx2 = QS_AVX2(dotQ2KTileAvx2),
     .dotTileAvx512 = QS_AVX512(dotQ2KTileAvx512)},
    {.type = GgmlType::Q3_K,
     .dotScalar = vecdot::dotQ3KScalar,
     .dotAvx2 = QS_AVX2(dotQ3KAvx2),
     .dotTileAvx2 = QS_AVX2(dotQ3KTileAvx2),
     .dotTileAvx512 = QS_AVX512(dotQ3KTileAvx512)},
    {.type = GgmlType::Q4_K,
     .dotScalar = vecdot::dotQ4KScalar,
     .dotAvx2 = QS_AVX2(dotQ4KAvx2),
     .dot8Scalar = vecdot::dotQ4Kx8Scalar,
     .dot8Avx2 = QS_AVX2(dotQ4Kx8Avx2),
     .dot8TileAvx2 = QS_AVX2(dotQ4Kx8TileAvx2),
     .dot8TileAvx512 = QS_AVX512(dotQ4Kx8TileAvx512),
     .repack8 = vecdot::repackQ4Kx8,
     .group8Bytes = groupBytesQ4K},
    {.type = GgmlType::Q5_K,
     .dotScalar = vecdot::dotQ5KScalar,
     .dotAvx2 = QS_AVX2(dotQ5KAvx2),
     .dotTileAvx2 = QS_AVX2(dotQ5KTileAvx2),
     .dotTileAvx512 = QS_AVX512(dotQ5KTileAvx512)},
    {.type = GgmlType::Q6_K,
     .dotScalar = vecdot::dotQ6KScalar,
     .dotAvx2 = QS_AVX2(dotQ6KAvx2),
     .dot8Scalar = vecdot::dotQ6Kx8Scalar,
     .dot8Avx2 = QS_AVX2(dotQ6Kx8Avx2),
     .dot8TileAvx2 = QS_AVX2(dotQ6Kx8TileAvx2),
     .dot8TileAvx512 = QS_AVX512(dotQ6Kx8TileAvx512),
     .repack8 = vecdot::repackQ6Kx8,
     .group8Bytes = groupBytesQ6K},
    {.type = GgmlType::Q8_K,
     .roundInPlace = roundQ8KBlocks,
     .fromFloat = fromFloatQ8K,
     .fromFloatAvx2 = QS_AVX2(quantizeQ8KAvx2),
     .activationBlockBytes = sizeof(BlockQ8K),
     .activationBlockValues = quant::kQK},
    {.type = GgmlType::IQ2_XXS,
     .dotScalar = vecdot::dotIQ2XXSScalar,
     .dotAvx2 = QS_AVX2(dotIQ2XXSAvx2)},
    {.type = GgmlType::IQ2_XS,
     .dotScalar = vecdot::dotIQ2XSScalar,
     .dotAvx2 = QS_AVX2(dotIQ2XSAvx2)},
    {.type = GgmlType::IQ3_XXS,
     .dotScalar = vecdot::dotIQ3XXSScalar,
     .dotAvx2 = QS_AVX2(dotIQ3XXSAvx2)},
    {.type = GgmlType::IQ1_S, .dotScalar = vecdot::dotIQ1SScalar, .dotAvx2 = QS_AVX2(dotIQ1SAvx2)},
    {.type = GgmlType::IQ4_NL, .vecDotType = GgmlType::Q8_0},
    {.type = GgmlType::IQ3_S, .dotScalar = vecdot::dotIQ3SScalar, .dotAvx2 = QS_AVX2(dotIQ3SAvx2)},
    {.type = GgmlType::IQ2_S, .dotScalar = vecdot::dotIQ2SScalar, .dotAvx2 = QS_AVX2(dotIQ2SAvx2)},
    {.type = GgmlType::IQ1_M, .dotScalar = vecdot::dotIQ1MScalar, .dotAvx2 = QS_AVX2(dotIQ1MAvx2)},
    {.type = GgmlType::MXFP4, .vecDotType = GgmlType::Q8_0},
};

#undef QS_AVX2

// Above every ggml type id.
constexpr std::size_t kTableSize = 64;

} // namespace

const CpuTypeTraits& cpuTypeTraits(GgmlType type) {
    static const std::array<CpuTypeTraits, kTableSize> table = [] {
        std::array<CpuTypeTraits, kTableSize> t{};
        for (std::size_t i = 0; i < t.size(); ++i) {
            t[i].type = static_cast<GgmlType>(i);
        }
        for (const CpuTypeTraits& row : kRows) {
            t[static_cast<std::size_t>(row.type)] = row;
        }
        return t;
    }();
    // An id past the table is no ggml type (readers refuse those): the defaults.
    static const CpuTypeTraits kUnknown{};
    const auto id = static_cast<std::size_t>(type);
    return id < table.size() ? table[id] : kUnknown;
}

} // namespace qs::core
