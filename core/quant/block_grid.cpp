#include "core/quant/block_grid.h"

#include "core/quant/block_types.h"
#include "core/quant/half.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>

// The positions below follow the dequantizers in quant_legacy.cpp and quant_kquants.cpp (ggml's
// dequantize_row_*): the grid's scale and offset are computed with the same float operations,
// so value() reproduces the dequantized float bit for bit. This file is compiled with the
// kernels' flags (no FMA contraction) for that reason.
namespace qs::core {

using namespace quant;

namespace {

// 6-bit scale and min of sub-block j of Q4_K/Q5_K (ggml's get_scale_min_k4).
void scaleMinK4(int j, const std::uint8_t* q, int& d, int& m) {
    if (j < 4) {
        d = q[j] & 63;
        m = q[j + 4] & 63;
    } else {
        d = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        m = (q[j + 4] >> 4) | ((q[j - 0] >> 6) << 4);
    }
}

// Q2_K and Q3_K keep the low two bits of value p at qs[32 * (p / 128) + p % 32], bits
// 2 * (p % 128 / 32); Q3_K's high bit at hmask[p % 32], bit p / 32.
inline int twoBitByte(int p) {
    return 32 * (p / 128) + p % 32;
}
inline int twoBitShift(int p) {
    return 2 * (p % 128 / 32);
}

// Q4_K/Q5_K: value p is a nibble of qs[32 * (p / 64) + p % 32], the high one when p % 64 >= 32;
// its sub-block of 32 is p / 32. Q5_K's fifth bit is qh[p % 32], bit p / 32.
inline int nibbleByteK(int p) {
    return 32 * (p / 64) + p % 32;
}
inline bool highNibbleK(int p) {
    return p % 64 >= 32;
}

// Q6_K: value p = 128 h + 32 quarter + l has its low nibble in ql[64 h + l + 32 (quarter & 1)]
// (the high nibble for quarters 2, 3), its two high bits in qh[32 h + l] at 2 quarter, and its
// scale at 8 h + l / 16 + 2 quarter.
struct Q6Pos {
    int ql, nibbleShift, qh, qhShift, scale;
};
inline Q6Pos q6Position(int p) {
    const int h = p / 128, quarter = p % 128 / 32, l = p % 32;
    return {64 * h + l + 32 * (quarter & 1), quarter >= 2 ? 4 : 0, 32 * h + l, 2 * quarter,
            8 * h + l / 16 + 2 * quarter};
}

} // namespace

int BlockGrid::nearest(int j, float x) const {
    if (scale[j] == 0.0f || !std::isfinite(scale[j])) {
        return std::clamp(0, minLevel, maxLevel); // every level decodes to the same value
    }
    const float guess = std::nearbyint((x + offset[j]) / scale[j]);
    const int q0 = static_cast<int>(
        std::clamp(guess, static_cast<float>(minLevel), static_cast<float>(maxLevel)));
    // The division may round across a midpoint: compare the neighbours' decoded values.
    int best = q0;
    float bestErr = std::abs(x - value(j, q0));
    for (const int q : {q0 - 1, q0 + 1}) {
        if (q < minLevel || q > maxLevel) {
            continue;
        }
        const float e = std::abs(x - value(j, q));
        if (e < bestErr || (e == bestErr && q < best)) {
            best = q;
            bestErr = e;
        }
    }
    return best;
}

bool blockGridSupports(GgmlType type) {
    switch (type) {
    case GgmlType::Q4_0:
    case GgmlType::Q5_0:
    case GgmlType::Q8_0:
    case GgmlType::Q2_K:
    case GgmlType::Q3_K:
    case GgmlType::Q4_K:
    case GgmlType::Q5_K:
    case GgmlType::Q6_K:
        return true;
    default:
        return false;
    }
}

namespace {

Error unsupported(GgmlType type) {
    return makeError(ErrorCode::Unsupported, "no block grid for " +
                                                 std::string(ggmlTypeInfo(type).name) +
                                                 " (calibrated rounding covers Q4_0, Q5_0, Q8_0, "
                                                 "Q2_K, Q3_K, Q4_K, Q5_K and Q6_K)");
}

void fillLegacy(BlockGrid& g, float d, int minLevel, int maxLevel) {
    g.size = 32;
    g.minLevel = minLevel;
    g.maxLevel = maxLevel;
    std::fill_n(g.scale, 32, d);
    std::fill_n(g.offset, 32, 0.0f);
}

} // namespace

Status readBlockGrid(GgmlType type, const void* block, BlockGrid& g) {
    switch (type) {
    case GgmlType::Q4_0: {
        BlockQ4_0 b;
        std::memcpy(&b, block, sizeof(b));
        fillLegacy(g, fp16ToFp32(b.d), -8, 7);
        return {};
    }
    case GgmlType::Q5_0: {
        BlockQ5_0 b;
        std::memcpy(&b, block, sizeof(b));
        fillLegacy(g, fp16ToFp32(b.d), -16, 15);
        return {};
    }
    case GgmlType::Q8_0: {
        BlockQ8_0 b;
        std::memcpy(&b, block, sizeof(b));
        fillLegacy(g, fp16ToFp32(b.d), -128, 127);
        return {};
    }
    case GgmlType::Q2_K: {
        BlockQ2K b;
        std::memcpy(&b, block, sizeof(b));
        const float d = fp16ToFp32(b.d), min = fp16ToFp32(b.dmin);
        g.size = kQK;
        g.minLevel = 0;
        g.maxLevel = 3;
        for (int p = 0; p < kQK; ++p) {
            const std::uint8_t sc = b.scales[p / 16];
            g.scale[p] = d * static_cast<float>(sc & 0xF);
            g.offset[p] = min * static_cast<float>(sc >> 4);
        }
        return {};
    }
    case GgmlType::Q3_K: {
        BlockQ3K b;
        std::memcpy(&b, block, sizeof(b));
        const float dAll = fp16ToFp32(b.d);
        g.size = kQK;
        g.minLevel = -4;
        g.maxLevel = 3;
        for (int s = 0; s < 16; ++s) {
            const int low = s < 8 ? b.scales[s] & 0xF : b.scales[s - 8] >> 4;
            const int high = (b.scales[8 + s % 4] >> (2 * (s / 4))) & 3;
            const float dl = dAll * static_cast<float>((low | (high << 4)) - 32);
            std::fill_n(g.scale + 16 * s, 16, dl);
        }
        std::fill_n(g.offset, kQK, 0.0f);
        return {};
    }
    case GgmlType::Q4_K:
    case GgmlType::Q5_K: {
        // The two share d, dmin and the 12 scale bytes at the start of the block.
        BlockQ4K b;
        std::memcpy(&b, block, offsetof(BlockQ4K, qs));
        const float d = fp16ToFp32(b.d), min = fp16ToFp32(b.dmin);
        g.size = kQK;
        g.minLevel = 0;
        g.maxLevel = type == GgmlType::Q4_K ? 15 : 31;
        for (int s = 0; s < 8; ++s) {
            int sc = 0, m = 0;
            scaleMinK4(s, b.scales, sc, m);
            std::fill_n(g.scale + 32 * s, 32, d * static_cast<float>(sc));
            std::fill_n(g.offset + 32 * s, 32, min * static_cast<float>(m));
        }
        return {};
    }
    case GgmlType::Q6_K: {
        BlockQ6K b;
        std::memcpy(&b, block, sizeof(b));
        const float d = fp16ToFp32(b.d);
        g.size = kQK;
        g.minLevel = -32;
        g.maxLevel = 31;
        for (int p = 0; p < kQK; ++p) {
            g.scale[p] = d * static_cast<float>(b.scales[q6Position(p).scale]);
        }
        std::fill_n(g.offset, kQK, 0.0f);
        return {};
    }
    default:
        return unsupported(type);
    }
}

Status readBlockLevels(GgmlType type, const void* block, int* levels) {
    switch (type) {
    case GgmlType::Q4_0: {
        BlockQ4_0 b;
        std::memcpy(&b, block, sizeof(b));
        for (int j = 0; j < 16; ++j) {
            levels[j] = (b.qs[j] & 0xF) - 8;
            levels[j + 16] = (b.qs[j] >> 4) - 8;
        }
        return {};
    }
    case GgmlType::Q5_0: {
        BlockQ5_0 b;
        std::memcpy(&b, block, sizeof(b));
        std::uint32_t qh = 0;
        std::memcpy(&qh, b.qh, sizeof(qh));
        for (int j = 0; j < 16; ++j) {
            levels[j] = ((b.qs[j] & 0xF) | (((qh >> j) & 1) << 4)) - 16;
            levels[j + 16] = ((b.qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4)) - 16;
        }
        return {};
    }
    case GgmlType::Q8_0: {
        BlockQ8_0 b;
        std::memcpy(&b, block, sizeof(b));
        for (int j = 0; j < 32; ++j) {
            levels[j] = b.qs[j];
        }
        return {};
    }
    case GgmlType::Q2_K: {
        BlockQ2K b;
        std::memcpy(&b, block, sizeof(b));
        for (int p = 0; p < kQK; ++p) {
            levels[p] = (b.qs[twoBitByte(p)] >> twoBitShift(p)) & 3;
        }
        return {};
    }
    case GgmlType::Q3_K: {
        BlockQ3K b;
        std::memcpy(&b, block, sizeof(b));
        for (int p = 0; p < kQK; ++p) {
            const int low = (b.qs[twoBitByte(p)] >> twoBitShift(p)) & 3;
            const bool high = (b.hmask[p % 32] >> (p / 32)) & 1;
            levels[p] = low - (high ? 0 : 4);
        }
        return {};
    }
    case GgmlType::Q4_K: {
        BlockQ4K b;
        std::memcpy(&b, block, sizeof(b));
        for (int p = 0; p < kQK; ++p) {
            const std::uint8_t byte = b.qs[nibbleByteK(p)];
            levels[p] = highNibbleK(p) ? byte >> 4 : byte & 0xF;
        }
        return {};
    }
    case GgmlType::Q5_K: {
        BlockQ5K b;
        std::memcpy(&b, block, sizeof(b));
        for (int p = 0; p < kQK; ++p) {
            const std::uint8_t byte = b.qs[nibbleByteK(p)];
            const int low = highNibbleK(p) ? byte >> 4 : byte & 0xF;
            levels[p] = low | (((b.qh[p % 32] >> (p / 32)) & 1) << 4);
        }
        return {};
    }
    case GgmlType::Q6_K: {
        BlockQ6K b;
        std::memcpy(&b, block, sizeof(b));
        for (int p = 0; p < kQK; ++p) {
            const Q6Pos q = q6Position(p);
            const int low = (b.ql[q.ql] >> q.nibbleShift) & 0xF;
            const int high = (b.qh[q.qh] >> q.qhShift) & 3;
            levels[p] = (low | (high << 4)) - 32;
        }
        return {};
    }
    default:
        return unsupported(type);
    }
}

Status writeBlockLevels(GgmlType type, void* block, const int* levels) {
    // Every format rewrites its level bits whole, so the order of writes does not matter.
    switch (type) {
    case GgmlType::Q4_0: {
        BlockQ4_0 b;
        std::memcpy(&b, block, sizeof(b));
        for (int j = 0; j < 16; ++j) {
            b.qs[j] = static_cast<std::uint8_t>((levels[j] + 8) | ((levels[j + 16] + 8) << 4));
        }
        std::memcpy(block, &b, sizeof(b));
        return {};
    }
    case GgmlType::Q5_0: {
        BlockQ5_0 b;
        std::memcpy(&b, block, sizeof(b));
        std::uint32_t qh = 0;
        for (int j = 0; j < 16; ++j) {
            const int u0 = levels[j] + 16, u1 = levels[j + 16] + 16;
            b.qs[j] = static_cast<std::uint8_t>((u0 & 0xF) | ((u1 & 0xF) << 4));
            qh |= static_cast<std::uint32_t>(u0 >> 4) << j;
            qh |= static_cast<std::uint32_t>(u1 >> 4) << (j + 16);
        }
        std::memcpy(b.qh, &qh, sizeof(qh));
        std::memcpy(block, &b, sizeof(b));
        return {};
    }
    case GgmlType::Q8_0: {
        BlockQ8_0 b;
        std::memcpy(&b, block, sizeof(b));
        for (int j = 0; j < 32; ++j) {
            b.qs[j] = static_cast<std::int8_t>(levels[j]);
        }
        std::memcpy(block, &b, sizeof(b));
        return {};
    }
    case GgmlType::Q2_K:
    case GgmlType::Q3_K: {
        std::uint8_t qs[kQK / 4] = {};
        std::uint8_t hmask[kQK / 8] = {};
        for (int p = 0; p < kQK; ++p) {
            const int u = type == GgmlType::Q2_K ? levels[p] : levels[p] + 4; // Q3_K: 0..7
            qs[twoBitByte(p)] |= static_cast<std::uint8_t>((u & 3) << twoBitShift(p));
            hmask[p % 32] |= static_cast<std::uint8_t>((u >> 2) << (p / 32));
        }
        if (type == GgmlType::Q2_K) {
            auto* b = static_cast<std::byte*>(block);
            std::memcpy(b + offsetof(BlockQ2K, qs), qs, sizeof(qs));
        } else {
            auto* b = static_cast<std::byte*>(block);
            std::memcpy(b + offsetof(BlockQ3K, qs), qs, sizeof(qs));
            std::memcpy(b + offsetof(BlockQ3K, hmask), hmask, sizeof(hmask));
        }
        return {};
    }
    case GgmlType::Q4_K:
    case GgmlType::Q5_K: {
        std::uint8_t qs[kQK / 2] = {};
        std::uint8_t qh[kQK / 8] = {};
        for (int p = 0; p < kQK; ++p) {
            const int u = levels[p];
            qs[nibbleByteK(p)] |= static_cast<std::uint8_t>((u & 0xF) << (highNibbleK(p) ? 4 : 0));
            qh[p % 32] |= static_cast<std::uint8_t>((u >> 4) << (p / 32));
        }
        auto* b = static_cast<std::byte*>(block);
        if (type == GgmlType::Q4_K) {
            std::memcpy(b + offsetof(BlockQ4K, qs), qs, sizeof(qs));
        } else {
            std::memcpy(b + offsetof(BlockQ5K, qs), qs, sizeof(qs));
            std::memcpy(b + offsetof(BlockQ5K, qh), qh, sizeof(qh));
        }
        return {};
    }
    case GgmlType::Q6_K: {
        std::uint8_t ql[kQK / 2] = {};
        std::uint8_t qh[kQK / 4] = {};
        for (int p = 0; p < kQK; ++p) {
            const Q6Pos q = q6Position(p);
            const int u = levels[p] + 32;
            ql[q.ql] |= static_cast<std::uint8_t>((u & 0xF) << q.nibbleShift);
            qh[q.qh] |= static_cast<std::uint8_t>((u >> 4) << q.qhShift);
        }
        auto* b = static_cast<std::byte*>(block);
        std::memcpy(b + offsetof(BlockQ6K, ql), ql, sizeof(ql));
        std::memcpy(b + offsetof(BlockQ6K, qh), qh, sizeof(qh));
        return {};
    }
    default:
        return unsupported(type);
    }
}

} // namespace qs::core
