#include "core/compute/packed_cpu.h"

#include "core/jobs/parallel_for.h"
#include "core/quant/half.h"
#include "core/quant/packing.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <memory>
#include <type_traits>
#include <vector>

// Work is split into tiles of kTile consecutive outputs, each walking down the packed rows of
// qweight a 32-column block at a time, so that every packed word is read once and used at
// once: packed rows are `out` (GPTQ) or out / 8 (AWQ) words apart, powers of two in real
// layers, and words revisited later would have left the cache. Matvec decodes a tile's block
// into floats in [column][lane] order, so its arithmetic runs over contiguous outputs
// (vectorizes without gathers) for every layout and bit width; GPTQ dequantization unpacks
// each output's 32 values on their own, kSubTile outputs (one cache line of a packed row) at a
// time, and writes them contiguously.
namespace qs::core {
namespace {

// Outputs per tile: a multiple of AWQ's 8 outputs per word; 128 outputs of a packed row are
// 512 bytes (GPTQ) or one 64-byte line (AWQ), read whole.
constexpr int kTile = 128;
constexpr int kSubTile = 16; // GPTQ dequantization: 16 words, one cache line of a packed row
constexpr int kBlock = 32;   // input columns per block: 3-bit GPTQ packs 32 of them in 3 words

// AutoAWQ stores output 8m + order[k] at nibble k of word m, order = 0 2 4 6 1 3 5 7; the
// nibble that holds output 8m + j is the inverse:
constexpr int kAwqNibble[8] = {0, 4, 1, 5, 2, 6, 3, 7};

const std::uint32_t* words(const std::int32_t* p) {
    return reinterpret_cast<const std::uint32_t*>(p);
}

// What the tiles of one call share: the group of each column and of each block.
struct Plan {
    const PackedLinear& w;
    std::int64_t blocks = 0;
    std::vector<std::int32_t> columnGroup; // [in]
    std::vector<std::int32_t> blockGroup;  // [blocks]: the group of all its columns, or -1

    explicit Plan(const PackedLinear& linear)
        : w(linear)
        , blocks((linear.in + kBlock - 1) / kBlock)
        , columnGroup(static_cast<std::size_t>(linear.in))
        , blockGroup(packedBlockGroups(linear)) {
        for (std::int64_t c = 0; c < w.in; ++c) {
            columnGroup[c] = packedGroupOf(w, c);
        }
    }
};

// Per-thread scratch: one tile's scales and zeros of every group, and one decoded block.
// Lanes are the tile's outputs in order for GPTQ. For AWQ they follow the packing: lane
// k * (count / 8) + m is output 8 m + order[k], nibble k of word m, so that decoding a word
// row writes contiguous lanes.
struct Tile {
    std::int64_t first = 0; // first output
    int count = 0;          // outputs, <= kTile
    bool awq = false;
    std::vector<float> scale, zero; // [groups][lane]
    float q[kBlock][kTile];         // [column][lane]

    int lane(int t) const { return awq ? kAwqNibble[t % 8] * (count / 8) + t / 8 : t; }

    void load(const PackedLinear& w, std::int64_t firstOutput) {
        first = firstOutput;
        count = static_cast<int>(std::min<std::int64_t>(kTile, w.out - first));
        awq = w.layout == PackedLayout::AwqGemm;
        scale.resize(static_cast<std::size_t>(w.groups) * kTile);
        zero.resize(scale.size());
        const std::int64_t zeroWords = packedQzerosWords(w) / w.groups;
        // v1 stores zero - 1: add it back without masking, exactly as unpackGptq does.
        const int zeroOffset = w.layout == PackedLayout::GptqV1 ? 1 : 0;
        for (std::int64_t g = 0; g < w.groups; ++g) {
            const std::uint32_t* zw = words(w.qzeros) + g * zeroWords;
            for (int t = 0; t < count; ++t) {
                const std::int64_t o = first + t;
                scale[g * kTile + lane(t)] = fp16ToFp32(w.scales[g * w.out + o]);
                const std::int32_t z =
                    w.layout == PackedLayout::AwqGemm
                        ? static_cast<std::int32_t>((zw[o / 8] >> (4 * kAwqNibble[o % 8])) & 0xFu)
                        : unpackBitstream(zw, static_cast<std::size_t>(o), w.bits) + zeroOffset;
                zero[g * kTile + lane(t)] = static_cast<float>(z);
            }
        }
    }
};

// Columns of block b.
int blockColumns(const PackedLinear& w, std::int64_t b) {
    return static_cast<int>(std::min<std::int64_t>(kBlock, w.in - b * kBlock));
}

template <int Bits>
void decodeGptq(const PackedLinear& w, std::int64_t b, Tile& tile) {
    constexpr std::uint32_t mask = (1u << Bits) - 1u;
    const int nc = blockColumns(w, b);
    // The block's packed rows (b * Bits ...), at the tile's first output.
    const std::uint32_t* rows[Bits];
    const int nRows = (nc * Bits + 31) / 32;
    for (int j = 0; j < nRows; ++j) {
        rows[j] = words(w.qweight) + (b * Bits + j) * w.out + tile.first;
    }
    for (int i = 0; i < nc; ++i) {
        const int bit = i * Bits;
        const std::uint32_t* lo = rows[bit / 32];
        const unsigned shift = static_cast<unsigned>(bit % 32);
        float* q = tile.q[i];
        if (shift + Bits > 32) { // 3 bits only: the value continues in the next row
            const std::uint32_t* hi = rows[bit / 32 + 1];
            for (int t = 0; t < tile.count; ++t) {
                q[t] = static_cast<float>(
                    static_cast<std::int32_t>(((lo[t] >> shift) | (hi[t] << (32 - shift))) & mask));
            }
        } else {
            for (int t = 0; t < tile.count; ++t) {
                q[t] = static_cast<float>(static_cast<std::int32_t>((lo[t] >> shift) & mask));
            }
        }
    }
}

// Lanes in the tile's AWQ order (Tile::lane).
void decodeAwq(const PackedLinear& w, std::int64_t b, Tile& tile) {
    const int nc = blockColumns(w, b);
    const std::int64_t rowWords = w.out / 8;
    const int tileWords = tile.count / 8;
    for (int i = 0; i < nc; ++i) {
        const std::uint32_t* row = words(w.qweight) + (b * kBlock + i) * rowWords + tile.first / 8;
        float* q = tile.q[i];
        for (int k = 0; k < 8; ++k) {
            for (int m = 0; m < tileWords; ++m) {
                q[k * tileWords + m] =
                    static_cast<float>(static_cast<std::int32_t>((row[m] >> (4 * k)) & 0xFu));
            }
        }
    }
}

void decode(const PackedLinear& w, std::int64_t b, Tile& tile) {
    if (w.layout == PackedLayout::AwqGemm) {
        decodeAwq(w, b, tile);
        return;
    }
    switch (w.bits) {
    case 2:
        decodeGptq<2>(w, b, tile);
        break;
    case 3:
        decodeGptq<3>(w, b, tile);
        break;
    case 4:
        decodeGptq<4>(w, b, tile);
        break;
    default:
        decodeGptq<8>(w, b, tile);
        break;
    }
}

// The 32 values of GPTQ output o in block b as floats, for the dequantization paths that do
// not go through dequantizeWholeBlock (partial blocks, a group per column). Values past a
// partial block's columns are garbage the caller does not store.
template <int Bits>
void unpackGptqOutput(const PackedLinear& w, std::int64_t b, std::int64_t o, float* q) {
    constexpr std::uint32_t mask = (1u << Bits) - 1u;
    const int nRows = (blockColumns(w, b) * Bits + 31) / 32;
    std::uint32_t v[Bits + 1] = {};
    for (int j = 0; j < nRows; ++j) {
        v[j] = words(w.qweight)[(b * Bits + j) * w.out + o];
    }
    if constexpr (Bits == 3) {
#pragma GCC unroll 32
        for (int i = 0; i < kBlock; ++i) {
            const int bit = i * Bits;
            std::uint32_t value = v[bit / 32] >> (bit % 32);
            if (bit % 32 + Bits > 32) {
                value |= v[bit / 32 + 1] << (32 - bit % 32);
            }
            q[i] = static_cast<float>(static_cast<std::int32_t>(value & mask));
        }
    } else {
        // Values never cross a word: as bytes (little-endian, value 0 in the low bits of
        // byte 0), each holding 8 / Bits values; loops the compiler vectorizes.
        static_assert(std::endian::native == std::endian::little);
        std::uint8_t bytes[Bits * 4];
        std::memcpy(bytes, v, sizeof(bytes));
        constexpr int perByte = 8 / Bits;
        for (int k = 0; k < Bits * 4; ++k) {
            for (int m = 0; m < perByte; ++m) {
                q[k * perByte + m] =
                    static_cast<float>(static_cast<std::int32_t>((bytes[k] >> (Bits * m)) & mask));
            }
        }
    }
}

void unpackGptqOutput(const PackedLinear& w, std::int64_t b, std::int64_t o, float* q) {
    switch (w.bits) {
    case 2:
        unpackGptqOutput<2>(w, b, o, q);
        break;
    case 3:
        unpackGptqOutput<3>(w, b, o, q);
        break;
    case 4:
        unpackGptqOutput<4>(w, b, o, q);
        break;
    default:
        unpackGptqOutput<8>(w, b, o, q);
        break;
    }
}

// Dequantizes a whole 32-column block of GPTQ output o with one group (scale s, zero z) into
// dst (f32, or f16 bits). At 2 to 4 bits through a table of the 2^Bits possible values, each
// computed as the reference does: a load per value instead of a conversion, a subtraction,
// a product (and a rounding to f16). At 8 bits straight from the bytes.
template <int Bits, typename Out>
void dequantizeWholeBlock(const PackedLinear& w, std::int64_t b, std::int64_t o, float s, float z,
                          Out* dst) {
    constexpr std::uint32_t mask = (1u << Bits) - 1u;
    auto value = [&](std::uint32_t q) {
        const float v = s * (static_cast<float>(q) - z);
        if constexpr (std::is_same_v<Out, float>) {
            return v;
        } else {
            return fp32ToFp16(v);
        }
    };
    std::uint32_t v[Bits + 1] = {};
    for (int j = 0; j < Bits; ++j) {
        v[j] = words(w.qweight)[(b * Bits + j) * w.out + o];
    }
    if constexpr (Bits == 8) {
        static_assert(std::endian::native == std::endian::little);
        std::uint8_t bytes[kBlock];
        std::memcpy(bytes, v, sizeof(bytes));
        for (int i = 0; i < kBlock; ++i) {
            dst[i] = value(bytes[i]);
        }
    } else {
        Out table[1 << Bits];
        for (std::uint32_t k = 0; k <= mask; ++k) {
            table[k] = value(k);
        }
#pragma GCC unroll 32
        for (int i = 0; i < kBlock; ++i) {
            const int bit = i * Bits;
            std::uint32_t q = v[bit / 32] >> (bit % 32);
            if (bit % 32 + Bits > 32) {
                q |= v[bit / 32 + 1] << (32 - bit % 32);
            }
            dst[i] = table[q & mask];
        }
    }
}

template <typename Out>
void dequantizeWholeBlock(const PackedLinear& w, std::int64_t b, std::int64_t o, float s, float z,
                          Out* dst) {
    switch (w.bits) {
    case 2:
        dequantizeWholeBlock<2>(w, b, o, s, z, dst);
        break;
    case 3:
        dequantizeWholeBlock<3>(w, b, o, s, z, dst);
        break;
    case 4:
        dequantizeWholeBlock<4>(w, b, o, s, z, dst);
        break;
    default:
        dequantizeWholeBlock<8>(w, b, o, s, z, dst);
        break;
    }
}

// Runs fn(tile) for tiles [firstTile, endTile) on up to `threads` threads, a tile at a time.
template <typename Fn>
void forTiles(const PackedLinear& w, std::int64_t firstTile, std::int64_t endTile, unsigned threads,
              Fn fn) {
    // The arguments were validated (validatePackedRows) and a product is not cancelled, so no
    // chunk fails and the loop's Status is always success.
    static_cast<void>(parallelFor(static_cast<int>(threads), endTile - firstTile, 1,
                                  [&](std::int64_t begin, std::int64_t end) -> Status {
                                      auto tile = std::make_unique<Tile>();
                                      for (std::int64_t t = begin; t < end; ++t) {
                                          tile->load(w, (firstTile + t) * kTile);
                                          fn(*tile);
                                      }
                                      return {};
                                  }));
}

} // namespace

void cpuDequantizePacked(const PackedLinear& w, RowRange rows, float* dstF32, std::uint16_t* dstF16,
                         unsigned threads) {
    if (rows.count == 0) {
        return;
    }
    const Plan plan(w);
    const bool awq = w.layout == PackedLayout::AwqGemm;
    const std::int64_t end = rows.first + rows.count;
    forTiles(w, rows.first / kTile, (end - 1) / kTile + 1, threads, [&](Tile& tile) {
        const std::int64_t lo = std::max<std::int64_t>(rows.first - tile.first, 0);
        const std::int64_t hi = std::min<std::int64_t>(end - tile.first, tile.count);
        // Blocks outermost, so each packed word is read once and used at once (the layouts'
        // row strides are powers of two: words revisited later would have left the cache).
        // GPTQ: kSubTile outputs (one cache line of a packed row) at a time, each unpacked on
        // its own; AWQ: a whole tile decoded per block (one line per input column).
        for (std::int64_t sub = lo; sub < hi; sub += awq ? hi - lo : kSubTile) {
            const std::int64_t subEnd = awq ? hi : std::min(hi, sub + kSubTile);
            for (std::int64_t b = 0; b < plan.blocks; ++b) {
                const int nc = blockColumns(w, b);
                if (awq) {
                    decodeAwq(w, b, tile);
                }
                const std::int64_t g = plan.blockGroup[b];
                // The common case: GPTQ, one group for the whole block.
                if (!awq && g >= 0 && nc == kBlock) {
                    for (std::int64_t t = sub; t < subEnd; ++t) {
                        const std::int64_t o = tile.first + t;
                        const float s = tile.scale[g * kTile + t];
                        const float z = tile.zero[g * kTile + t];
                        const std::int64_t at = (o - rows.first) * w.in + b * kBlock;
                        if (dstF32) {
                            dequantizeWholeBlock(w, b, o, s, z, dstF32 + at);
                        } else {
                            dequantizeWholeBlock(w, b, o, s, z, dstF16 + at);
                        }
                    }
                    continue;
                }
                for (std::int64_t t = sub; t < subEnd; ++t) {
                    const std::int64_t o = tile.first + t;
                    const int lane = tile.lane(static_cast<int>(t));
                    float q[kBlock];
                    if (awq) {
                        for (int i = 0; i < nc; ++i) {
                            q[i] = tile.q[i][lane];
                        }
                    } else {
                        unpackGptqOutput(w, b, o, q);
                    }
                    float v[kBlock];
                    if (g >= 0) {
                        const float s = tile.scale[g * kTile + lane];
                        const float z = tile.zero[g * kTile + lane];
                        // float(q) - float(z) is the exact integer q - z, so this is the
                        // reference's scale * float(q - zero) rounded once.
                        for (int i = 0; i < nc; ++i) {
                            v[i] = s * (q[i] - z);
                        }
                    } else {
                        for (int i = 0; i < nc; ++i) {
                            const std::int64_t gi = plan.columnGroup[b * kBlock + i] * kTile + lane;
                            v[i] = tile.scale[gi] * (q[i] - tile.zero[gi]);
                        }
                    }
                    const std::int64_t at = (o - rows.first) * w.in + b * kBlock;
                    if (dstF32) {
                        std::copy_n(v, nc, dstF32 + at);
                    } else {
                        for (int i = 0; i < nc; ++i) {
                            dstF16[at + i] = fp32ToFp16(v[i]);
                        }
                    }
                }
            }
        }
    });
}

void cpuMatvecPacked(const PackedLinear& w, const float* x, float* y, unsigned threads) {
    const Plan plan(w);
    forTiles(w, 0, (w.out + kTile - 1) / kTile, threads, [&](Tile& tile) {
        float acc[kTile] = {};
        float block[kTile];
        for (std::int64_t b = 0; b < plan.blocks; ++b) {
            decode(w, b, tile);
            const int nc = blockColumns(w, b);
            const float* xb = x + b * kBlock;
            std::fill_n(block, kTile, 0.0f);
            if (const std::int64_t g = plan.blockGroup[b]; g >= 0) {
                // One group: scale * sum((q - zero) x), the scale applied once per block.
                const float* z = tile.zero.data() + g * kTile;
                for (int i = 0; i < nc; ++i) {
                    for (int t = 0; t < tile.count; ++t) {
                        block[t] += (tile.q[i][t] - z[t]) * xb[i];
                    }
                }
                const float* s = tile.scale.data() + g * kTile;
                for (int t = 0; t < tile.count; ++t) {
                    acc[t] += s[t] * block[t];
                }
            } else {
                // Act-order: each column has its own group.
                for (int i = 0; i < nc; ++i) {
                    const std::int64_t gi = plan.columnGroup[b * kBlock + i];
                    const float* s = tile.scale.data() + gi * kTile;
                    const float* z = tile.zero.data() + gi * kTile;
                    for (int t = 0; t < tile.count; ++t) {
                        block[t] += s[t] * (tile.q[i][t] - z[t]) * xb[i];
                    }
                }
                for (int t = 0; t < tile.count; ++t) {
                    acc[t] += block[t];
                }
            }
        }
        for (int t = 0; t < tile.count; ++t) {
            y[tile.first + t] = acc[tile.lane(t)];
        }
    });
}

} // namespace qs::core
