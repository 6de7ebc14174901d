#include "core/eval/vec_dot_avx2_common.h"

#if defined(QS_VEC_DOT_AVX2)

#include "core/quant/block_types.h"

#include <algorithm>

// AVX2 tiles: one group of 8 repacked rows against several inputs. Each weight block is loaded
// and decoded once per tile of inputs instead of once per input; for every input the integer
// sums, their scaling and the float accumulation are the 8-row kernel's (vec_dot_avx2.cpp)
// operations in the same order, so every result has exactly that kernel's bits.
namespace qs::core::vecdot {

using namespace qs::core::quant;
using avx2::broadcast4;

namespace {

QS_AVX2_INLINE __m256i load256(const void* p) {
    return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}

QS_AVX2_INLINE __m128i load128(const void* p) {
    return _mm_loadu_si128(static_cast<const __m128i*>(p));
}

// Input t's Q8_K block i.
QS_AVX2_INLINE const BlockQ8K* q8kBlock(const void* a, std::size_t stride, int t, std::int64_t i) {
    return reinterpret_cast<const BlockQ8K*>(static_cast<const std::byte*>(a) +
                                             stride * static_cast<std::size_t>(t)) +
           i;
}

// dotQ4Kx8Avx2 for T inputs.
template <int T>
QS_AVX2_INLINE void q4kTile(const BlockQ4Kx8* x, const void* a, std::size_t stride,
                            std::int64_t blocks, float* out, std::int64_t outStride) {
    const __m256i lowNibble = _mm256_set1_epi8(0x0F);
    const __m256i evenScale =
        _mm256_setr_epi8(0, -1, 0, -1, 1, -1, 1, -1, 2, -1, 2, -1, 3, -1, 3, -1, 4, -1, 4, -1, 5,
                         -1, 5, -1, 6, -1, 6, -1, 7, -1, 7, -1);
    const __m256i oddScale = _mm256_add_epi8(evenScale, _mm256_set1_epi16(8));
    __m256 acc[T], accMin[T];
    for (int t = 0; t < T; ++t) {
        acc[t] = _mm256_setzero_ps();
        accMin[t] = _mm256_setzero_ps();
    }
    for (std::int64_t i = 0; i < blocks; ++i) {
        const auto [scales03, scales47, mins03, mins47] = avx2::unpackScalesMinsQ4Kx8(x[i].scales);
        const __m256i scalePairs[4] = {_mm256_permute2x128_si256(scales03, scales03, 0x00),
                                       _mm256_permute2x128_si256(scales03, scales03, 0x11),
                                       _mm256_permute2x128_si256(scales47, scales47, 0x00),
                                       _mm256_permute2x128_si256(scales47, scales47, 0x11)};
        const std::int8_t* act[T];
        for (int t = 0; t < T; ++t) {
            act[t] = q8kBlock(a, stride, t, i)->qs;
        }
        const std::uint8_t* qs = x[i].qs;
        __m256i sumi[T];
        for (int t = 0; t < T; ++t) {
            sumi[t] = _mm256_setzero_si256();
        }
        for (int j = 0; j < 4; ++j) {
            __m256i sumLow[T], sumHigh[T];
            for (int t = 0; t < T; ++t) {
                sumLow[t] = _mm256_setzero_si256();
                sumHigh[t] = _mm256_setzero_si256();
            }
            for (int g = 0; g < 8; ++g) {
                const __m256i q = load256(qs + 256 * j + 32 * g);
                const __m256i lo = _mm256_and_si256(q, lowNibble);
                const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), lowNibble);
                for (int t = 0; t < T; ++t) {
                    sumLow[t] = _mm256_add_epi16(
                        sumLow[t], _mm256_maddubs_epi16(lo, broadcast4(act[t] + 64 * j + 4 * g)));
                    sumHigh[t] = _mm256_add_epi16(
                        sumHigh[t],
                        _mm256_maddubs_epi16(hi, broadcast4(act[t] + 64 * j + 32 + 4 * g)));
                }
            }
            const __m256i even = _mm256_shuffle_epi8(scalePairs[j], evenScale);
            const __m256i odd = _mm256_shuffle_epi8(scalePairs[j], oddScale);
            for (int t = 0; t < T; ++t) {
                sumi[t] =
                    _mm256_add_epi32(sumi[t], _mm256_add_epi32(_mm256_madd_epi16(sumLow[t], even),
                                                               _mm256_madd_epi16(sumHigh[t], odd)));
            }
        }
        const __m256i pairs03 = _mm256_unpacklo_epi8(mins03, _mm256_srli_si256(mins03, 8));
        const __m256i pairs47 = _mm256_unpacklo_epi8(mins47, _mm256_srli_si256(mins47, 8));
        const __m256i minPairs[4] = {_mm256_cvtepu8_epi16(_mm256_castsi256_si128(pairs03)),
                                     _mm256_cvtepu8_epi16(_mm256_extracti128_si256(pairs03, 1)),
                                     _mm256_cvtepu8_epi16(_mm256_castsi256_si128(pairs47)),
                                     _mm256_cvtepu8_epi16(_mm256_extracti128_si256(pairs47, 1))};
        const __m256 d = _mm256_cvtph_ps(load128(x[i].d));
        const __m256 dmin = _mm256_cvtph_ps(load128(x[i].dmin));
        for (int t = 0; t < T; ++t) {
            const BlockQ8K* y = q8kBlock(a, stride, t, i);
            const __m256i sums32 = _mm256_broadcastsi128_si256(
                _mm_hadd_epi16(load128(y->bsums), load128(y->bsums + 8)));
            __m256i mins = _mm256_madd_epi16(minPairs[0], _mm256_shuffle_epi32(sums32, 0x00));
            mins = _mm256_add_epi32(
                mins, _mm256_madd_epi16(minPairs[1], _mm256_shuffle_epi32(sums32, 0x55)));
            mins = _mm256_add_epi32(
                mins, _mm256_madd_epi16(minPairs[2], _mm256_shuffle_epi32(sums32, 0xAA)));
            mins = _mm256_add_epi32(
                mins, _mm256_madd_epi16(minPairs[3], _mm256_shuffle_epi32(sums32, 0xFF)));
            const __m256 yd = _mm256_set1_ps(y->d);
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(d, yd), _mm256_cvtepi32_ps(sumi[t]), acc[t]);
            accMin[t] =
                _mm256_fmadd_ps(_mm256_mul_ps(dmin, yd), _mm256_cvtepi32_ps(mins), accMin[t]);
        }
    }
    for (int t = 0; t < T; ++t) {
        _mm256_storeu_ps(out + outStride * t, _mm256_sub_ps(acc[t], accMin[t]));
    }
}

// dotQ6Kx8Avx2 for T inputs.
template <int T>
QS_AVX2_INLINE void q6kTile(const BlockQ6Kx8* x, const void* a, std::size_t stride,
                            std::int64_t blocks, float* out, std::int64_t outStride) {
    const __m256i evenScale = _mm256_setr_epi8(0, 1, 0, 1, 4, 5, 4, 5, 8, 9, 8, 9, 12, 13, 12, 13,
                                               0, 1, 0, 1, 4, 5, 4, 5, 8, 9, 8, 9, 12, 13, 12, 13);
    const __m256i oddScale = _mm256_add_epi8(evenScale, _mm256_set1_epi8(2));
    __m256 acc[T];
    for (int t = 0; t < T; ++t) {
        acc[t] = _mm256_setzero_ps();
    }
    for (std::int64_t i = 0; i < blocks; ++i) {
        const std::int8_t* scales = x[i].scales;
        const std::int8_t* act[T];
        __m256i sumi[T];
        for (int t = 0; t < T; ++t) {
            act[t] = q8kBlock(a, stride, t, i)->qs;
            sumi[t] = _mm256_setzero_si256();
        }
        for (int m = 0; m < 4; ++m) {
            const int firstScale = m < 2 ? m : m + 6;
            __m256i scale[4];
            for (int c = 0; c < 4; ++c) {
                const int s = firstScale + 2 * c;
                const __m256i pairs = _mm256_cvtepi8_epi16(load128(scales + 16 * (s / 2)));
                scale[c] = _mm256_shuffle_epi8(pairs, s % 2 ? oddScale : evenScale);
            }
            for (int half = 0; half < 2; ++half) {
                // Both entries' levels, decoded once for all T inputs.
                __m256i level[2][4];
                for (int e = 0; e < 2; ++e) {
                    const int h = 4 * m + 2 * half + e;
                    avx2::levelsQ6Kx8(load256(x[i].q[h][0]), load256(x[i].q[h][1]),
                                      load256(x[i].q[h][2]), level[e]);
                }
                const int h0 = 4 * m + 2 * half;
                const int k0 = h0 < 8 ? h0 : h0 + 24; // entry h0 + 1 starts at k0 + 1
                for (int t = 0; t < T; ++t) {
                    for (int c = 0; c < 4; ++c) {
                        const __m256i sum16 = _mm256_add_epi16(
                            _mm256_maddubs_epi16(level[0][c],
                                                 broadcast4(act[t] + 4 * (k0 + 8 * c))),
                            _mm256_maddubs_epi16(level[1][c],
                                                 broadcast4(act[t] + 4 * (k0 + 1 + 8 * c))));
                        sumi[t] = _mm256_add_epi32(sumi[t], _mm256_madd_epi16(sum16, scale[c]));
                    }
                }
            }
        }
        __m256i scales16[8];
        for (int p = 0; p < 8; ++p) {
            scales16[p] = _mm256_cvtepi8_epi16(load128(scales + 16 * p));
        }
        const __m256 d = _mm256_cvtph_ps(load128(x[i].d));
        for (int t = 0; t < T; ++t) {
            const BlockQ8K* y = q8kBlock(a, stride, t, i);
            __m256i offset = _mm256_setzero_si256();
            for (int p = 0; p < 8; ++p) {
                offset = _mm256_add_epi32(
                    offset,
                    _mm256_madd_epi16(scales16[p], broadcast4(reinterpret_cast<const std::int8_t*>(
                                                       y->bsums + 2 * p))));
            }
            const __m256i s = _mm256_sub_epi32(sumi[t], _mm256_slli_epi32(offset, 5));
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(d, _mm256_set1_ps(y->d)), _mm256_cvtepi32_ps(s),
                                     acc[t]);
        }
    }
    for (int t = 0; t < T; ++t) {
        _mm256_storeu_ps(out + outStride * t, acc[t]);
    }
}

// dotQ8_0x8Avx2 for T inputs: |w| once per tile, w's sign moved onto each input's bytes.
template <int T>
QS_AVX2_INLINE void q8_0Tile(const BlockQ8_0x8* x, const void* a, std::size_t stride,
                             std::int64_t blocks, float* out, std::int64_t outStride) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[T];
    for (int t = 0; t < T; ++t) {
        acc[t] = _mm256_setzero_ps();
    }
    for (std::int64_t i = 0; i < blocks; ++i) {
        const BlockQ8_0* y[T];
        __m256i sumi[T];
        for (int t = 0; t < T; ++t) {
            y[t] = reinterpret_cast<const BlockQ8_0*>(static_cast<const std::byte*>(a) +
                                                      stride * static_cast<std::size_t>(t)) +
                   i;
            sumi[t] = _mm256_setzero_si256();
        }
        for (int g = 0; g < 8; ++g) {
            const __m256i q = load256(x[i].qs[g]);
            const __m256i magnitude = _mm256_abs_epi8(q);
            for (int t = 0; t < T; ++t) {
                const __m256i p = _mm256_maddubs_epi16(
                    magnitude, _mm256_sign_epi8(broadcast4(y[t]->qs + 4 * g), q));
                sumi[t] = _mm256_add_epi32(sumi[t], _mm256_madd_epi16(p, ones));
            }
        }
        const __m256 d = _mm256_cvtph_ps(load128(x[i].d));
        for (int t = 0; t < T; ++t) {
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(d, _mm256_set1_ps(_cvtsh_ss(y[t]->d))),
                                     _mm256_cvtepi32_ps(sumi[t]), acc[t]);
        }
    }
    for (int t = 0; t < T; ++t) {
        _mm256_storeu_ps(out + outStride * t, acc[t]);
    }
}

// Runs Tile<T> over the inputs in tiles of kMax, the last one smaller.
template <int kMax, template <int> class Tile, class Block, int kBlockValues = kQK>
QS_AVX2_INLINE void runTiles(const void* w, const void* a, std::size_t stride, std::int64_t inputs,
                             std::int64_t n, float* out, std::int64_t outStride) {
    const auto* x = static_cast<const Block*>(w);
    const auto* act = static_cast<const std::byte*>(a);
    for (std::int64_t t0 = 0; t0 < inputs; t0 += kMax) {
        const std::int64_t count = std::min<std::int64_t>(kMax, inputs - t0);
        Tile<kMax>::dispatch(count, x, act + stride * static_cast<std::size_t>(t0), stride,
                             n / kBlockValues, out + outStride * t0, outStride);
    }
}

// Picks the instantiation for a tile of `count` <= T inputs.
template <int T>
struct Q4KTile {
    QS_AVX2_INLINE static void dispatch(std::int64_t count, const BlockQ4Kx8* x, const void* a,
                                        std::size_t stride, std::int64_t blocks, float* out,
                                        std::int64_t outStride) {
        if (count == T) {
            q4kTile<T>(x, a, stride, blocks, out, outStride);
        } else if constexpr (T > 1) {
            Q4KTile<T - 1>::dispatch(count, x, a, stride, blocks, out, outStride);
        }
    }
};

template <int T>
struct Q6KTile {
    QS_AVX2_INLINE static void dispatch(std::int64_t count, const BlockQ6Kx8* x, const void* a,
                                        std::size_t stride, std::int64_t blocks, float* out,
                                        std::int64_t outStride) {
        if (count == T) {
            q6kTile<T>(x, a, stride, blocks, out, outStride);
        } else if constexpr (T > 1) {
            Q6KTile<T - 1>::dispatch(count, x, a, stride, blocks, out, outStride);
        }
    }
};

template <int T>
struct Q8_0Tile {
    QS_AVX2_INLINE static void dispatch(std::int64_t count, const BlockQ8_0x8* x, const void* a,
                                        std::size_t stride, std::int64_t blocks, float* out,
                                        std::int64_t outStride) {
        if (count == T) {
            q8_0Tile<T>(x, a, stride, blocks, out, outStride);
        } else if constexpr (T > 1) {
            Q8_0Tile<T - 1>::dispatch(count, x, a, stride, blocks, out, outStride);
        }
    }
};

} // namespace

// Four inputs: 8 int16 sums, the decoded nibbles and a broadcast fill the 16 registers.
QS_AVX2 void dotQ4Kx8TileAvx2(const void* w, const void* a, std::size_t stride, std::int64_t inputs,
                              std::int64_t n, float* out, std::int64_t outStride) {
    runTiles<4, Q4KTile, BlockQ4Kx8>(w, a, stride, inputs, n, out, outStride);
}

QS_AVX2 void dotQ6Kx8TileAvx2(const void* w, const void* a, std::size_t stride, std::int64_t inputs,
                              std::int64_t n, float* out, std::int64_t outStride) {
    runTiles<4, Q6KTile, BlockQ6Kx8>(w, a, stride, inputs, n, out, outStride);
}

QS_AVX2 void dotQ8_0x8TileAvx2(const void* w, const void* a, std::size_t stride,
                               std::int64_t inputs, std::int64_t n, float* out,
                               std::int64_t outStride) {
    runTiles<4, Q8_0Tile, BlockQ8_0x8, kQK32>(w, a, stride, inputs, n, out, outStride);
}

// No F16 tile: the 8-row kernel already keeps both 256-bit FMA pipes busy (8 independent
// sums); a tile that converted a panel once per 16 inputs measured ~10% slower here (48 vs 54
// GMAC/s on one thread, 1024 x 2048 weights by 512 inputs). AVX-512 has the registers for it.

} // namespace qs::core::vecdot

#endif
