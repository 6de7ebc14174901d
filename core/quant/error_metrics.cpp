#include "core/quant/error_metrics.h"

#include "core/quant/quant_kernels.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define QS_ERROR_X86 1
#endif

namespace qs::core {

namespace {

// A row's values are summed in kLanes interleaved lanes (value i in lane i % kLanes), which are
// added in one fixed order at the row's end. Each lane performs plain IEEE double operations in
// value order (no contraction: sources.cmake), so the AVX2 build (two registers of four lanes
// per sum), the SSE2 one (four of two) and the portable one give the same bits. Eight lanes
// are enough independent additions to hide their latency.
constexpr std::size_t kLanes = 8;

// Lane sums of one row, in the order squared error, ref^2, approx^2, max |error|, weighted
// squared error, weights.
enum Sum { kSquaredError, kRefSquared, kApproxSquared, kMaxAbs, kWeightedSquaredError, kWeights };
using LaneSums = double[6][kLanes];

struct RowSums {
    double squaredError = 0;
    double refSquared = 0;
    double approxSquared = 0;
    double maxAbsError = 0;
    double weightedSquaredError = 0;
    double weights = 0;
};

double laneTotal(const double* v) {
    return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
}

// The lanes' totals, then values [i, n) (a tail shorter than kLanes: rows of quantized types
// never have one) one by one.
RowSums finishRow(const LaneSums& lanes, const float* x, const float* y, const float* w,
                  std::size_t i, std::size_t n) {
    RowSums sums;
    sums.squaredError = laneTotal(lanes[kSquaredError]);
    sums.refSquared = laneTotal(lanes[kRefSquared]);
    sums.approxSquared = laneTotal(lanes[kApproxSquared]);
    sums.weightedSquaredError = laneTotal(lanes[kWeightedSquaredError]);
    sums.weights = laneTotal(lanes[kWeights]);
    for (const double m : lanes[kMaxAbs]) {
        sums.maxAbsError = m > sums.maxAbsError ? m : sums.maxAbsError;
    }
    for (; i < n; ++i) {
        const double xd = x[i];
        const double yd = y[i];
        const double e = xd - yd;
        sums.squaredError += e * e;
        sums.refSquared += xd * xd;
        sums.approxSquared += yd * yd;
        const double a = std::fabs(e);
        sums.maxAbsError = a > sums.maxAbsError ? a : sums.maxAbsError;
        if (w) {
            const double wd = w[i];
            sums.weightedSquaredError += wd * e * e;
            sums.weights += wd;
        }
    }
    return sums;
}

// The portable build: the lanes as arrays (GCC does not vectorize this by itself, hence the
// x86 builds below). The max is a select, not std::max, as maxpd computes it: a NaN error is
// skipped and shows in the squared error instead (ErrorAccumulator::result).
template <bool Weighted>
RowSums rowSumsPortable(const float* x, const float* y, const float* w, std::size_t n) {
    LaneSums lanes = {};
    std::size_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        for (std::size_t j = 0; j < kLanes; ++j) {
            const double xd = x[i + j];
            const double yd = y[i + j];
            const double e = xd - yd;
            lanes[kSquaredError][j] += e * e;
            lanes[kRefSquared][j] += xd * xd;
            lanes[kApproxSquared][j] += yd * yd;
            const double a = std::fabs(e);
            lanes[kMaxAbs][j] = a > lanes[kMaxAbs][j] ? a : lanes[kMaxAbs][j];
            if constexpr (Weighted) {
                const double wd = w[i + j];
                lanes[kWeightedSquaredError][j] += wd * e * e;
                lanes[kWeights][j] += wd;
            }
        }
    }
    return finishRow(lanes, x, y, w, i, n);
}

#if defined(QS_ERROR_X86)

// Baseline x86-64: SSE2, two lanes per register.
template <bool Weighted>
RowSums rowSumsSse2(const float* x, const float* y, const float* w, std::size_t n) {
    constexpr int kRegs = kLanes / 2;
    const auto load = [](const float* p) {
        return _mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
    };
    const __m128d absMask = _mm_castsi128_pd(_mm_set1_epi64x(0x7fffffffffffffff));
    __m128d se[kRegs], xx[kRegs], yy[kRegs], mx[kRegs], wse[kRegs], ws[kRegs];
    for (int k = 0; k < kRegs; ++k) {
        se[k] = xx[k] = yy[k] = mx[k] = wse[k] = ws[k] = _mm_setzero_pd();
    }
    std::size_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        for (int k = 0; k < kRegs; ++k) {
            const __m128d xd = load(x + i + 2 * k);
            const __m128d yd = load(y + i + 2 * k);
            const __m128d e = _mm_sub_pd(xd, yd);
            se[k] = _mm_add_pd(se[k], _mm_mul_pd(e, e));
            xx[k] = _mm_add_pd(xx[k], _mm_mul_pd(xd, xd));
            yy[k] = _mm_add_pd(yy[k], _mm_mul_pd(yd, yd));
            // maxpd(a, b) is a > b ? a : b.
            mx[k] = _mm_max_pd(_mm_and_pd(e, absMask), mx[k]);
            if constexpr (Weighted) {
                const __m128d wd = load(w + i + 2 * k);
                wse[k] = _mm_add_pd(wse[k], _mm_mul_pd(_mm_mul_pd(wd, e), e));
                ws[k] = _mm_add_pd(ws[k], wd);
            }
        }
    }
    LaneSums lanes;
    for (int k = 0; k < kRegs; ++k) {
        _mm_storeu_pd(&lanes[kSquaredError][2 * k], se[k]);
        _mm_storeu_pd(&lanes[kRefSquared][2 * k], xx[k]);
        _mm_storeu_pd(&lanes[kApproxSquared][2 * k], yy[k]);
        _mm_storeu_pd(&lanes[kMaxAbs][2 * k], mx[k]);
        _mm_storeu_pd(&lanes[kWeightedSquaredError][2 * k], wse[k]);
        _mm_storeu_pd(&lanes[kWeights][2 * k], ws[k]);
    }
    return finishRow(lanes, x, y, w, i, n);
}

// AVX2 (only AVX instructions, no FMA), four lanes per register. Only this function carries the
// target attribute, so no AVX code reaches shared inline functions.
template <bool Weighted>
__attribute__((target("avx2"))) RowSums rowSumsAvx2(const float* x, const float* y, const float* w,
                                                    std::size_t n) {
    constexpr int kRegs = kLanes / 4;
    const __m256d absMask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffff));
    __m256d se[kRegs], xx[kRegs], yy[kRegs], mx[kRegs], wse[kRegs], ws[kRegs];
    for (int k = 0; k < kRegs; ++k) {
        se[k] = xx[k] = yy[k] = mx[k] = wse[k] = ws[k] = _mm256_setzero_pd();
    }
    std::size_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        for (int k = 0; k < kRegs; ++k) {
            const __m256d xd = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4 * k));
            const __m256d yd = _mm256_cvtps_pd(_mm_loadu_ps(y + i + 4 * k));
            const __m256d e = _mm256_sub_pd(xd, yd);
            se[k] = _mm256_add_pd(se[k], _mm256_mul_pd(e, e));
            xx[k] = _mm256_add_pd(xx[k], _mm256_mul_pd(xd, xd));
            yy[k] = _mm256_add_pd(yy[k], _mm256_mul_pd(yd, yd));
            mx[k] = _mm256_max_pd(_mm256_and_pd(e, absMask), mx[k]);
            if constexpr (Weighted) {
                const __m256d wd = _mm256_cvtps_pd(_mm_loadu_ps(w + i + 4 * k));
                wse[k] = _mm256_add_pd(wse[k], _mm256_mul_pd(_mm256_mul_pd(wd, e), e));
                ws[k] = _mm256_add_pd(ws[k], wd);
            }
        }
    }
    LaneSums lanes;
    for (int k = 0; k < kRegs; ++k) {
        _mm256_storeu_pd(&lanes[kSquaredError][4 * k], se[k]);
        _mm256_storeu_pd(&lanes[kRefSquared][4 * k], xx[k]);
        _mm256_storeu_pd(&lanes[kApproxSquared][4 * k], yy[k]);
        _mm256_storeu_pd(&lanes[kMaxAbs][4 * k], mx[k]);
        _mm256_storeu_pd(&lanes[kWeightedSquaredError][4 * k], wse[k]);
        _mm256_storeu_pd(&lanes[kWeights][4 * k], ws[k]);
    }
    // Clean upper halves (GCC does not insert this here): SSE code run next, such as the
    // dequantizers, would otherwise run several times slower.
    _mm256_zeroupper();
    return finishRow(lanes, x, y, w, i, n);
}

#endif

RowSums rowSums(const float* x, const float* y, const float* w, std::size_t n) {
#if defined(QS_ERROR_X86)
    if (quant::useAvx2Kernels()) {
        return w ? rowSumsAvx2<true>(x, y, w, n) : rowSumsAvx2<false>(x, y, w, n);
    }
    return w ? rowSumsSse2<true>(x, y, w, n) : rowSumsSse2<false>(x, y, w, n);
#else
    return w ? rowSumsPortable<true>(x, y, w, n) : rowSumsPortable<false>(x, y, w, n);
#endif
}

} // namespace

void ErrorAccumulator::addRow(std::span<const float> reference, std::span<const float> approx,
                              std::span<const float> importance) {
    assert(reference.size() == approx.size());
    assert(importance.empty() || importance.size() == reference.size());
    const float* weights = importance.empty() ? nullptr : importance.data();
    const RowSums sums = rowSums(reference.data(), approx.data(), weights, reference.size());
    m_sumSquaredError += sums.squaredError;
    m_sumRefSquared += sums.refSquared;
    m_sumApproxSquared += sums.approxSquared;
    m_maxAbsError = sums.maxAbsError > m_maxAbsError ? sums.maxAbsError : m_maxAbsError;
    if (weights) {
        m_weighted = true;
        m_sumWeightedSquaredError += sums.weightedSquaredError;
        m_sumWeights += sums.weights;
    }
    m_count += static_cast<std::int64_t>(reference.size());
}

void ErrorAccumulator::merge(const ErrorAccumulator& other) {
    m_count += other.m_count;
    m_sumSquaredError += other.m_sumSquaredError;
    m_sumRefSquared += other.m_sumRefSquared;
    m_sumApproxSquared += other.m_sumApproxSquared;
    m_maxAbsError = other.m_maxAbsError > m_maxAbsError ? other.m_maxAbsError : m_maxAbsError;
    m_sumWeightedSquaredError += other.m_sumWeightedSquaredError;
    m_sumWeights += other.m_sumWeights;
    m_weighted = m_weighted || other.m_weighted;
}

ErrorMetrics ErrorAccumulator::result() const {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    ErrorMetrics m;
    m.count = m_count;
    if (m_count == 0) {
        m.cosine = 1;
        m.sqnrDb = kInf;
        return m;
    }
    m.mse = m_sumSquaredError / static_cast<double>(m_count);
    if (m_sumRefSquared > 0) {
        m.relativeRmse = std::sqrt(m_sumSquaredError / m_sumRefSquared);
    } else {
        m.relativeRmse = m_sumSquaredError > 0 ? kInf : 0.0;
    }
    if (m_sumSquaredError > 0) {
        m.sqnrDb =
            m_sumRefSquared > 0 ? 10.0 * std::log10(m_sumRefSquared / m_sumSquaredError) : -kInf;
    } else {
        m.sqnrDb = std::isnan(m_sumSquaredError) ? m_sumSquaredError : kInf;
    }
    const double norms = m_sumRefSquared * m_sumApproxSquared;
    if (norms > 0) {
        // <ref, approx> from the three sums; the rounding of the difference is ~1e-16 of the
        // norms, far below any cosine a quantization gives. Clamped: rounding must not make a
        // cosine leave [-1, 1].
        const double product = (m_sumRefSquared + m_sumApproxSquared - m_sumSquaredError) / 2;
        m.cosine = std::clamp(product / std::sqrt(norms), -1.0, 1.0);
    } else {
        // Two zero vectors are identical; a zero and a non-zero vector share no direction.
        m.cosine = (m_sumRefSquared == 0 && m_sumApproxSquared == 0) ? 1.0 : 0.0;
    }
    // A NaN error, skipped by the max, makes the sum of squared errors NaN (the squares are
    // never negative, so nothing else can): report it there too.
    m.maxAbsError = std::isnan(m_sumSquaredError) ? m_sumSquaredError : m_maxAbsError;
    if (m_weighted) {
        m.weightedMse = m_sumWeights > 0 ? m_sumWeightedSquaredError / m_sumWeights : 0.0;
    }
    return m;
}

namespace {

void addRows(ErrorAccumulator& acc, std::span<const float> reference, std::span<const float> approx,
             std::int64_t nPerRow, std::int64_t firstRow, std::int64_t rows,
             std::span<const float> importance) {
    const auto n = static_cast<std::size_t>(nPerRow);
    for (std::int64_t r = firstRow; r < firstRow + rows; ++r) {
        const auto offset = static_cast<std::size_t>(r) * n;
        acc.addRow(reference.subspan(offset, n), approx.subspan(offset, n), importance);
    }
}

} // namespace

ErrorMetrics tensorErrorMetrics(std::span<const float> reference, std::span<const float> approx,
                                std::int64_t nPerRow, std::span<const float> importance) {
    assert(nPerRow > 0 && reference.size() % static_cast<std::size_t>(nPerRow) == 0);
    ErrorAccumulator acc;
    addRows(acc, reference, approx, nPerRow, 0,
            static_cast<std::int64_t>(reference.size()) / nPerRow, importance);
    return acc.result();
}

std::vector<ErrorMetrics> rowGroupErrorMetrics(std::span<const float> reference,
                                               std::span<const float> approx, std::int64_t nPerRow,
                                               std::int64_t rowsPerGroup,
                                               std::span<const float> importance) {
    assert(nPerRow > 0 && rowsPerGroup > 0);
    const auto nRows = static_cast<std::int64_t>(reference.size()) / nPerRow;
    std::vector<ErrorMetrics> groups;
    for (std::int64_t first = 0; first < nRows; first += rowsPerGroup) {
        ErrorAccumulator acc;
        addRows(acc, reference, approx, nPerRow, first, std::min(rowsPerGroup, nRows - first),
                importance);
        groups.push_back(acc.result());
    }
    return groups;
}

} // namespace qs::core
