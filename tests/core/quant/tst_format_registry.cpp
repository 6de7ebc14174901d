#include "core/quant/error_metrics.h"
#include "core/quant/format_registry.h"

#include <QTest>

#include <cmath>
#include <cstring>
#include <random>
#include <set>
#include <utility>
#include <vector>

using namespace qs::core;

class TestFormatRegistry : public QObject {
    Q_OBJECT

private slots:
    // One registry row per weight type, in id order, and nothing for integer types.
    void coversEveryWeightType() {
        std::set<GgmlType> listed;
        std::uint32_t previous = 0;
        for (const auto& f : allQuantFormats()) {
            QVERIFY(listed.insert(f.type).second);
            QVERIFY(static_cast<std::uint32_t>(f.type) >= previous);
            previous = static_cast<std::uint32_t>(f.type);
            QCOMPARE(quantFormat(f.type), &f);
            QVERIFY(!f.info().isInteger);
        }
        for (const auto& t : allGgmlTypes()) {
            QCOMPARE(listed.count(t.type) == 1, !t.isInteger);
        }
        QVERIFY(quantFormat(GgmlType::I32) == nullptr);
    }

    void capabilities() {
        const std::set<GgmlType> quantizable{
            GgmlType::F32,   GgmlType::F16,   GgmlType::BF16,  GgmlType::Q4_0,    GgmlType::Q4_1,
            GgmlType::Q5_0,  GgmlType::Q5_1,  GgmlType::Q8_0,  GgmlType::Q2_K,    GgmlType::Q3_K,
            GgmlType::Q4_K,  GgmlType::Q5_K,  GgmlType::Q6_K,  GgmlType::IQ4_NL,  GgmlType::IQ4_XS,
            GgmlType::TQ1_0, GgmlType::TQ2_0, GgmlType::MXFP4, GgmlType::IQ2_XXS, GgmlType::IQ2_XS,
            GgmlType::IQ2_S, GgmlType::IQ1_S, GgmlType::IQ1_M, GgmlType::IQ3_XXS, GgmlType::IQ3_S};
        for (const auto& f : allQuantFormats()) {
            QCOMPARE(f.cpuQuantize, quantizable.count(f.type) == 1);
            QVERIFY(!f.cpuQuantize || f.cpuDequantize);
        }
        QVERIFY(quantFormat(GgmlType::Q8_1)->readOnly());
        QVERIFY(quantFormat(GgmlType::Q8_K)->readOnly());
        QVERIFY(!quantFormat(GgmlType::Q8_0)->weightsChangeOutput);
        QVERIFY(quantFormat(GgmlType::Q4_K)->weightsChangeOutput);
        QVERIFY(quantFormat(GgmlType::IQ2_XXS)->requiresImatrix);
        QVERIFY(!quantFormat(GgmlType::Q2_K)->requiresImatrix);
    }

    void rejectsBadArguments() {
        std::vector<float> src(64, 1.0f);
        std::vector<char> dst(1024);
        auto s = quantizeRows(GgmlType::Q4_K, src.data(), dst.data(), 1, 64, nullptr);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::InvalidArgument);
        s = quantizeRows(GgmlType::NVFP4, src.data(), dst.data(), 1, 256, nullptr);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::Unsupported);
        // ggml's IQ2_XXS, IQ2_XS and IQ1_S quantizers need importance weights: a clear error,
        // not an abort. IQ2_S and IQ1_M make their own weights, as in ggml.
        std::vector<float> values(256);
        for (std::size_t i = 0; i < values.size(); ++i) {
            values[i] = std::sin(static_cast<float>(i));
        }
        for (GgmlType t : {GgmlType::IQ2_XXS, GgmlType::IQ2_XS, GgmlType::IQ1_S}) {
            s = quantizeRows(t, values.data(), dst.data(), 1, 256, nullptr);
            QVERIFY(!s.ok());
            QCOMPARE(s.error().code, ErrorCode::InvalidArgument);
        }
        for (GgmlType t : {GgmlType::IQ2_S, GgmlType::IQ1_M}) {
            QVERIFY(quantizeRows(t, values.data(), dst.data(), 1, 256, nullptr).ok());
        }
        s = dequantizeRow(GgmlType::NVFP4, dst.data(), src.data(), 256);
        QCOMPARE(s.error().code, ErrorCode::Unsupported);
        s = dequantizeRow(GgmlType::Q8_0, dst.data(), src.data(), 33);
        QCOMPARE(s.error().code, ErrorCode::InvalidArgument);
        QVERIFY(quantizeRows(GgmlType::Q8_0, nullptr, nullptr, 0, 32, nullptr).ok());
    }

    // Round trip of Gaussian rows: the error shrinks as the bit width grows (a sanity check;
    // bit-exactness is tst_quant_golden's job).
    void roundTrip_data() {
        QTest::addColumn<int>("type");
        QTest::addColumn<double>("maxRelativeRmse");
        auto row = [](GgmlType t, double bound) {
            QTest::newRow(std::string(ggmlTypeInfo(t).name).c_str())
                << static_cast<int>(t) << bound;
        };
        row(GgmlType::F32, 0.0);
        row(GgmlType::F16, 1e-3);
        row(GgmlType::BF16, 5e-3);
        row(GgmlType::Q8_0, 0.01);
        row(GgmlType::Q6_K, 0.04);
        row(GgmlType::Q5_0, 0.06);
        row(GgmlType::Q5_1, 0.06);
        row(GgmlType::Q5_K, 0.06);
        row(GgmlType::Q4_0, 0.12);
        row(GgmlType::Q4_1, 0.12);
        row(GgmlType::Q4_K, 0.12);
        row(GgmlType::IQ4_NL, 0.12);
        row(GgmlType::IQ4_XS, 0.12);
        row(GgmlType::MXFP4, 0.2);
        row(GgmlType::Q3_K, 0.25);
        row(GgmlType::IQ3_S, 0.25);
        row(GgmlType::IQ3_XXS, 0.3);
        row(GgmlType::Q2_K, 0.45);
        row(GgmlType::TQ2_0, 0.8);
        row(GgmlType::TQ1_0, 0.8);
    }
    void roundTrip() {
        QFETCH(int, type);
        QFETCH(double, maxRelativeRmse);
        const auto t = static_cast<GgmlType>(type);
        constexpr std::int64_t nRows = 3, nPerRow = 512;
        std::mt19937 rng(42);
        std::normal_distribution<float> gauss;
        std::vector<float> src(nRows * nPerRow), weights(nPerRow), back(src.size());
        for (auto& v : src) {
            v = gauss(rng);
        }
        for (auto& w : weights) {
            w = std::fabs(gauss(rng)) + 0.1f;
        }
        std::vector<char> q(*ggmlRowBytes(t, nPerRow) * nRows);
        for (const float* importance :
             {static_cast<const float*>(nullptr), std::as_const(weights).data()}) {
            QVERIFY(quantizeRows(t, src.data(), q.data(), nRows, nPerRow, importance).ok());
            QVERIFY(dequantizeRow(t, q.data(), back.data(), nRows * nPerRow).ok());
            const ErrorMetrics m = tensorErrorMetrics(src, back, nPerRow);
            QVERIFY2(m.relativeRmse <= maxRelativeRmse,
                     qPrintable(QString::number(m.relativeRmse)));
        }
    }

    // F16 to float for all 65536 halves (the vectorized loop and its scalar tail) against the
    // IEEE binary16 definition written out here: zero, subnormals, normals, inf, NaN payloads.
    void halfToFloatIsExact() {
        std::vector<std::uint16_t> halves(65536 + 3);
        for (std::size_t i = 0; i < halves.size(); ++i) {
            halves[i] = static_cast<std::uint16_t>(i);
        }
        std::vector<float> out(halves.size());
        QVERIFY(dequantizeRow(GgmlType::F16, halves.data(), out.data(),
                              static_cast<std::int64_t>(halves.size()))
                    .ok());
        for (std::size_t i = 0; i < halves.size(); ++i) {
            const std::uint16_t h = halves[i];
            const int exponent = (h >> 10) & 0x1f;
            const int mantissa = h & 0x3ff;
            double magnitude;
            if (exponent == 0x1f) {
                magnitude = mantissa ? std::nan("") : INFINITY;
            } else if (exponent == 0) {
                magnitude = std::ldexp(mantissa, -24);
            } else {
                magnitude = std::ldexp(1024 + mantissa, exponent - 25);
            }
            const float value =
                (h & 0x8000) ? -static_cast<float>(magnitude) : static_cast<float>(magnitude);
            if (std::isnan(value)) {
                // NaN keeps sign and payload: the mantissa moves up by 13 bits.
                std::uint32_t bits;
                std::memcpy(&bits, &out[i], sizeof(bits));
                QCOMPARE(bits, (static_cast<std::uint32_t>(h & 0x8000) << 16) | 0x7f800000u |
                                   (static_cast<std::uint32_t>(mantissa) << 13));
            } else {
                QCOMPARE(std::signbit(out[i]), std::signbit(value));
                QVERIFY2(out[i] == value, qPrintable(QString::number(h, 16)));
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestFormatRegistry)
#include "tst_format_registry.moc"
