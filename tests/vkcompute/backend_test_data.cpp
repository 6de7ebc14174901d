#include "backend_test_data.h"

#include "core/quant/format_registry.h"

#include <cmath>
#include <cstddef>
#include <cstring>
#include <random>

namespace qs::test {

std::vector<float> randomVector(std::int64_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> v(static_cast<std::size_t>(n));
    for (auto& x : v) {
        x = normal(rng);
    }
    return v;
}

QuantizedMatrix makeQuantized(core::GgmlType type, std::int64_t nRows, std::int64_t nCols,
                              unsigned seed) {
    std::vector<float> values = randomVector(nRows * nCols, seed);
    // Outliers and a per-row scale give blocks very different scales and mins.
    for (std::int64_t r = 0; r < nRows; ++r) {
        const float rowScale = 0.01f * static_cast<float>(1 + (r * 7) % 13);
        for (std::int64_t c = 0; c < nCols; ++c) {
            float& v = values[static_cast<std::size_t>(r * nCols + c)];
            v *= rowScale;
            if ((r * 31 + c * 17) % 97 == 0) {
                v *= 8.0f;
            }
        }
    }
    QuantizedMatrix m;
    m.type = type;
    m.nRows = nRows;
    m.nCols = nCols;
    const std::uint64_t rowBytes = *core::ggmlRowBytes(type, static_cast<std::uint64_t>(nCols));
    m.bytes.resize(rowBytes * static_cast<std::uint64_t>(nRows));
    // Types that llama-quantize only makes with an imatrix (some quantizers need the weights)
    // get uneven positive importance weights.
    std::vector<float> importance;
    if (const auto* format = core::quantFormat(type); format && format->requiresImatrix) {
        importance.resize(static_cast<std::size_t>(nCols));
        for (std::size_t i = 0; i < importance.size(); ++i) {
            importance[i] = 0.5f + static_cast<float>((i * 37) % 11) / 8.0f;
        }
    }
    // Callers only ask for valid shapes; a failure shows up as a mismatch against zeros.
    (void)core::quantizeRows(type, values.data(), m.bytes.data(), nRows, nCols,
                             importance.empty() ? nullptr : importance.data());
    return m;
}

std::vector<float> cpuDequantized(const QuantizedMatrix& m) {
    std::vector<float> out(static_cast<std::size_t>(m.nRows * m.nCols));
    (void)core::dequantizeRow(m.type, m.bytes.data(), out.data(), m.nRows * m.nCols);
    return out;
}

std::vector<double> referenceMatvec(const std::vector<float>& weights, std::int64_t nRows,
                                    std::int64_t nCols, const std::vector<float>& x) {
    std::vector<double> y(static_cast<std::size_t>(nRows));
    for (std::int64_t r = 0; r < nRows; ++r) {
        double sum = 0.0;
        for (std::int64_t c = 0; c < nCols; ++c) {
            sum += static_cast<double>(weights[static_cast<std::size_t>(r * nCols + c)]) *
                   static_cast<double>(x[static_cast<std::size_t>(c)]);
        }
        y[static_cast<std::size_t>(r)] = sum;
    }
    return y;
}

double nmse(const std::vector<float>& y, const std::vector<double>& ref) {
    double err = 0.0;
    double norm = 0.0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
        const double d = static_cast<double>(y[i]) - ref[i];
        err += d * d;
        norm += ref[i] * ref[i];
    }
    return norm > 0.0 ? err / norm : err;
}

std::string firstBitDifference(const float* a, const float* b, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0) {
            return "index " + std::to_string(i) + " of " + std::to_string(n) + ": " +
                   std::to_string(a[i]) + " != " + std::to_string(b[i]);
        }
    }
    return {};
}

} // namespace qs::test
