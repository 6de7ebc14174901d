// Issue 20: calibrated rounding into ggml's block formats. The block grid (scale and offset
// per value, levels in and out) must reproduce the project's dequantizer bit for bit, and GPTQ
// on that grid must give a lower layer-output error than the format's own quantizer.
#include "core/gptq/ggml_rounding.h"
#include "core/gptq/gptq.h"
#include "core/quant/block_grid.h"
#include "core/quant/format_registry.h"

#include <QTest>

#include <cmath>
#include <cstring>
#include <random>

using namespace qs::core;

namespace {

// Inputs with correlated channels (a few latent factors plus noise) of uneven scale, as
// transformer activations have: there error feedback pays off, as in tst_gptq_core.
std::vector<double> correlatedHessian(int cols, int tokens, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> n01(0.0f, 1.0f);
    const int factors = 8;
    std::vector<float> mix(static_cast<std::size_t>(factors) * cols);
    for (auto& v : mix) {
        v = n01(rng);
    }
    std::vector<float> channelScale(static_cast<std::size_t>(cols));
    for (auto& v : channelScale) {
        v = std::exp(0.7f * n01(rng));
    }
    std::vector<float> x(static_cast<std::size_t>(tokens) * cols);
    std::vector<float> z(factors);
    for (int t = 0; t < tokens; ++t) {
        for (auto& v : z) {
            v = n01(rng);
        }
        for (int c = 0; c < cols; ++c) {
            float s = 0.3f * n01(rng);
            for (int f = 0; f < factors; ++f) {
                s += z[f] * mix[static_cast<std::size_t>(f) * cols + c];
            }
            x[static_cast<std::size_t>(t) * cols + c] = s * channelScale[c];
        }
    }
    HessianAccumulator acc(cols);
    acc.add(x.data(), tokens);
    return acc.hessian();
}

std::vector<float> randomMatrix(int rows, int cols, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> n01(0.0f, 1.0f);
    std::vector<float> w(static_cast<std::size_t>(rows) * cols);
    for (auto& v : w) {
        v = 0.05f * n01(rng);
    }
    return w;
}

std::vector<float> dequantized(GgmlType type, const std::vector<std::byte>& bytes,
                               std::size_t values) {
    std::vector<float> out(values);
    const auto s = dequantizeRow(type, bytes.data(), out.data(), static_cast<std::int64_t>(values));
    return s ? out : std::vector<float>();
}

// Every block's stored levels lie in the grid's range and decode, through the grid, to what
// the dequantizer gives, bit for bit.
void verifyOnGrid(GgmlType type, const std::vector<std::byte>& bytes, std::size_t values) {
    const std::vector<float> dq = dequantized(type, bytes, values);
    QCOMPARE(dq.size(), values);
    const GgmlTypeInfo& info = ggmlTypeInfo(type);
    BlockGrid grid;
    int levels[256];
    for (std::size_t b = 0; b < values / info.blockSize; ++b) {
        const std::byte* block = bytes.data() + b * info.bytesPerBlock;
        QVERIFY(readBlockGrid(type, block, grid));
        QVERIFY(readBlockLevels(type, block, levels));
        QCOMPARE(static_cast<std::size_t>(grid.size), info.blockSize);
        for (int j = 0; j < grid.size; ++j) {
            QVERIFY(levels[j] >= grid.minLevel && levels[j] <= grid.maxLevel);
            const float expected = dq[b * info.blockSize + static_cast<std::size_t>(j)];
            const float got = grid.value(j, levels[j]);
            QVERIFY2(std::memcmp(&expected, &got, sizeof(float)) == 0,
                     qPrintable(QString("block %1 value %2: %3 vs %4")
                                    .arg(b)
                                    .arg(j)
                                    .arg(double(got))
                                    .arg(double(expected))));
        }
    }
}

void addTypes() {
    QTest::addColumn<int>("type");
    for (GgmlType t : {GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K,
                       GgmlType::Q6_K, GgmlType::Q4_0, GgmlType::Q5_0, GgmlType::Q8_0}) {
        QTest::newRow(std::string(ggmlTypeInfo(t).name).c_str()) << static_cast<int>(t);
    }
}

} // namespace

class TestGgmlRounding : public QObject {
    Q_OBJECT

private slots:
    // The format's own bytes read back through the grid: values bit-exact with the
    // dequantizer, and writing the levels read gives the same bytes.
    void gridMatchesDequantizer_data() { addTypes(); }
    void gridMatchesDequantizer() {
        QFETCH(int, type);
        const auto t = static_cast<GgmlType>(type);
        const int rows = 8, cols = 512;
        const auto w = randomMatrix(rows, cols, 3);
        std::vector<float> importance(cols);
        std::mt19937 rng(5);
        std::uniform_real_distribution<float> u(0.1f, 2.0f);
        for (auto& v : importance) {
            v = u(rng);
        }
        for (const float* imp :
             {static_cast<const float*>(nullptr), static_cast<const float*>(importance.data())}) {
            std::vector<std::byte> bytes(rows * *ggmlRowBytes(t, cols));
            QVERIFY(quantizeRows(t, w.data(), bytes.data(), rows, cols, imp));
            verifyOnGrid(t, bytes, w.size());
            const GgmlTypeInfo& info = ggmlTypeInfo(t);
            std::vector<std::byte> rewritten = bytes;
            int levels[256];
            for (std::size_t b = 0; b < w.size() / info.blockSize; ++b) {
                std::byte* block = rewritten.data() + b * info.bytesPerBlock;
                QVERIFY(readBlockLevels(t, block, levels));
                QVERIFY(writeBlockLevels(t, block, levels));
            }
            QVERIFY(rewritten == bytes);
        }
    }

    // GPTQ on the format's grid against the format's own quantizer (llama-quantize's bytes)
    // on a random SPD Hessian from correlated inputs: lower output error, bytes on the grid.
    void calibratedBeatsPlain_data() { addTypes(); }
    void calibratedBeatsPlain() {
        QFETCH(int, type);
        const auto t = static_cast<GgmlType>(type);
        const int rows = 32, cols = 512;
        const auto w = randomMatrix(rows, cols, 11);
        const auto h = correlatedHessian(cols, 2048, 13);
        // The importance llama-imatrix would give: the mean square of each input.
        std::vector<float> importance(cols);
        for (int c = 0; c < cols; ++c) {
            importance[c] = static_cast<float>(h[static_cast<std::size_t>(c) * cols + c] / 2.0);
        }
        for (const float* imp :
             {static_cast<const float*>(nullptr), static_cast<const float*>(importance.data())}) {
            std::vector<std::byte> plain(rows * *ggmlRowBytes(t, cols));
            QVERIFY(quantizeRows(t, w.data(), plain.data(), rows, cols, imp));
            GgmlRoundingOptions o;
            o.threads = 2;
            auto calibrated = ggmlCalibratedQuantize(t, w, rows, cols, h, imp, o);
            QVERIFY2(calibrated, calibrated ? "" : calibrated.error().message.c_str());
            QCOMPARE(calibrated->size(), plain.size());
            verifyOnGrid(t, *calibrated, w.size());
            const double plainError =
                outputError(w, dequantized(t, plain, w.size()), rows, cols, h);
            const double calibratedError =
                outputError(w, dequantized(t, *calibrated, w.size()), rows, cols, h);
            qInfo("%s%s: output error plain %.4g, calibrated %.4g (%.3fx)",
                  std::string(ggmlTypeInfo(t).name).c_str(), imp ? " imatrix" : "", plainError,
                  calibratedError, calibratedError / plainError);
            QVERIFY(calibratedError <= plainError);
        }
    }

    void refusesOtherTypes() {
        const auto w = randomMatrix(2, 256, 1);
        const auto h = correlatedHessian(256, 512, 2);
        auto r = ggmlCalibratedQuantize(GgmlType::IQ4_XS, w, 2, 256, h, nullptr, {});
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::Unsupported);
    }
};

QTEST_APPLESS_MAIN(TestGgmlRounding)
#include "tst_ggml_rounding.moc"
