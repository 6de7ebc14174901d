#include "core/quant/error_metrics.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace qs::core {

void ErrorAccumulator::addRow(std::span<const float> reference, std::span<const float> approx,
                              std::span<const float> importance) {
    assert(reference.size() == approx.size());
    assert(importance.empty() || importance.size() == reference.size());
    if (!importance.empty()) {
        m_weighted = true;
    }
    for (std::size_t i = 0; i < reference.size(); ++i) {
        const double x = reference[i];
        const double y = approx[i];
        const double e = x - y;
        m_sumSquaredError += e * e;
        m_sumRefSquared += x * x;
        m_sumApproxSquared += y * y;
        m_sumProduct += x * y;
        // std::max would drop a NaN error; keep it visible.
        const double absError = std::fabs(e);
        if (absError > m_maxAbsError || std::isnan(absError)) {
            m_maxAbsError = absError;
        }
        if (!importance.empty()) {
            const double w = importance[i];
            m_sumWeightedSquaredError += w * e * e;
            m_sumWeights += w;
        }
    }
    m_count += static_cast<std::int64_t>(reference.size());
}

void ErrorAccumulator::merge(const ErrorAccumulator& other) {
    m_count += other.m_count;
    m_sumSquaredError += other.m_sumSquaredError;
    m_sumRefSquared += other.m_sumRefSquared;
    m_sumApproxSquared += other.m_sumApproxSquared;
    m_sumProduct += other.m_sumProduct;
    if (other.m_maxAbsError > m_maxAbsError || std::isnan(other.m_maxAbsError)) {
        m_maxAbsError = other.m_maxAbsError;
    }
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
        m.cosine = m_sumProduct / std::sqrt(norms);
    } else {
        // Two zero vectors are identical; a zero and a non-zero vector share no direction.
        m.cosine = (m_sumRefSquared == 0 && m_sumApproxSquared == 0) ? 1.0 : 0.0;
    }
    m.maxAbsError = m_maxAbsError;
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
