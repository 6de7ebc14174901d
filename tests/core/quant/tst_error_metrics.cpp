#include "core/quant/error_metrics.h"
#include "core/quant/quant_kernels.h"

#include <QTest>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

using namespace qs::core;

namespace {

// Random rows: a reference, an approximation off by a few percent, and positive weights.
struct Rows {
    std::vector<float> ref, approx, weights;
};

Rows randomRows(std::size_t rows, std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> gauss;
    Rows r;
    for (std::size_t i = 0; i < rows * n; ++i) {
        r.ref.push_back(gauss(rng));
        r.approx.push_back(r.ref.back() + 0.03f * gauss(rng));
    }
    for (std::size_t i = 0; i < n; ++i) {
        r.weights.push_back(std::fabs(gauss(rng)) + 0.01f);
    }
    return r;
}

ErrorAccumulator accumulate(const Rows& r, std::size_t n, bool weighted) {
    ErrorAccumulator acc;
    for (std::size_t off = 0; off < r.ref.size(); off += n) {
        acc.addRow(std::span(r.ref).subspan(off, n), std::span(r.approx).subspan(off, n),
                   weighted ? std::span<const float>(r.weights) : std::span<const float>());
    }
    return acc;
}

bool sameBits(double a, double b) {
    return std::memcmp(&a, &b, sizeof a) == 0;
}

} // namespace

class TestErrorMetrics : public QObject {
    Q_OBJECT

private slots:
    void cleanup() { quant::allowAvx2Kernels(true); }
    // ref {1,2,3,4}, approx {1,2,3,5}: one error of -1. By hand: SSE 1, sum ref^2 30,
    // sum approx^2 39, sum ref*approx 34.
    void handComputedTensor() {
        const std::vector<float> ref{1, 2, 3, 4};
        const std::vector<float> approx{1, 2, 3, 5};
        const std::vector<float> weights{1, 1, 1, 3};
        const ErrorMetrics m = tensorErrorMetrics(ref, approx, 4, weights);
        QCOMPARE(m.count, std::int64_t(4));
        QCOMPARE(m.mse, 0.25);
        QCOMPARE(m.relativeRmse, std::sqrt(1.0 / 30.0));
        QCOMPARE(m.sqnrDb, 10.0 * std::log10(30.0));
        QVERIFY(std::fabs(m.sqnrDb - 14.771212547196624) < 1e-12);
        QCOMPARE(m.cosine, 34.0 / std::sqrt(30.0 * 39.0));
        QCOMPARE(m.maxAbsError, 1.0);
        QVERIFY(m.weightedMse.has_value());
        QCOMPARE(*m.weightedMse, 0.5); // 3 * 1^2 / (1 + 1 + 1 + 3)
        QVERIFY(!tensorErrorMetrics(ref, approx, 4).weightedMse.has_value());
    }

    void rowGroups() {
        const std::vector<float> ref{1, 2, 3, 4, -1, 0};
        const std::vector<float> approx{1, 2, 3, 5, -1, 0.5f};
        const auto groups = rowGroupErrorMetrics(ref, approx, 2, 2);
        QCOMPARE(groups.size(), std::size_t(2));
        // Rows {1,2},{3,4} vs {1,2},{3,5}: the same figures as the whole-tensor case.
        QCOMPARE(groups[0].mse, 0.25);
        QCOMPARE(groups[0].cosine, 34.0 / std::sqrt(30.0 * 39.0));
        // Row {-1,0} vs {-1,0.5}: SSE 0.25, sum ref^2 1, sum approx^2 1.25, sum product 1.
        QCOMPARE(groups[1].count, std::int64_t(2));
        QCOMPARE(groups[1].mse, 0.125);
        QCOMPARE(groups[1].relativeRmse, 0.5);
        QCOMPARE(groups[1].sqnrDb, 10.0 * std::log10(4.0));
        QCOMPARE(groups[1].cosine, 1.0 / std::sqrt(1.25));
        QCOMPARE(groups[1].maxAbsError, 0.5);
    }

    void exactAndZeroCases() {
        constexpr double kInf = std::numeric_limits<double>::infinity();
        const std::vector<float> zeros(4, 0.0f);
        const std::vector<float> ones(4, 1.0f);
        const ErrorMetrics exact = tensorErrorMetrics(ones, ones, 2);
        QCOMPARE(exact.mse, 0.0);
        QCOMPARE(exact.relativeRmse, 0.0);
        QCOMPARE(exact.sqnrDb, kInf);
        QCOMPARE(exact.cosine, 1.0);
        const ErrorMetrics bothZero = tensorErrorMetrics(zeros, zeros, 2);
        QCOMPARE(bothZero.cosine, 1.0);
        QCOMPARE(bothZero.relativeRmse, 0.0);
        const ErrorMetrics fromZero = tensorErrorMetrics(zeros, ones, 2);
        QCOMPARE(fromZero.mse, 1.0);
        QCOMPARE(fromZero.relativeRmse, kInf);
        QCOMPARE(fromZero.sqnrDb, -kInf);
        QCOMPARE(fromZero.cosine, 0.0);
    }

    // Splitting rows across accumulators (threads) and merging gives the same sums.
    void mergeEqualsSinglePass() {
        const std::vector<float> ref{0.5f, -2, 3, 7, 1, -1};
        const std::vector<float> approx{0.25f, -2, 2, 7.5f, 1, -0.5f};
        ErrorAccumulator a, b, all;
        a.addRow(std::span(ref).subspan(0, 3), std::span(approx).subspan(0, 3));
        b.addRow(std::span(ref).subspan(3, 3), std::span(approx).subspan(3, 3));
        all.addRow(std::span(ref).subspan(0, 3), std::span(approx).subspan(0, 3));
        all.addRow(std::span(ref).subspan(3, 3), std::span(approx).subspan(3, 3));
        a.merge(b);
        QCOMPARE(a.result().mse, all.result().mse);
        QCOMPARE(a.result().cosine, all.result().cosine);
        QCOMPARE(a.result().maxAbsError, 1.0);
    }

    // Long rows (the vector lanes and a tail) against sums written out here in long double:
    // only rounding separates them.
    void matchesPlainRecomputation() {
        for (const std::size_t n : {std::size_t(1), std::size_t(13), std::size_t(4096 + 5)}) {
            const std::size_t rows = 7;
            const Rows r = randomRows(rows, n, static_cast<unsigned>(n));
            long double se = 0, xx = 0, yy = 0, xy = 0, wse = 0, ws = 0, maxAbs = 0;
            for (std::size_t i = 0; i < r.ref.size(); ++i) {
                const long double x = r.ref[i], y = r.approx[i], w = r.weights[i % n];
                se += (x - y) * (x - y);
                xx += x * x;
                yy += y * y;
                xy += x * y;
                wse += w * (x - y) * (x - y);
                ws += w;
                maxAbs = std::max(maxAbs, std::fabs(x - y));
            }
            const ErrorMetrics m = accumulate(r, n, true).result();
            const auto close = [](double got, long double want) {
                return std::fabs(static_cast<long double>(got) - want) <= 1e-13L * std::fabs(want);
            };
            QCOMPARE(m.count, static_cast<std::int64_t>(rows * n));
            QVERIFY(close(m.mse, se / (rows * n)));
            QVERIFY(close(m.relativeRmse, std::sqrt(se / xx)));
            QVERIFY(close(m.sqnrDb, 10 * std::log10(xx / se)));
            QVERIFY(close(m.cosine, xy / std::sqrt(xx * yy)));
            QVERIFY(close(*m.weightedMse, wse / ws));
            QCOMPARE(m.maxAbsError, static_cast<double>(maxAbs));
        }
    }

    // The AVX2 and baseline builds sum the same lanes in the same order: the same bits.
    void vectorBuildsAgree() {
        for (const std::size_t n : {std::size_t(3), std::size_t(8), std::size_t(256 + 7)}) {
            for (const bool weighted : {false, true}) {
                const Rows r = randomRows(5, n, 7);
                quant::allowAvx2Kernels(true);
                const ErrorMetrics a = accumulate(r, n, weighted).result();
                quant::allowAvx2Kernels(false);
                const ErrorMetrics b = accumulate(r, n, weighted).result();
                QVERIFY(sameBits(a.mse, b.mse));
                QVERIFY(sameBits(a.relativeRmse, b.relativeRmse));
                QVERIFY(sameBits(a.sqnrDb, b.sqnrDb));
                QVERIFY(sameBits(a.cosine, b.cosine));
                QVERIFY(sameBits(a.maxAbsError, b.maxAbsError));
                QCOMPARE(a.weightedMse.has_value(), weighted);
                QVERIFY(sameBits(a.weightedMse.value_or(0), b.weightedMse.value_or(0)));
            }
        }
    }

    // A NaN error among larger ones, in a vector lane of a row merged into another
    // accumulator, is still reported.
    void nanInLanesIsReported() {
        Rows r = randomRows(2, 64, 3);
        r.approx[64 + 21] = std::numeric_limits<float>::quiet_NaN();
        r.approx[64 + 40] = r.ref[64 + 40] + 1000.0f;
        ErrorAccumulator first, second;
        first.addRow(std::span(r.ref).subspan(0, 64), std::span(r.approx).subspan(0, 64));
        second.addRow(std::span(r.ref).subspan(64, 64), std::span(r.approx).subspan(64, 64));
        QVERIFY(!std::isnan(first.result().maxAbsError));
        first.merge(second);
        QVERIFY(std::isnan(first.result().maxAbsError));
        QVERIFY(std::isnan(first.result().mse));
    }

    void nanIsReported() {
        const std::vector<float> ref{1, 2};
        const std::vector<float> approx{1, std::numeric_limits<float>::quiet_NaN()};
        const ErrorMetrics m = tensorErrorMetrics(ref, approx, 2);
        QVERIFY(std::isnan(m.mse));
        QVERIFY(std::isnan(m.maxAbsError));
    }
};

QTEST_APPLESS_MAIN(TestErrorMetrics)
#include "tst_error_metrics.moc"
