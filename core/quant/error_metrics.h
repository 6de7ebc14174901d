#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

// How far a quantized tensor (dequantized back to floats) is from its reference. Sums are
// accumulated in double so that results do not depend on how rows are split across threads
// beyond the last few bits.
namespace qs::core {

struct ErrorMetrics {
    std::int64_t count = 0;  // values compared
    double mse = 0;          // mean of (ref - approx)^2
    double relativeRmse = 0; // ||ref - approx|| / ||ref||; 0 when both are 0, inf if ref is 0
    double sqnrDb = 0;       // 10 log10(||ref||^2 / ||ref - approx||^2); inf when exact
    double cosine = 0;       // <ref, approx> / (||ref|| ||approx||); 1 when both are 0
    double maxAbsError = 0;  // max |ref - approx|
    // sum_j w_j (ref - approx)^2 / sum_j w_j, with w the importance of each value's column;
    // present only when importance weights were given.
    std::optional<double> weightedMse;
};

// Streaming accumulation: add rows as they are produced, combine per-thread accumulators with
// merge(), read the metrics with result(). Within a row, values are summed in 8 interleaved
// lanes (so the loop vectorizes) that are added in a fixed order at the row's end: the sums
// depend only on the rows given and the order of addRow/merge calls, not on the CPU's vector
// width. Merging accumulators of consecutive row ranges in range order is deterministic too.
class ErrorAccumulator {
public:
    // `importance` is empty or holds one weight per column (n values, the row length).
    void addRow(std::span<const float> reference, std::span<const float> approx,
                std::span<const float> importance = {});
    void merge(const ErrorAccumulator& other);
    ErrorMetrics result() const;

private:
    std::int64_t m_count = 0;
    double m_sumSquaredError = 0;
    double m_sumRefSquared = 0;
    double m_sumApproxSquared = 0;
    // No sum of products: <ref, approx> = (||ref||^2 + ||approx||^2 - ||ref - approx||^2) / 2
    // from the three sums above, one multiply-add per value fewer.
    double m_maxAbsError = 0; // NaN errors are not seen here: a NaN error makes the SSE NaN
    double m_sumWeightedSquaredError = 0;
    double m_sumWeights = 0;
    bool m_weighted = false;
};

// Metrics over a whole tensor of nRows rows of nPerRow values (row-major).
ErrorMetrics tensorErrorMetrics(std::span<const float> reference, std::span<const float> approx,
                                std::int64_t nPerRow, std::span<const float> importance = {});

// One ErrorMetrics per group of rowsPerGroup consecutive rows (the last group may be shorter).
std::vector<ErrorMetrics> rowGroupErrorMetrics(std::span<const float> reference,
                                               std::span<const float> approx, std::int64_t nPerRow,
                                               std::int64_t rowsPerGroup,
                                               std::span<const float> importance = {});

} // namespace qs::core
