#include "core/eval/vec_dot_kernels.h"
#include "core/quant/block_types.h"
#include "core/quant/half.h"

#include <cstring>

// Portable kernels for CPUs without AVX2: integer sums per block (exact), then one float
// product per block, as the AVX2 builds do, so both agree up to float summation order.
namespace qs::core::vecdot {

using namespace qs::core::quant;

namespace {

// Q4_K/Q5_K's offsets: sum over the 8 sub-blocks of min * (sum of its 32 activations), from
// Q8_K's sums of 16.
std::int32_t minsTimesSums(const std::uint8_t* mins, const BlockQ8K& y) {
    std::int32_t sum = 0;
    for (int j = 0; j < 8; ++j) {
        sum += mins[j] * (y.bsums[2 * j] + y.bsums[2 * j + 1]);
    }
    return sum;
}

} // namespace

float dotQ4KScalar(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockQ4K*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    float sum = 0.0f;
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        std::uint8_t scales[8], mins[8];
        unpackScalesMinsK4(x[i].scales, scales, mins);
        std::int32_t sumi = 0;
        for (int j = 0; j < 4; ++j) {
            const std::uint8_t* q = x[i].qs + 32 * j;
            const std::int8_t* ylo = y[i].qs + 64 * j;
            std::int32_t lo = 0, hi = 0;
            for (int l = 0; l < 32; ++l) {
                lo += (q[l] & 0xF) * ylo[l];
                hi += (q[l] >> 4) * ylo[l + 32];
            }
            sumi += scales[2 * j] * lo + scales[2 * j + 1] * hi;
        }
        sum += y[i].d * fp16ToFp32(x[i].d) * static_cast<float>(sumi) -
               y[i].d * fp16ToFp32(x[i].dmin) * static_cast<float>(minsTimesSums(mins, y[i]));
    }
    return sum;
}

void repackQ4Kx8(const void* rows, std::size_t rowBytes, std::int64_t n, void* out) {
    auto* x8 = static_cast<BlockQ4Kx8*>(out);
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        BlockQ4Kx8& g = x8[i];
        for (int r = 0; r < 8; ++r) {
            const auto& x = reinterpret_cast<const BlockQ4K*>(
                static_cast<const std::byte*>(rows) + rowBytes * static_cast<std::size_t>(r))[i];
            g.d[r] = x.d;
            g.dmin[r] = x.dmin;
            for (int k = 0; k < 12; ++k) {
                g.scales[k][r] = x.scales[k];
            }
            for (int j = 0; j < 4; ++j) {
                for (int q = 0; q < 8; ++q) {
                    std::memcpy(g.qs + 256 * j + 32 * q + 4 * r, x.qs + 32 * j + 4 * q, 4);
                }
            }
        }
    }
}

// Row by row with the operations of dotQ4KScalar in the same order, so the two agree exactly.
void dotQ4Kx8Scalar(const void* w, const void* a, std::int64_t n, float* out) {
    const auto* x = static_cast<const BlockQ4Kx8*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    for (int r = 0; r < 8; ++r) {
        float sum = 0.0f;
        for (std::int64_t i = 0; i < n / kQK; ++i) {
            std::uint8_t packed[12], scales[8], mins[8];
            for (int k = 0; k < 12; ++k) {
                packed[k] = x[i].scales[k][r];
            }
            unpackScalesMinsK4(packed, scales, mins);
            std::int32_t sumi = 0;
            for (int j = 0; j < 4; ++j) {
                const std::int8_t* ylo = y[i].qs + 64 * j;
                std::int32_t lo = 0, hi = 0;
                for (int l = 0; l < 32; ++l) {
                    const std::uint8_t q = x[i].qs[256 * j + 32 * (l / 4) + 4 * r + l % 4];
                    lo += (q & 0xF) * ylo[l];
                    hi += (q >> 4) * ylo[l + 32];
                }
                sumi += scales[2 * j] * lo + scales[2 * j + 1] * hi;
            }
            sum +=
                y[i].d * fp16ToFp32(x[i].d[r]) * static_cast<float>(sumi) -
                y[i].d * fp16ToFp32(x[i].dmin[r]) * static_cast<float>(minsTimesSums(mins, y[i]));
        }
        out[r] = sum;
    }
}

float dotQ5KScalar(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockQ5K*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    float sum = 0.0f;
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        std::uint8_t scales[8], mins[8];
        unpackScalesMinsK4(x[i].scales, scales, mins);
        std::int32_t sumi = 0;
        // Chunk j (64 values): low nibbles then high nibbles of qs[32j..], fifth bits 2j, 2j+1.
        for (int j = 0; j < 4; ++j) {
            const std::uint8_t* q = x[i].qs + 32 * j;
            const std::int8_t* ylo = y[i].qs + 64 * j;
            std::int32_t lo = 0, hi = 0;
            for (int l = 0; l < 32; ++l) {
                const int h = x[i].qh[l] >> (2 * j);
                lo += ((q[l] & 0xF) | ((h & 1) << 4)) * ylo[l];
                hi += ((q[l] >> 4) | ((h & 2) << 3)) * ylo[l + 32];
            }
            sumi += scales[2 * j] * lo + scales[2 * j + 1] * hi;
        }
        sum += y[i].d * fp16ToFp32(x[i].d) * static_cast<float>(sumi) -
               y[i].d * fp16ToFp32(x[i].dmin) * static_cast<float>(minsTimesSums(mins, y[i]));
    }
    return sum;
}

float dotQ6KScalar(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockQ6K*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    float sum = 0.0f;
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        // Value v of the block uses scale v / 16; see dequantizeQ6K for the bit positions.
        std::int8_t q[kQK];
        for (int h = 0; h < 2; ++h) {
            const std::uint8_t* ql = x[i].ql + 64 * h;
            const std::uint8_t* qh = x[i].qh + 32 * h;
            std::int8_t* qq = q + 128 * h;
            for (int l = 0; l < 32; ++l) {
                qq[l] = static_cast<std::int8_t>(((ql[l] & 0xF) | ((qh[l] & 3) << 4)) - 32);
                qq[l + 32] =
                    static_cast<std::int8_t>(((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
                qq[l + 64] =
                    static_cast<std::int8_t>(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
                qq[l + 96] =
                    static_cast<std::int8_t>(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
            }
        }
        std::int32_t sumi = 0;
        for (int g = 0; g < 16; ++g) {
            std::int32_t s = 0;
            for (int l = 0; l < 16; ++l) {
                s += q[16 * g + l] * y[i].qs[16 * g + l];
            }
            sumi += x[i].scales[g] * s;
        }
        sum += y[i].d * fp16ToFp32(x[i].d) * static_cast<float>(sumi);
    }
    return sum;
}

namespace {

// Q6_K's ql vectors (4 bytes) that hold the low bits of BlockQ6Kx8::q[h][0] and q[h][1].
constexpr int qlVectorQ6Kx8(int h, int which) {
    return h < 8 ? h + 8 * which : h + 8 + 8 * which;
}

// Level (0..63) of value v of row r in a BlockQ6Kx8: the inverse of repackQ6Kx8's placement.
int levelQ6Kx8(const BlockQ6Kx8& x, int r, int v) {
    const int k = v / 4;
    const int c = (k % 32) / 8; // bit pair of the qh byte
    const int h = k % 8 + (k < 32 ? 0 : 8);
    const int byte = 4 * r + v % 4;
    const std::uint8_t nibbles = x.q[h][c % 2][byte];
    const int low = c < 2 ? nibbles & 0xF : nibbles >> 4;
    const int high = (x.q[h][2][byte] >> (2 * c)) & 3;
    return low | (high << 4);
}

} // namespace

void repackQ6Kx8(const void* rows, std::size_t rowBytes, std::int64_t n, void* out) {
    auto* x8 = static_cast<BlockQ6Kx8*>(out);
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        BlockQ6Kx8& g = x8[i];
        for (int r = 0; r < 8; ++r) {
            const auto& x = reinterpret_cast<const BlockQ6K*>(
                static_cast<const std::byte*>(rows) + rowBytes * static_cast<std::size_t>(r))[i];
            g.d[r] = x.d;
            for (int s = 0; s < 16; ++s) {
                g.scales[16 * (s / 2) + 2 * r + s % 2] = x.scales[s];
            }
            for (int h = 0; h < 16; ++h) {
                std::memcpy(g.q[h][0] + 4 * r, x.ql + 4 * qlVectorQ6Kx8(h, 0), 4);
                std::memcpy(g.q[h][1] + 4 * r, x.ql + 4 * qlVectorQ6Kx8(h, 1), 4);
                std::memcpy(g.q[h][2] + 4 * r, x.qh + 4 * h, 4);
            }
        }
    }
}

// Row by row with the operations of dotQ6KScalar in the same order, so the two agree exactly.
void dotQ6Kx8Scalar(const void* w, const void* a, std::int64_t n, float* out) {
    const auto* x = static_cast<const BlockQ6Kx8*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    for (int r = 0; r < 8; ++r) {
        float sum = 0.0f;
        for (std::int64_t i = 0; i < n / kQK; ++i) {
            std::int32_t sumi = 0;
            for (int g = 0; g < 16; ++g) {
                std::int32_t s = 0;
                for (int l = 0; l < 16; ++l) {
                    s += (levelQ6Kx8(x[i], r, 16 * g + l) - 32) * y[i].qs[16 * g + l];
                }
                sumi += x[i].scales[16 * (g / 2) + 2 * r + g % 2] * s;
            }
            sum += y[i].d * fp16ToFp32(x[i].d[r]) * static_cast<float>(sumi);
        }
        out[r] = sum;
    }
}

float dotQ3KScalar(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockQ3K*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    float sum = 0.0f;
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        std::int8_t scales[16];
        unpackScalesQ3K(x[i].scales, scales);
        std::int32_t sumi = 0;
        // Chunk c = 4b + k (32 values): bits 2k..2k+1 of qs[32b..], high bit 4b+k of hmask.
        for (int c = 0; c < 8; ++c) {
            const int b = c / 4;
            const int k = c % 4;
            for (int half = 0; half < 2; ++half) {
                std::int32_t s = 0;
                for (int l = 16 * half; l < 16 * half + 16; ++l) {
                    const int low = (x[i].qs[32 * b + l] >> (2 * k)) & 3;
                    const int high = (x[i].hmask[l] >> (4 * b + k)) & 1;
                    s += (low - (high ? 0 : 4)) * y[i].qs[32 * c + l];
                }
                sumi += scales[2 * c + half] * s;
            }
        }
        sum += y[i].d * fp16ToFp32(x[i].d) * static_cast<float>(sumi);
    }
    return sum;
}

float dotQ2KScalar(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockQ2K*>(w);
    const auto* y = static_cast<const BlockQ8K*>(a);
    float sum = 0.0f;
    for (std::int64_t i = 0; i < n / kQK; ++i) {
        std::int32_t sumi = 0;
        std::int32_t summ = 0;
        for (int c = 0; c < 8; ++c) {
            const int b = c / 4;
            const int k = c % 4;
            for (int half = 0; half < 2; ++half) {
                std::int32_t s = 0;
                for (int l = 16 * half; l < 16 * half + 16; ++l) {
                    s += ((x[i].qs[32 * b + l] >> (2 * k)) & 3) * y[i].qs[32 * c + l];
                }
                const std::uint8_t sc = x[i].scales[2 * c + half];
                sumi += (sc & 0xF) * s;
                summ += (sc >> 4) * y[i].bsums[2 * c + half];
            }
        }
        sum += y[i].d * fp16ToFp32(x[i].d) * static_cast<float>(sumi) -
               y[i].d * fp16ToFp32(x[i].dmin) * static_cast<float>(summ);
    }
    return sum;
}

float dotQ8_0Scalar(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockQ8_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    float sum = 0.0f;
    for (std::int64_t i = 0; i < n / kQK32; ++i) {
        std::int32_t sumi = 0;
        for (int l = 0; l < 32; ++l) {
            sumi += x[i].qs[l] * y[i].qs[l];
        }
        sum += fp16ToFp32(x[i].d) * fp16ToFp32(y[i].d) * static_cast<float>(sumi);
    }
    return sum;
}

float dotQ4_0Scalar(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const BlockQ4_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    float sum = 0.0f;
    for (std::int64_t i = 0; i < n / kQK32; ++i) {
        std::int32_t sumi = 0;
        for (int l = 0; l < 16; ++l) {
            sumi += ((x[i].qs[l] & 0xF) - 8) * y[i].qs[l];
            sumi += ((x[i].qs[l] >> 4) - 8) * y[i].qs[l + 16];
        }
        sum += fp16ToFp32(x[i].d) * fp16ToFp32(y[i].d) * static_cast<float>(sumi);
    }
    return sum;
}

float dotF16Scalar(const void* w, const void* a, std::int64_t n) {
    const auto* x = static_cast<const std::uint16_t*>(w);
    const auto* y = static_cast<const float*>(a);
    // Independent partial sums so the compiler can vectorize without reassociating.
    float acc[8] = {};
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        for (int k = 0; k < 8; ++k) {
            acc[k] += fp16ToFp32(x[i + k]) * y[i + k];
        }
    }
    float sum = 0.0f;
    for (; i < n; ++i) {
        sum += fp16ToFp32(x[i]) * y[i];
    }
    for (float v : acc) {
        sum += v;
    }
    return sum;
}

void repackF16x8(const void* rows, std::size_t rowBytes, std::int64_t n, void* out) {
    auto* group = static_cast<std::uint16_t*>(out);
    for (std::int64_t c = 0; c < n / 8; ++c) {
        for (int r = 0; r < 8; ++r) {
            std::memcpy(group + 64 * c + 8 * r,
                        static_cast<const std::byte*>(rows) +
                            rowBytes * static_cast<std::size_t>(r) +
                            16 * static_cast<std::size_t>(c),
                        16);
        }
    }
}

// Row by row with the partial sums of dotF16Scalar, so the two agree exactly.
void dotF16x8Scalar(const void* w, const void* a, std::int64_t n, float* out) {
    const auto* x = static_cast<const std::uint16_t*>(w);
    const auto* y = static_cast<const float*>(a);
    for (int r = 0; r < 8; ++r) {
        float acc[8] = {};
        for (std::int64_t c = 0; c < n / 8; ++c) {
            for (int k = 0; k < 8; ++k) {
                acc[k] += fp16ToFp32(x[64 * c + 8 * r + k]) * y[8 * c + k];
            }
        }
        float sum = 0.0f;
        for (float v : acc) {
            sum += v;
        }
        out[r] = sum;
    }
}

void repackQ8_0x8(const void* rows, std::size_t rowBytes, std::int64_t n, void* out) {
    auto* x8 = static_cast<BlockQ8_0x8*>(out);
    for (std::int64_t i = 0; i < n / kQK32; ++i) {
        for (int r = 0; r < 8; ++r) {
            const auto& x = reinterpret_cast<const BlockQ8_0*>(
                static_cast<const std::byte*>(rows) + rowBytes * static_cast<std::size_t>(r))[i];
            x8[i].d[r] = x.d;
            for (int g = 0; g < 8; ++g) {
                std::memcpy(x8[i].qs[g] + 4 * r, x.qs + 4 * g, 4);
            }
        }
    }
}

// Row by row with the operations of dotQ8_0Scalar in the same order, so the two agree exactly.
void dotQ8_0x8Scalar(const void* w, const void* a, std::int64_t n, float* out) {
    const auto* x = static_cast<const BlockQ8_0x8*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    for (int r = 0; r < 8; ++r) {
        float sum = 0.0f;
        for (std::int64_t i = 0; i < n / kQK32; ++i) {
            std::int32_t sumi = 0;
            for (int l = 0; l < 32; ++l) {
                sumi += x[i].qs[l / 4][4 * r + l % 4] * y[i].qs[l];
            }
            sum += fp16ToFp32(x[i].d[r]) * fp16ToFp32(y[i].d) * static_cast<float>(sumi);
        }
        out[r] = sum;
    }
}

} // namespace qs::core::vecdot
