#include "core/quant/error_metrics.h"

#include <QTest>

#include <cmath>
#include <limits>
#include <vector>

using namespace qs::core;

class TestErrorMetrics : public QObject {
    Q_OBJECT

private slots:
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
