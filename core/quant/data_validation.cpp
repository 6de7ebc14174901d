#include "core/quant/data_validation.h"

#include "core/quant/block_types.h"
#include "core/quant/half.h"

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <vector>

namespace qs::core {
namespace {

using namespace quant;

// Where a block keeps a half-precision scale. Blocks without a struct in block_types.h (the
// i-quants: IQ1_S, IQ2_*, IQ3_* start with their `d`; Q1_0 too) are described by offset.
struct HalfField {
    std::size_t offset;
    const char* name;
};

struct BlockScales {
    HalfField fields[2];
    int count;
};

std::optional<BlockScales> blockScales(GgmlType type) {
    switch (type) {
    case GgmlType::Q4_0:
        return BlockScales{{{offsetof(BlockQ4_0, d), "d"}}, 1};
    case GgmlType::Q4_1:
        return BlockScales{{{offsetof(BlockQ4_1, d), "d"}, {offsetof(BlockQ4_1, m), "m"}}, 2};
    case GgmlType::Q5_0:
        return BlockScales{{{offsetof(BlockQ5_0, d), "d"}}, 1};
    case GgmlType::Q5_1:
        return BlockScales{{{offsetof(BlockQ5_1, d), "d"}, {offsetof(BlockQ5_1, m), "m"}}, 2};
    case GgmlType::Q8_0:
        return BlockScales{{{offsetof(BlockQ8_0, d), "d"}}, 1};
    case GgmlType::Q8_1:
        return BlockScales{{{offsetof(BlockQ8_1, d), "d"}, {offsetof(BlockQ8_1, s), "s"}}, 2};
    case GgmlType::Q2_K:
        return BlockScales{{{offsetof(BlockQ2K, d), "d"}, {offsetof(BlockQ2K, dmin), "dmin"}}, 2};
    case GgmlType::Q3_K:
        return BlockScales{{{offsetof(BlockQ3K, d), "d"}}, 1};
    case GgmlType::Q4_K:
        return BlockScales{{{offsetof(BlockQ4K, d), "d"}, {offsetof(BlockQ4K, dmin), "dmin"}}, 2};
    case GgmlType::Q5_K:
        return BlockScales{{{offsetof(BlockQ5K, d), "d"}, {offsetof(BlockQ5K, dmin), "dmin"}}, 2};
    case GgmlType::Q6_K:
        return BlockScales{{{offsetof(BlockQ6K, d), "d"}}, 1};
    case GgmlType::IQ4_NL:
        return BlockScales{{{offsetof(BlockIQ4NL, d), "d"}}, 1};
    case GgmlType::IQ4_XS:
        return BlockScales{{{offsetof(BlockIQ4XS, d), "d"}}, 1};
    case GgmlType::TQ1_0:
        return BlockScales{{{offsetof(BlockTQ1_0, d), "d"}}, 1};
    case GgmlType::TQ2_0:
        return BlockScales{{{offsetof(BlockTQ2_0, d), "d"}}, 1};
    case GgmlType::IQ1_S:
    case GgmlType::IQ2_XXS:
    case GgmlType::IQ2_XS:
    case GgmlType::IQ2_S:
    case GgmlType::IQ3_XXS:
    case GgmlType::IQ3_S:
    case GgmlType::Q1_0:
        return BlockScales{{{0, "d"}}, 1};
    default:
        return std::nullopt;
    }
}

std::uint16_t loadU16(const std::byte* p) {
    std::uint16_t v;
    std::memcpy(&v, p, sizeof(v));
    return v;
}

bool halfIsFinite(std::uint16_t h) {
    return (h & 0x7c00u) != 0x7c00u;
}

// IQ1_M has no `d` field: its half-precision scale is spread over the top nibbles of the four
// 16-bit words of `scales` (bytes 48..55 of the 56-byte block), low nibble first.
constexpr std::size_t kIq1mScalesOffset = 48;
std::uint16_t iq1mScale(const std::byte* block) {
    std::uint16_t sc[4];
    std::memcpy(sc, block + kIq1mScalesOffset, sizeof(sc));
    return static_cast<std::uint16_t>((sc[0] >> 12) | ((sc[1] >> 8) & 0x00f0u) |
                                      ((sc[2] >> 4) & 0x0f00u) | (sc[3] & 0xf000u));
}

template <typename T, typename IsBad, typename ToFloat>
std::optional<DataProblem> scanPlain(std::span<const std::byte> bytes, IsBad isBad,
                                     ToFloat toFloat) {
    const std::size_t n = bytes.size() / sizeof(T);
    for (std::size_t i = 0; i < n; ++i) {
        T v;
        std::memcpy(&v, bytes.data() + i * sizeof(T), sizeof(T));
        if (isBad(v)) {
            return DataProblem{i, false, "value", toFloat(v)};
        }
    }
    return std::nullopt;
}

} // namespace

std::string nonFiniteName(float value) {
    if (std::isnan(value)) {
        return "nan";
    }
    return value > 0 ? "+inf" : "-inf";
}

std::string DataProblem::describe() const {
    if (!isBlock) {
        return "value " + nonFiniteName(value);
    }
    return nonFiniteName(value) + " in the scale " + field;
}

std::optional<std::uint64_t> findNonFinite(const float* values, std::uint64_t n) {
    // An exponent of all ones is NaN or ±Inf. Looking for any in a block of 64 with a branch-free
    // OR lets the compiler vectorize; the rare hit is located afterwards.
    constexpr std::uint64_t kStep = 64;
    std::uint64_t i = 0;
    for (; i + kStep <= n; i += kStep) {
        std::uint32_t any = 0;
        for (std::uint64_t j = 0; j < kStep; ++j) {
            const std::uint32_t bits = std::bit_cast<std::uint32_t>(values[i + j]);
            any |= static_cast<std::uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
        }
        if (any) {
            break;
        }
    }
    for (; i < n; ++i) {
        if (!std::isfinite(values[i])) {
            return i;
        }
    }
    return std::nullopt;
}

std::optional<DataProblem> findInvalidData(GgmlType type, std::span<const std::byte> bytes) {
    switch (type) {
    case GgmlType::F32:
        if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(float) != 0) {
            return scanPlain<float>(
                bytes, [](float v) { return !std::isfinite(v); }, [](float v) { return v; });
        }
        if (auto i = findNonFinite(reinterpret_cast<const float*>(bytes.data()),
                                   bytes.size() / sizeof(float));
            i) {
            float v;
            std::memcpy(&v, bytes.data() + *i * sizeof(float), sizeof(v));
            return DataProblem{*i, false, "value", v};
        }
        return std::nullopt;
    case GgmlType::F16:
        return scanPlain<std::uint16_t>(
            bytes, [](std::uint16_t h) { return !halfIsFinite(h); }, fp16ToFp32);
    case GgmlType::BF16:
        return scanPlain<std::uint16_t>(
            bytes, [](std::uint16_t h) { return (h & 0x7f80u) == 0x7f80u; },
            [](std::uint16_t h) { return std::bit_cast<float>(std::uint32_t{h} << 16); });
    case GgmlType::F64:
        return scanPlain<double>(
            bytes, [](double v) { return !std::isfinite(v); },
            [](double v) { return static_cast<float>(v); });
    default:
        break;
    }

    const GgmlTypeInfo& info = ggmlTypeInfo(type);
    const std::size_t blockBytes = info.bytesPerBlock;
    const std::size_t blocks = blockBytes ? bytes.size() / blockBytes : 0;
    if (type == GgmlType::Q8_K) {
        for (std::size_t b = 0; b < blocks; ++b) {
            float d;
            std::memcpy(&d, bytes.data() + b * blockBytes + offsetof(BlockQ8K, d), sizeof(d));
            if (!std::isfinite(d)) {
                return DataProblem{b, true, "d", d};
            }
        }
        return std::nullopt;
    }
    if (type == GgmlType::MXFP4) {
        for (std::size_t b = 0; b < blocks; ++b) {
            if (static_cast<std::uint8_t>(bytes[b * blockBytes + offsetof(BlockMXFP4, e)]) ==
                0xffu) {
                return DataProblem{b, true, "e", std::nanf("")};
            }
        }
        return std::nullopt;
    }
    if (type == GgmlType::IQ1_M) {
        for (std::size_t b = 0; b < blocks; ++b) {
            const std::uint16_t h = iq1mScale(bytes.data() + b * blockBytes);
            if (!halfIsFinite(h)) {
                return DataProblem{b, true, "scale", fp16ToFp32(h)};
            }
        }
        return std::nullopt;
    }
    const auto scales = blockScales(type);
    if (!scales) {
        return std::nullopt;
    }
    for (std::size_t b = 0; b < blocks; ++b) {
        const std::byte* block = bytes.data() + b * blockBytes;
        for (int f = 0; f < scales->count; ++f) {
            const std::uint16_t h = loadU16(block + scales->fields[f].offset);
            if (!halfIsFinite(h)) {
                return DataProblem{b, true, scales->fields[f].name, fp16ToFp32(h)};
            }
        }
    }
    return std::nullopt;
}

} // namespace qs::core
