#include "core/compute/matvec_accuracy.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace qs::core {

MatvecRowError measureMatvecRowError(const float* weights, std::int64_t rows, std::int64_t cols,
                                     const float* x, const float* y) {
    MatvecRowError e;
    for (std::int64_t r = 0; r < rows; ++r) {
        const float* row = weights + static_cast<std::size_t>(r * cols);
        double sum = 0.0, magnitude = 0.0;
        for (std::int64_t c = 0; c < cols; ++c) {
            const double term = static_cast<double>(row[c]) * static_cast<double>(x[c]);
            sum += term;
            magnitude += std::abs(term);
        }
        const double err = std::abs(static_cast<double>(y[r]) - sum) / std::max(magnitude, 1e-30);
        if (err > e.worst || e.row < 0) {
            e.worst = err;
            e.row = r;
        }
    }
    return e;
}

double packedMatvecRowBudget(std::int64_t cols) {
    return static_cast<double>(cols / 32 + 32 + 64) * std::ldexp(1.0, -24);
}

} // namespace qs::core
