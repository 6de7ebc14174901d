// The fused quantized dot products (core/eval/vec_dot.h) against a double-precision reference:
// dequantized weight row times the activations roundActivations produces. Both kernel builds
// are checked (scalar forced by VecDotIsa::Scalar; AVX2 wherever the CPU has it). Sub-blocks
// get very different magnitudes, so a wrong sub-block scale or min moves the result by far
// more than the tolerance.
#include "core/eval/activation_rounding.h"
#include "core/eval/cpu_matmul.h"
#include "core/eval/thread_pool.h"
#include "core/eval/vec_dot.h"
#include "core/quant/format_registry.h"

#include <QTest>

#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

using namespace qs::core;

Q_DECLARE_METATYPE(qs::core::GgmlType)

namespace {

// Values whose scale changes every 16 (a k-quant sub-block) and which sit off zero, so that
// per-sub-block scales and mins all matter.
std::vector<float> randomValues(std::int64_t n, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_real_distribution<float> magnitude(0.05f, 3.0f);
    std::uniform_real_distribution<float> offset(-1.0f, 1.0f);
    std::vector<float> v(static_cast<std::size_t>(n));
    for (std::int64_t g = 0; g < n; g += 16) {
        const float scale = magnitude(rng);
        const float shift = offset(rng);
        for (std::int64_t i = g; i < std::min(n, g + 16); ++i) {
            v[static_cast<std::size_t>(i)] = scale * (normal(rng) + shift);
        }
    }
    return v;
}

std::size_t rowBytes(GgmlType type, std::int64_t cols) {
    return static_cast<std::size_t>(*ggmlRowBytes(type, static_cast<std::uint64_t>(cols)));
}

QByteArray typeName(GgmlType type) {
    return QByteArray(ggmlTypeInfo(type).name.data(),
                      static_cast<qsizetype>(ggmlTypeInfo(type).name.size()));
}

struct Reference {
    double dot = 0.0;
    double magnitude = 0.0; // sum of |w_i * a_i|: the scale of the rounding error
};

Reference reference(GgmlType type, const void* row, const std::vector<float>& x) {
    const auto n = static_cast<std::int64_t>(x.size());
    std::vector<float> w(x.size());
    if (!dequantizeRow(type, row, w.data(), n).ok()) {
        qFatal("dequantizeRow failed");
    }
    std::vector<float> a = x;
    roundActivations(activationTypeFor(type), a.data(), n);
    Reference r;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double p = static_cast<double>(w[i]) * a[i];
        r.dot += p;
        r.magnitude += std::fabs(p);
    }
    return r;
}

std::vector<std::byte> quantizeWeights(GgmlType type, const std::vector<float>& w,
                                       std::int64_t rows, std::int64_t cols) {
    std::vector<std::byte> bytes(static_cast<std::size_t>(rows) * rowBytes(type, cols));
    if (!quantizeRows(type, w.data(), bytes.data(), rows, cols, nullptr).ok()) {
        qFatal("quantizeRows failed");
    }
    return bytes;
}

bool cpuHasAvx2() {
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
           __builtin_cpu_supports("f16c");
#else
    return false;
#endif
}

} // namespace

class TestVecDot : public QObject {
    Q_OBJECT

private slots:
    void matchesDequantizedReference_data() {
        QTest::addColumn<GgmlType>("type");
        QTest::addColumn<qint64>("cols");
        const GgmlType kQuants[] = {GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K,
                                    GgmlType::Q6_K};
        for (GgmlType t : kQuants) {
            for (qint64 cols : {256, 768, 2048}) {
                QTest::addRow("%s x %lld", typeName(t).constData(), cols) << t << cols;
            }
        }
        for (GgmlType t : {GgmlType::Q8_0, GgmlType::Q4_0}) {
            for (qint64 cols : {32, 96, 2048}) {
                QTest::addRow("%s x %lld", typeName(t).constData(), cols) << t << cols;
            }
        }
        for (qint64 cols : {8, 100, 2048}) {
            QTest::addRow("F16 x %lld", cols) << GgmlType::F16 << cols;
        }
    }

    void matchesDequantizedReference() {
        QFETCH(GgmlType, type);
        QFETCH(qint64, cols);
        std::mt19937 rng(static_cast<unsigned>(cols) * 31u + static_cast<unsigned>(type));
        const std::vector<VecDotIsa> isas = {VecDotIsa::Scalar, VecDotIsa::Best};
        QVERIFY(vecDotFor(type, VecDotIsa::Scalar) != nullptr);
        if (cpuHasAvx2()) {
            // Otherwise Best would silently test the scalar build twice.
            QVERIFY(vecDotFor(type, VecDotIsa::Best) != vecDotFor(type, VecDotIsa::Scalar));
        }
        for (int trial = 0; trial < 20; ++trial) {
            const std::vector<float> w = randomValues(cols, rng);
            const std::vector<float> x = randomValues(cols, rng);
            const std::vector<std::byte> row = quantizeWeights(type, w, 1, cols);
            std::vector<std::byte> act(vecDotActivationBytes(type, cols));
            quantizeVecDotActivations(type, x.data(), act.data(), cols);
            const Reference ref = reference(type, row.data(), x);
            for (VecDotIsa isa : isas) {
                const float got = vecDotFor(type, isa)(row.data(), act.data(), cols);
                const double tolerance = 1e-6 * ref.magnitude;
                if (std::fabs(got - ref.dot) > tolerance) {
                    QFAIL(qPrintable(QStringLiteral("trial %1, %2: got %3, want %4 (tolerance %5)")
                                         .arg(trial)
                                         .arg(isa == VecDotIsa::Scalar ? "scalar" : "best")
                                         .arg(static_cast<double>(got), 0, 'g', 9)
                                         .arg(ref.dot, 0, 'g', 9)
                                         .arg(tolerance, 0, 'g', 3)));
                }
            }
        }
    }

    // The blocks the kernels read hold exactly the values roundActivations leaves, so the
    // fused path and the dequantize-then-dot path see the same activations.
    void activationBlocksMatchRounding_data() {
        QTest::addColumn<GgmlType>("type");
        QTest::newRow("Q8_K") << GgmlType::Q8_K;
        QTest::newRow("Q8_0") << GgmlType::Q8_0;
    }

    void activationBlocksMatchRounding() {
        QFETCH(GgmlType, type);
        std::mt19937 rng(7);
        std::vector<float> x = randomValues(1024, rng);
        x[3] = 0.0f;
        std::fill(x.begin() + 256, x.begin() + 512, 0.0f); // an all-zero Q8_K block
        const GgmlType weightType = type == GgmlType::Q8_K ? GgmlType::Q4_K : GgmlType::Q8_0;
        std::vector<std::byte> blocks(vecDotActivationBytes(weightType, 1024));
        quantizeVecDotActivations(weightType, x.data(), blocks.data(), 1024);
        std::vector<float> fromBlocks(x.size());
        QVERIFY(dequantizeRow(type, blocks.data(), fromBlocks.data(), 1024).ok());
        std::vector<float> rounded = x;
        roundActivations(type, rounded.data(), 1024);
        for (std::size_t i = 0; i < x.size(); ++i) {
            QCOMPARE(fromBlocks[i], rounded[i]);
        }
    }

    // Batched: n inputs, rows split over threads; each result as the single-row kernel gives.
    void batchedMatmulMatchesRowKernel() {
        const GgmlType type = GgmlType::Q4_K;
        const std::int64_t rows = 37, cols = 512, n = 3;
        std::mt19937 rng(11);
        const std::vector<float> w = randomValues(rows * cols, rng);
        const std::vector<float> x = randomValues(n * cols, rng);
        const std::vector<std::byte> bytes = quantizeWeights(type, w, rows, cols);
        const WeightMatrix m{type, bytes.data(), rows, cols};
        ParallelPool pool(2);
        std::vector<float> y(static_cast<std::size_t>(n * rows));
        QVERIFY(cpuMatmulQuantized(pool, m, x.data(), n, y.data()));
        const VecDotFn dot = vecDotFor(type);
        std::vector<std::byte> act(vecDotActivationBytes(type, cols));
        for (std::int64_t t = 0; t < n; ++t) {
            quantizeVecDotActivations(type, x.data() + t * cols, act.data(), cols);
            for (std::int64_t r = 0; r < rows; ++r) {
                const float want =
                    dot(bytes.data() + static_cast<std::size_t>(r) * rowBytes(type, cols),
                        act.data(), cols);
                QCOMPARE(y[static_cast<std::size_t>(t * rows + r)], want);
            }
        }
        const WeightMatrix iq{GgmlType::IQ4_XS, bytes.data(), rows, cols};
        QVERIFY(!cpuMatmulQuantized(pool, iq, x.data(), n, y.data())); // no fused kernel
    }
};

QTEST_APPLESS_MAIN(TestVecDot)
#include "tst_vec_dot.moc"
