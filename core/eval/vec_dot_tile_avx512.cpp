#include "core/eval/vec_dot_avx2_common.h"

#if defined(QS_VEC_DOT_AVX512)

#include "core/quant/block_types.h"

#include <algorithm>

// AVX-512 tiles (with VNNI for the k-quants), for CPUs that vec_dot.cpp finds have them. Each
// result has exactly the bits of the AVX2 8-row kernel (vec_dot_avx2.cpp): the integer sums of
// every (row, scale) are the same integers, and the float operations per input and row are the
// same operations in the same order; only the way the integers are formed differs.
//
// Lanes: a 512-bit vector holds two 32-bit lanes per row (2r and 2r + 1). The repacked groups
// keep 4 bytes of a row per 32-bit lane, rows 0..7 in turn (vec_dot_kernels.h), so two such
// 32-byte vectors that take consecutive activation bytes are interleaved once per tile; then
// one 8-byte activation broadcast serves both lanes of every row and _mm512_dpbusd_epi32 adds
// 4 products per lane with no 16-bit step.
#define QS_AVX512                                                                                  \
    __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx2,fma,f16c")))
#define QS_AVX512_INLINE                                                                           \
    inline __attribute__((always_inline, target("avx512f,avx512bw,avx512vl,avx512dq,"              \
                                                "avx512vnni,avx2,fma,f16c")))

namespace qs::core::vecdot {

using namespace qs::core::quant;

namespace {

QS_AVX512_INLINE __m256i load256(const void* p) {
    return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}

QS_AVX512_INLINE __m128i load128(const void* p) {
    return _mm_loadu_si128(static_cast<const __m128i*>(p));
}

// Activation bytes k..k+7 in every 64-bit lane: k..k+3 in lane 2r, k+4..k+7 in lane 2r + 1.
QS_AVX512_INLINE __m512i broadcast8(const std::int8_t* p) {
    std::int64_t v;
    std::memcpy(&v, p, sizeof(v));
    return _mm512_set1_epi64(v);
}

// Row r's lane of `first` to lane 2r, of `second` to lane 2r + 1.
QS_AVX512_INLINE __m512i interleaveRows(__m256i first, __m256i second) {
    const __m512i index = _mm512_setr_epi32(0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15);
    return _mm512_permutexvar_epi32(index,
                                    _mm512_inserti64x4(_mm512_castsi256_si512(first), second, 1));
}

// A 16-bit scale per row (low half of 32-bit lane r, high half ignored) in the low halves of
// lanes 2r and 2r + 1, high halves 0: _mm512_madd_epi16 of a lane whose value fits in 16 bits
// (its high half then only repeats the sign) with it is value * scale.
QS_AVX512_INLINE __m512i rowScales(__m256i scales) {
    const __m512i index = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    return _mm512_permutexvar_epi32(
        index, _mm512_castsi256_si512(_mm256_and_si256(scales, _mm256_set1_epi32(0xFFFF))));
}

// Lane r: lanes 2r + 2r + 1.
QS_AVX512_INLINE __m256i sumLanePairs(__m512i v) {
    return _mm512_cvtepi64_epi32(_mm512_add_epi64(v, _mm512_srli_epi64(v, 32)));
}

QS_AVX512_INLINE const BlockQ8K* q8kBlock(const void* a, std::size_t stride, int t,
                                          std::int64_t i) {
    return reinterpret_cast<const BlockQ8K*>(static_cast<const std::byte*>(a) +
                                             stride * static_cast<std::size_t>(t)) +
           i;
}

// dotQ4Kx8Avx2 for T inputs. A sub-block's sum per lane is at most 16 * 15 * 127 < 2^15, as
// in the AVX2 kernel's 16-bit sums, so the scale is applied by _mm512_madd_epi16.
template <int T>
QS_AVX512_INLINE void q4kTile(const BlockQ4Kx8* x, const void* a, std::size_t stride,
                              std::int64_t blocks, float* out, std::int64_t outStride) {
    const __m512i lowNibble = _mm512_set1_epi8(0x0F);
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
        __m512i sumi[T];
        for (int t = 0; t < T; ++t) {
            act[t] = q8kBlock(a, stride, t, i)->qs;
            sumi[t] = _mm512_setzero_si512();
        }
        for (int j = 0; j < 4; ++j) {
            // Quads 2k and 2k + 1 of chunk j: the activations 64j + 8k.. (low nibbles) and
            // 64j + 32 + 8k.. (high nibbles).
            __m512i lo[4], hi[4];
            for (int k = 0; k < 4; ++k) {
                const std::uint8_t* q = x[i].qs + 256 * j + 64 * k;
                const __m512i v = interleaveRows(load256(q), load256(q + 32));
                lo[k] = _mm512_and_si512(v, lowNibble);
                hi[k] = _mm512_and_si512(_mm512_srli_epi16(v, 4), lowNibble);
            }
            const __m512i even = rowScales(_mm256_shuffle_epi8(scalePairs[j], evenScale));
            const __m512i odd = rowScales(_mm256_shuffle_epi8(scalePairs[j], oddScale));
            for (int t = 0; t < T; ++t) {
                __m512i sumLow = _mm512_setzero_si512();
                __m512i sumHigh = _mm512_setzero_si512();
                for (int k = 0; k < 4; ++k) {
                    sumLow =
                        _mm512_dpbusd_epi32(sumLow, lo[k], broadcast8(act[t] + 64 * j + 8 * k));
                    sumHigh = _mm512_dpbusd_epi32(sumHigh, hi[k],
                                                  broadcast8(act[t] + 64 * j + 32 + 8 * k));
                }
                sumi[t] =
                    _mm512_add_epi32(sumi[t], _mm512_add_epi32(_mm512_madd_epi16(sumLow, even),
                                                               _mm512_madd_epi16(sumHigh, odd)));
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
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(d, yd),
                                     _mm256_cvtepi32_ps(sumLanePairs(sumi[t])), acc[t]);
            accMin[t] =
                _mm256_fmadd_ps(_mm256_mul_ps(dmin, yd), _mm256_cvtepi32_ps(mins), accMin[t]);
        }
    }
    for (int t = 0; t < T; ++t) {
        _mm256_storeu_ps(out + outStride * t, _mm256_sub_ps(acc[t], accMin[t]));
    }
}

// dotQ6Kx8Avx2 for T inputs. Entries h and h + 1 of a pair hold level vectors k and k + 1
// with the same scale and consecutive activations, so they share a 512-bit vector; a lane's
// sum is at most 4 * 63 * 127 < 2^15.
template <int T>
QS_AVX512_INLINE void q6kTile(const BlockQ6Kx8* x, const void* a, std::size_t stride,
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
        __m512i sumi[T];
        for (int t = 0; t < T; ++t) {
            act[t] = q8kBlock(a, stride, t, i)->qs;
            sumi[t] = _mm512_setzero_si512();
        }
        for (int m = 0; m < 4; ++m) {
            const int firstScale = m < 2 ? m : m + 6;
            __m512i scale[4];
            for (int c = 0; c < 4; ++c) {
                const int s = firstScale + 2 * c;
                const __m256i pairs = _mm256_cvtepi8_epi16(load128(scales + 16 * (s / 2)));
                scale[c] = rowScales(_mm256_shuffle_epi8(pairs, s % 2 ? oddScale : evenScale));
            }
            for (int half = 0; half < 2; ++half) {
                const int h = 4 * m + 2 * half;
                __m256i first[4], second[4];
                avx2::levelsQ6Kx8(load256(x[i].q[h][0]), load256(x[i].q[h][1]),
                                  load256(x[i].q[h][2]), first);
                avx2::levelsQ6Kx8(load256(x[i].q[h + 1][0]), load256(x[i].q[h + 1][1]),
                                  load256(x[i].q[h + 1][2]), second);
                __m512i level[4];
                for (int c = 0; c < 4; ++c) {
                    level[c] = interleaveRows(first[c], second[c]);
                }
                const int k0 = h < 8 ? h : h + 24;
                for (int t = 0; t < T; ++t) {
                    for (int c = 0; c < 4; ++c) {
                        const __m512i sum =
                            _mm512_dpbusd_epi32(_mm512_setzero_si512(), level[c],
                                                broadcast8(act[t] + 4 * (k0 + 8 * c)));
                        sumi[t] = _mm512_add_epi32(sumi[t], _mm512_madd_epi16(sum, scale[c]));
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
                    offset, _mm256_madd_epi16(scales16[p],
                                              avx2::broadcast4(reinterpret_cast<const std::int8_t*>(
                                                  y->bsums + 2 * p))));
            }
            const __m256i s = _mm256_sub_epi32(sumLanePairs(sumi[t]), _mm256_slli_epi32(offset, 5));
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(d, _mm256_set1_ps(y->d)), _mm256_cvtepi32_ps(s),
                                     acc[t]);
        }
    }
    for (int t = 0; t < T; ++t) {
        _mm256_storeu_ps(out + outStride * t, acc[t]);
    }
}

// dotQ8_0x8Avx2 for T inputs. VNNI multiplies unsigned by signed bytes, so the weights are
// taken + 128 (their top bit flipped, once per tile) and 128 times each input's block sum is
// taken off again: the same integer per row and block.
template <int T>
QS_AVX512_INLINE void q8_0Tile(const BlockQ8_0x8* x, const void* a, std::size_t stride,
                               std::int64_t blocks, float* out, std::int64_t outStride) {
    const __m512i topBit = _mm512_set1_epi8(static_cast<char>(0x80));
    __m256 acc[T];
    for (int t = 0; t < T; ++t) {
        acc[t] = _mm256_setzero_ps();
    }
    for (std::int64_t i = 0; i < blocks; ++i) {
        __m512i biased[4];
        for (int k = 0; k < 4; ++k) {
            biased[k] = _mm512_xor_si512(
                interleaveRows(load256(x[i].qs[2 * k]), load256(x[i].qs[2 * k + 1])), topBit);
        }
        const __m256 d = _mm256_cvtph_ps(load128(x[i].d));
        for (int t = 0; t < T; ++t) {
            const BlockQ8_0* y =
                reinterpret_cast<const BlockQ8_0*>(static_cast<const std::byte*>(a) +
                                                   stride * static_cast<std::size_t>(t)) +
                i;
            __m512i sum = _mm512_setzero_si512();
            for (int k = 0; k < 4; ++k) {
                sum = _mm512_dpbusd_epi32(sum, biased[k], broadcast8(y->qs + 8 * k));
            }
            const int offset = avx2::horizontalSum(_mm256_dpbusd_epi32(
                _mm256_setzero_si256(), _mm512_castsi512_si256(topBit), load256(y->qs)));
            const __m256i sumi = _mm256_sub_epi32(sumLanePairs(sum), _mm256_set1_epi32(offset));
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(d, _mm256_set1_ps(_cvtsh_ss(y->d))),
                                     _mm256_cvtepi32_ps(sumi), acc[t]);
        }
    }
    for (int t = 0; t < T; ++t) {
        _mm256_storeu_ps(out + outStride * t, acc[t]);
    }
}

template <int T>
struct Q8_0Tile {
    QS_AVX512_INLINE static void dispatch(std::int64_t count, const BlockQ8_0x8* x, const void* a,
                                          std::size_t stride, std::int64_t blocks, float* out,
                                          std::int64_t outStride) {
        if (count == T) {
            q8_0Tile<T>(x, a, stride, blocks, out, outStride);
        } else if constexpr (T > 1) {
            Q8_0Tile<T - 1>::dispatch(count, x, a, stride, blocks, out, outStride);
        }
    }
};

template <int T>
struct Q4KTile {
    QS_AVX512_INLINE static void dispatch(std::int64_t count, const BlockQ4Kx8* x, const void* a,
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
    QS_AVX512_INLINE static void dispatch(std::int64_t count, const BlockQ6Kx8* x, const void* a,
                                          std::size_t stride, std::int64_t blocks, float* out,
                                          std::int64_t outStride) {
        if (count == T) {
            q6kTile<T>(x, a, stride, blocks, out, outStride);
        } else if constexpr (T > 1) {
            Q6KTile<T - 1>::dispatch(count, x, a, stride, blocks, out, outStride);
        }
    }
};

template <int kMax, template <int> class Tile, class Block, int kBlockValues = kQK>
QS_AVX512_INLINE void runTiles(const void* w, const void* a, std::size_t stride,
                               std::int64_t inputs, std::int64_t n, float* out,
                               std::int64_t outStride) {
    const auto* x = static_cast<const Block*>(w);
    const auto* act = static_cast<const std::byte*>(a);
    for (std::int64_t t0 = 0; t0 < inputs; t0 += kMax) {
        const std::int64_t count = std::min<std::int64_t>(kMax, inputs - t0);
        Tile<kMax>::dispatch(count, x, act + stride * static_cast<std::size_t>(t0), stride,
                             n / kBlockValues, out + outStride * t0, outStride);
    }
}

// T inputs (their 8 x 8 partial row sums at keep + 64t, row r's 8 lanes at 8r) over one
// converted panel of `width` chunks. A vector holds rows 2p and 2p + 1 of a chunk, each lane
// still the column of the AVX2 kernel's lane, so the chain of multiply-adds per row and lane
// is dotF16x8Avx2's; each input's chunk is broadcast to both halves.
template <int T>
QS_AVX512_INLINE void f16Inputs(const float* panel, int width, const float* const* y, float* keep,
                                bool first) {
    __m512 acc[T][4];
    for (int t = 0; t < T; ++t) {
        for (int p = 0; p < 4; ++p) {
            acc[t][p] = first ? _mm512_setzero_ps() : _mm512_load_ps(keep + 64 * t + 16 * p);
        }
    }
    for (int c = 0; c < width; ++c) {
        __m512 wc[4];
        for (int p = 0; p < 4; ++p) {
            wc[p] = _mm512_load_ps(panel + 64 * c + 16 * p);
        }
        for (int t = 0; t < T; ++t) {
            const __m512 yc = _mm512_broadcast_f32x8(_mm256_loadu_ps(y[t] + 8 * c));
            for (int p = 0; p < 4; ++p) {
                acc[t][p] = _mm512_fmadd_ps(wc[p], yc, acc[t][p]);
            }
        }
    }
    for (int t = 0; t < T; ++t) {
        for (int p = 0; p < 4; ++p) {
            _mm512_store_ps(keep + 64 * t + 16 * p, acc[t][p]);
        }
    }
}

template <int T>
struct F16Inputs {
    QS_AVX512_INLINE static void dispatch(int count, const float* panel, int width,
                                          const float* const* y, float* keep, bool first) {
        if (count == T) {
            f16Inputs<T>(panel, width, y, keep, first);
        } else if constexpr (T > 1) {
            F16Inputs<T - 1>::dispatch(count, panel, width, y, keep, first);
        }
    }
};

} // namespace

// Twelve inputs: 12 sums, 8 decoded vectors and the scales fit the 32 registers (12 measured
// ~5-10% faster than 8 for Q4_K and Q6_K here).
QS_AVX512 void dotQ4Kx8TileAvx512(const void* w, const void* a, std::size_t stride,
                                  std::int64_t inputs, std::int64_t n, float* out,
                                  std::int64_t outStride) {
    runTiles<12, Q4KTile, BlockQ4Kx8>(w, a, stride, inputs, n, out, outStride);
}

QS_AVX512 void dotQ6Kx8TileAvx512(const void* w, const void* a, std::size_t stride,
                                  std::int64_t inputs, std::int64_t n, float* out,
                                  std::int64_t outStride) {
    runTiles<12, Q6KTile, BlockQ6Kx8>(w, a, stride, inputs, n, out, outStride);
}

QS_AVX512 void dotQ8_0x8TileAvx512(const void* w, const void* a, std::size_t stride,
                                   std::int64_t inputs, std::int64_t n, float* out,
                                   std::int64_t outStride) {
    runTiles<8, Q8_0Tile, BlockQ8_0x8, kQK32>(w, a, stride, inputs, n, out, outStride);
}

// F16: a panel of the group's columns is converted to floats once (kF16PanelChunks chunks of
// 8 columns) and then serves every input of a block of kF16Inputs, whose 8 row sums per input
// live in accF16 between panels; per input and row this is dotF16x8Avx2's chain of
// multiply-adds in the same order on the same values. Six inputs at a time: 24 sums, the panel's 4
// vectors of a chunk and a broadcast input fill 29 of the 32 registers, so each panel load feeds
// six multiply-adds.
QS_AVX512 void dotF16x8TileAvx512(const void* w, const void* a, std::size_t stride,
                                  std::int64_t inputs, std::int64_t n, float* out,
                                  std::int64_t outStride) {
    constexpr int kInputsPerPass = 6;
    const auto* x = static_cast<const std::uint16_t*>(w);
    const auto* act = static_cast<const std::byte*>(a);
    const std::int64_t chunks = n / 8;
    alignas(64) float panel[kF16PanelChunks * 64];
    alignas(64) float accF16[kF16Inputs * 64];
    for (std::int64_t t0 = 0; t0 < inputs; t0 += kF16Inputs) {
        const int count = static_cast<int>(std::min<std::int64_t>(kF16Inputs, inputs - t0));
        for (std::int64_t c0 = 0; c0 < chunks; c0 += kF16PanelChunks) {
            const int width =
                static_cast<int>(std::min<std::int64_t>(kF16PanelChunks, chunks - c0));
            for (int c = 0; c < width; ++c) {
                for (int r = 0; r < 8; ++r) {
                    _mm256_store_ps(panel + 64 * c + 8 * r,
                                    _mm256_cvtph_ps(load128(x + 64 * (c0 + c) + 8 * r)));
                }
            }
            const float* y[kF16Inputs];
            for (int t = 0; t < count; ++t) {
                y[t] = reinterpret_cast<const float*>(act +
                                                      stride * static_cast<std::size_t>(t0 + t)) +
                       8 * c0;
            }
            for (int t = 0; t < count; t += kInputsPerPass) {
                F16Inputs<kInputsPerPass>::dispatch(std::min(kInputsPerPass, count - t), panel,
                                                    width, y + t, accF16 + 64 * t, c0 == 0);
            }
        }
        for (int t = 0; t < count; ++t) {
            __m256 accRow[8];
            for (int r = 0; r < 8; ++r) {
                accRow[r] =
                    chunks == 0 ? _mm256_setzero_ps() : _mm256_load_ps(accF16 + 64 * t + 8 * r);
            }
            _mm256_storeu_ps(out + outStride * (t0 + t), avx2::sumRows8(accRow));
        }
    }
}

// Row tiles (VecDotTileFn): one weight row against T inputs, each result with exactly the bits
// of the AVX2 row kernel (dotQ5KAvx2, dotQ3KAvx2, dotQ2KAvx2). Lanes: a 512-bit vector holds
// two of that kernel's 32-byte chunks (low and high 256 bits), whose activations are 64
// consecutive bytes; _mm512_dpwssd_epi32 adds each lane's scaled pair sums as the kernel's
// _mm256_madd_epi16 and _mm256_add_epi32 do, and adding the two halves once per block gives
// the kernel's 8 int32 lanes, the same integers (the 16-bit pair sums stay below 2^15 as in
// the kernel, and neither instruction saturates). The float operations per input are the
// kernel's in its order (helpers shared through vec_dot_avx2_common.h), so the bits match.
namespace {

QS_AVX512_INLINE __m512i load512(const void* p) {
    return _mm512_loadu_si512(p);
}

// The kernel's 8 int32 lanes: the low and high halves added.
QS_AVX512_INLINE __m256i foldHalves(__m512i v) {
    return _mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
}

// Two chunks' levels and scales (512 bits each) against T inputs' 64 activation bytes at
// offset `at` of their block i: sumi[t] += scaled pair sums.
template <int T>
QS_AVX512_INLINE void addChunkPair(__m512i levels, __m512i scales, const void* a,
                                   std::size_t stride, std::int64_t i, int at, __m512i* sumi) {
    for (int t = 0; t < T; ++t) {
        const __m512i products =
            _mm512_maddubs_epi16(levels, load512(q8kBlock(a, stride, t, i)->qs + at));
        sumi[t] = _mm512_dpwssd_epi32(sumi[t], products, scales);
    }
}

// Scale s_q of `scales16` (16-bit scales in its low 256 bits) in every 16-bit lane of 128-bit
// lane q.
QS_AVX512_INLINE __m512i laneScales(__m512i scales16, int s0, int s1, int s2, int s3) {
    const auto lane = [](int s) {
        return _mm_set1_epi16(static_cast<short>(s));
    };
    const __m512i index =
        _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_set_m128i(lane(s1), lane(s0))),
                           _mm256_set_m128i(lane(s3), lane(s2)), 1);
    return _mm512_permutexvar_epi16(index, scales16);
}

// dotQ5KAvx2 for T inputs: chunk j's low nibbles (scale 2j) low, its high nibbles (2j + 1)
// high; their activations are bytes 64j..64j+63.
template <int T>
QS_AVX512_INLINE void q5kRowTile(const BlockQ5K* x, const void* a, std::size_t stride,
                                 std::int64_t blocks, float* out, std::int64_t outStride) {
    const __m512i lowNibble = _mm512_set1_epi8(0x0F);
    const __m512i bit0 = _mm512_set1_epi8(1);
    __m256 acc[T];
    __m128 accMin[T];
    for (int t = 0; t < T; ++t) {
        acc[t] = _mm256_setzero_ps();
        accMin[t] = _mm_setzero_ps();
    }
    for (std::int64_t i = 0; i < blocks; ++i) {
        const __m128i scalesMins = avx2::unpackScalesMinsK4Vector(x[i].scales);
        const __m512i scales16 = _mm512_castsi128_si512(_mm_cvtepu8_epi16(scalesMins));
        const __m256i qh = load256(x[i].qh);
        // Bit 2j of qh tops chunk j's low nibbles, bit 2j + 1 its high ones: both in place.
        __m512i high = _mm512_inserti64x4(_mm512_castsi256_si512(qh), _mm256_srli_epi16(qh, 1), 1);
        __m512i sumi[T];
        for (int t = 0; t < T; ++t) {
            sumi[t] = _mm512_setzero_si512();
        }
        for (int j = 0; j < 4; ++j) {
            const __m256i q = load256(x[i].qs + 32 * j);
            const __m512i nibbles =
                _mm512_inserti64x4(_mm512_castsi256_si512(q), _mm256_srli_epi16(q, 4), 1);
            const __m512i levels =
                _mm512_or_si512(_mm512_and_si512(nibbles, lowNibble),
                                _mm512_slli_epi16(_mm512_and_si512(high, bit0), 4));
            addChunkPair<T>(levels, laneScales(scales16, 2 * j, 2 * j, 2 * j + 1, 2 * j + 1), a,
                            stride, i, 64 * j, sumi);
            high = _mm512_srli_epi16(high, 2);
        }
        for (int t = 0; t < T; ++t) {
            const BlockQ8K* y = q8kBlock(a, stride, t, i);
            const float d = y->d * _cvtsh_ss(x[i].d);
            acc[t] =
                _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(foldHalves(sumi[t])), acc[t]);
            accMin[t] =
                _mm_fmadd_ps(_mm_set1_ps(y->d * _cvtsh_ss(x[i].dmin)),
                             _mm_cvtepi32_ps(avx2::minsTimesSums(scalesMins, y->bsums)), accMin[t]);
        }
    }
    for (int t = 0; t < T; ++t) {
        out[outStride * t] = avx2::horizontalSum(acc[t]) - avx2::horizontalSum(accMin[t]);
    }
}

// dotQ3KAvx2 for T inputs: the kernel's chunks k and k + 1 of half b (activations
// 128b + 32k..+63, scales 8b + 2k..8b + 2k + 3, one per 128-bit lane) in one vector.
template <int T>
QS_AVX512_INLINE void q3kRowTile(const BlockQ3K* x, const void* a, std::size_t stride,
                                 std::int64_t blocks, float* out, std::int64_t outStride) {
    const __m512i twoBits = _mm512_set1_epi8(3);
    const __m512i bit2 = _mm512_set1_epi8(4);
    __m256 acc[T];
    for (int t = 0; t < T; ++t) {
        acc[t] = _mm256_setzero_ps();
    }
    for (std::int64_t i = 0; i < blocks; ++i) {
        const __m128i scaleBytes = avx2::unpackScalesQ3KVector(x[i].scales);
        const __m512i scales16 = _mm512_castsi256_si512(_mm256_cvtepi8_epi16(scaleBytes));
        // hmask bit m (m = 4b + k) tops chunk k of half b.
        const __m512i hmask = _mm512_broadcast_i64x4(load256(x[i].hmask));
        __m512i sumi[T];
        for (int t = 0; t < T; ++t) {
            sumi[t] = _mm512_setzero_si512();
        }
        for (int b = 0; b < 2; ++b) {
            const __m512i qs = _mm512_broadcast_i64x4(load256(x[i].qs + 32 * b));
            for (int k = 0; k < 4; k += 2) {
                const __m512i low = _mm512_and_si512(
                    _mm512_srlv_epi16(qs, _mm512_inserti64x4(
                                              _mm512_set1_epi16(static_cast<short>(2 * k)),
                                              _mm256_set1_epi16(static_cast<short>(2 * k + 2)), 1)),
                    twoBits);
                const __m512i top = _mm512_and_si512(
                    _mm512_slli_epi16(
                        _mm512_srlv_epi16(
                            hmask, _mm512_inserti64x4(
                                       _mm512_set1_epi16(static_cast<short>(4 * b + k)),
                                       _mm256_set1_epi16(static_cast<short>(4 * b + k + 1)), 1)),
                        2),
                    bit2);
                const int s = 8 * b + 2 * k;
                addChunkPair<T>(_mm512_or_si512(low, top),
                                laneScales(scales16, s, s + 1, s + 2, s + 3), a, stride, i,
                                128 * b + 32 * k, sumi);
            }
        }
        for (int t = 0; t < T; ++t) {
            const BlockQ8K* y = q8kBlock(a, stride, t, i);
            const __m256i offset =
                _mm256_slli_epi32(avx2::scalesTimesSums(scaleBytes, y->bsums), 2);
            const float d = y->d * _cvtsh_ss(x[i].d);
            acc[t] = _mm256_fmadd_ps(
                _mm256_set1_ps(d),
                _mm256_cvtepi32_ps(_mm256_sub_epi32(foldHalves(sumi[t]), offset)), acc[t]);
        }
    }
    for (int t = 0; t < T; ++t) {
        out[outStride * t] = avx2::horizontalSum(acc[t]);
    }
}

// dotQ2KAvx2 for T inputs, chunks paired as in q3kRowTile.
template <int T>
QS_AVX512_INLINE void q2kRowTile(const BlockQ2K* x, const void* a, std::size_t stride,
                                 std::int64_t blocks, float* out, std::int64_t outStride) {
    const __m512i twoBits = _mm512_set1_epi8(3);
    const __m128i lowNibble = _mm_set1_epi8(0x0F);
    __m256 acc[T];
    float minSum[T];
    for (int t = 0; t < T; ++t) {
        acc[t] = _mm256_setzero_ps();
        minSum[t] = 0.0f;
    }
    for (std::int64_t i = 0; i < blocks; ++i) {
        const __m128i packed = load128(x[i].scales); // low nibble scale, high nibble min
        const __m512i scales16 =
            _mm512_castsi256_si512(_mm256_cvtepu8_epi16(_mm_and_si128(packed, lowNibble)));
        const __m256i mins16 =
            _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(packed, 4), lowNibble));
        __m512i sumi[T];
        for (int t = 0; t < T; ++t) {
            sumi[t] = _mm512_setzero_si512();
        }
        for (int b = 0; b < 2; ++b) {
            const __m512i qs = _mm512_broadcast_i64x4(load256(x[i].qs + 32 * b));
            for (int k = 0; k < 4; k += 2) {
                const __m512i levels = _mm512_and_si512(
                    _mm512_srlv_epi16(qs, _mm512_inserti64x4(
                                              _mm512_set1_epi16(static_cast<short>(2 * k)),
                                              _mm256_set1_epi16(static_cast<short>(2 * k + 2)), 1)),
                    twoBits);
                const int s = 8 * b + 2 * k;
                addChunkPair<T>(levels, laneScales(scales16, s, s + 1, s + 2, s + 3), a, stride, i,
                                128 * b + 32 * k, sumi);
            }
        }
        for (int t = 0; t < T; ++t) {
            const BlockQ8K* y = q8kBlock(a, stride, t, i);
            const int mins = avx2::horizontalSum(_mm256_madd_epi16(mins16, load256(y->bsums)));
            const float d = y->d * _cvtsh_ss(x[i].d);
            acc[t] =
                _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(foldHalves(sumi[t])), acc[t]);
            minSum[t] += y->d * _cvtsh_ss(x[i].dmin) * static_cast<float>(mins);
        }
    }
    for (int t = 0; t < T; ++t) {
        out[outStride * t] = avx2::horizontalSum(acc[t]) - minSum[t];
    }
}

template <int T>
struct Q5KRowTile {
    QS_AVX512_INLINE static void run(const void* w, const std::byte* a, std::size_t stride,
                                     std::int64_t blocks, float* out, std::int64_t outStride) {
        q5kRowTile<T>(static_cast<const BlockQ5K*>(w), a, stride, blocks, out, outStride);
    }
};

template <int T>
struct Q3KRowTile {
    QS_AVX512_INLINE static void run(const void* w, const std::byte* a, std::size_t stride,
                                     std::int64_t blocks, float* out, std::int64_t outStride) {
        q3kRowTile<T>(static_cast<const BlockQ3K*>(w), a, stride, blocks, out, outStride);
    }
};

template <int T>
struct Q2KRowTile {
    QS_AVX512_INLINE static void run(const void* w, const std::byte* a, std::size_t stride,
                                     std::int64_t blocks, float* out, std::int64_t outStride) {
        q2kRowTile<T>(static_cast<const BlockQ2K*>(w), a, stride, blocks, out, outStride);
    }
};

// Tile<T> for a tile of `count` <= T inputs.
template <template <int> class Tile, int T>
QS_AVX512_INLINE void runRowTile(std::int64_t count, const void* w, const std::byte* a,
                                 std::size_t stride, std::int64_t blocks, float* out,
                                 std::int64_t outStride) {
    if (count == T) {
        Tile<T>::run(w, a, stride, blocks, out, outStride);
    } else if constexpr (T > 1) {
        runRowTile<Tile, T - 1>(count, w, a, stride, blocks, out, outStride);
    }
}

template <int kMax, template <int> class Tile>
QS_AVX512_INLINE void runRowTiles(const void* w, const void* a, std::size_t stride,
                                  std::int64_t inputs, std::int64_t n, float* out,
                                  std::int64_t outStride) {
    const auto* act = static_cast<const std::byte*>(a);
    for (std::int64_t t0 = 0; t0 < inputs; t0 += kMax) {
        const std::int64_t count = std::min<std::int64_t>(kMax, inputs - t0);
        runRowTile<Tile, kMax>(count, w, act + stride * static_cast<std::size_t>(t0), stride,
                               n / kQK, out + outStride * t0, outStride);
    }
}

} // namespace

QS_AVX512 void dotQ5KTileAvx512(const void* w, const void* a, std::size_t stride,
                                std::int64_t inputs, std::int64_t n, float* out,
                                std::int64_t outStride) {
    runRowTiles<kRowTileInputsAvx512, Q5KRowTile>(w, a, stride, inputs, n, out, outStride);
}

QS_AVX512 void dotQ3KTileAvx512(const void* w, const void* a, std::size_t stride,
                                std::int64_t inputs, std::int64_t n, float* out,
                                std::int64_t outStride) {
    runRowTiles<kRowTileInputsAvx512, Q3KRowTile>(w, a, stride, inputs, n, out, outStride);
}

QS_AVX512 void dotQ2KTileAvx512(const void* w, const void* a, std::size_t stride,
                                std::int64_t inputs, std::int64_t n, float* out,
                                std::int64_t outStride) {
    runRowTiles<kRowTileInputsAvx512, Q2KRowTile>(w, a, stride, inputs, n, out, outStride);
}

} // namespace qs::core::vecdot

#endif
