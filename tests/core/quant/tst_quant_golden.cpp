// Every case of tests/data/golden/quant-vectors and quant-vectors-iq (made by llama.cpp's
// ggml_quantize_chunk and to_float): our quantizer must write the same bytes, our dequantizer
// the same float bits.
#include "core/quant/error_metrics.h"
#include "core/quant/format_registry.h"
#include "core/quant/ggml_type.h"
#include "core/quant/quant_kernels.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <vector>

using namespace qs::core;

namespace {

const QString kDir = QStringLiteral(QS_GOLDEN_DIR "/quant-vectors/");
// The i-quant cases; their inputs and weights paths are relative to this folder too.
const QString kIqDir = QStringLiteral(QS_GOLDEN_DIR "/quant-vectors-iq/");

std::vector<char> readFile(const QString& path) {
    std::ifstream in(path.toStdString(), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<float> readFloats(const QString& path) {
    const auto bytes = readFile(path);
    std::vector<float> values(bytes.size() / sizeof(float));
    std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
    return values;
}

// Describes the first differing byte, or returns an empty string.
QString firstDifference(const std::vector<char>& actual, const std::vector<char>& expected,
                        std::size_t unit) {
    if (actual.size() != expected.size()) {
        return QStringLiteral("size %1 != %2").arg(actual.size()).arg(expected.size());
    }
    std::size_t count = 0, first = 0;
    for (std::size_t i = 0; i < actual.size(); ++i) {
        if (actual[i] != expected[i]) {
            if (count++ == 0) {
                first = i;
            }
        }
    }
    if (count == 0) {
        return {};
    }
    return QStringLiteral("%1 bytes differ; first at byte %2 (block/value %3): got 0x%4, want 0x%5")
        .arg(count)
        .arg(first)
        .arg(first / unit)
        .arg(static_cast<unsigned char>(actual[first]), 2, 16, QLatin1Char('0'))
        .arg(static_cast<unsigned char>(expected[first]), 2, 16, QLatin1Char('0'));
}

} // namespace

class TestQuantGolden : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        std::ifstream in((kDir + "manifest.json").toStdString());
        QVERIFY2(in.good(), "tests/data/golden/quant-vectors/manifest.json is missing");
        m_manifest = nlohmann::json::parse(in);
        QCOMPARE(m_manifest["cases"].size(), std::size_t(1276));
        std::ifstream iq((kIqDir + "manifest.json").toStdString());
        QVERIFY2(iq.good(), "tests/data/golden/quant-vectors-iq/manifest.json is missing");
        m_iqManifest = nlohmann::json::parse(iq);
        QCOMPARE(m_iqManifest["cases"].size(), std::size_t(394));
    }

    void matchesLlamaCpp_data() {
        QTest::addColumn<int>("index");
        QTest::addColumn<bool>("avx2");
        // Every case twice where the CPU has AVX2: the dispatched AVX2 kernels and the baseline
        // x86-64 ones must both give llama.cpp's bytes.
        const bool haveAvx2 = quant::useAvx2Kernels();
        int i = 0;
        for (const auto& c : m_manifest["cases"]) {
            const std::string id = c["id"].get<std::string>();
            QTest::newRow(id.c_str()) << i << haveAvx2;
            if (haveAvx2) {
                QTest::newRow((id + "/baseline").c_str()) << i << false;
            }
            ++i;
        }
    }

    void cleanup() { quant::allowAvx2Kernels(true); }

    void matchesLlamaCpp() {
        QFETCH(int, index);
        QFETCH(bool, avx2);
        quant::allowAvx2Kernels(avx2);
        QCOMPARE(quant::useAvx2Kernels(), avx2);
        checkCase(m_manifest["cases"][static_cast<std::size_t>(index)], kDir);
    }

    // The i-quants: 394 cases, each type with and (where ggml allows) without importance.
    void iquantsMatchLlamaCpp_data() {
        QTest::addColumn<int>("index");
        int i = 0;
        for (const auto& c : m_iqManifest["cases"]) {
            QTest::newRow(c["id"].get<std::string>().c_str()) << i++;
        }
    }

    void iquantsMatchLlamaCpp() {
        QFETCH(int, index);
        checkCase(m_iqManifest["cases"][static_cast<std::size_t>(index)], kIqDir);
    }

private:
    static void checkCase(const nlohmann::json& c, const QString& dir) {
        const auto* info = ggmlTypeInfo(c["ggml_type_id"].get<std::uint32_t>());
        QVERIFY(info);
        QCOMPARE(QString::fromStdString(std::string(info->name)),
                 QString::fromStdString(c["type"].get<std::string>()));
        const auto* format = quantFormat(info->type);
        QVERIFY(format && format->cpuQuantize && format->cpuDequantize);

        const auto nRows = c["n_rows"].get<std::int64_t>();
        const auto nPerRow = c["n_per_row"].get<std::int64_t>();
        const auto input = readFloats(dir + QString::fromStdString(c["input"].get<std::string>()));
        QCOMPARE(static_cast<std::int64_t>(input.size()), nRows * nPerRow);
        std::vector<float> weights;
        if (!c["weights"].is_null()) {
            weights = readFloats(dir + QString::fromStdString(c["weights"].get<std::string>()));
            QCOMPARE(static_cast<std::int64_t>(weights.size()), nPerRow);
        }
        const auto expected =
            readFile(dir + QString::fromStdString(c["quantized"].get<std::string>()));
        QCOMPARE(expected.size(), c["quantized_bytes"].get<std::size_t>());
        QCOMPARE(static_cast<std::uint64_t>(expected.size()),
                 *ggmlRowBytes(info->type, static_cast<std::uint64_t>(nPerRow)) *
                     static_cast<std::uint64_t>(nRows));

        // Quantize all rows in one call, as ggml_quantize_chunk did.
        std::vector<char> quantized(expected.size(), '\x55');
        const Status q = quantizeRows(info->type, input.data(), quantized.data(), nRows, nPerRow,
                                      weights.empty() ? nullptr : weights.data());
        QVERIFY2(q.ok(), q.ok() ? "" : q.error().toString().c_str());
        const QString diff = firstDifference(quantized, expected, info->bytesPerBlock);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));

        // Dequantize the expected bytes (not ours) so the two checks stay independent.
        const auto wanted =
            readFile(dir + QString::fromStdString(c["dequantized"].get<std::string>()));
        std::vector<char> dequantized(wanted.size(), '\x55');
        const Status d =
            dequantizeRow(info->type, expected.data(), reinterpret_cast<float*>(dequantized.data()),
                          nRows * nPerRow);
        QVERIFY2(d.ok(), d.ok() ? "" : d.error().toString().c_str());
        const QString fdiff = firstDifference(dequantized, wanted, sizeof(float));
        QVERIFY2(fdiff.isEmpty(), qPrintable(fdiff));

        // The error metrics of this case equal a plain recomputation from the golden values.
        const auto* golden = reinterpret_cast<const float*>(wanted.data());
        const std::span<const float> approx(golden, input.size());
        const ErrorMetrics m = tensorErrorMetrics(input, approx, nPerRow, weights);
        double sse = 0, maxAbs = 0, weightedSse = 0, weightSum = 0;
        for (std::size_t i = 0; i < input.size(); ++i) {
            const double e = static_cast<double>(input[i]) - golden[i];
            sse += e * e;
            maxAbs = std::max(maxAbs, std::fabs(e));
            if (!weights.empty()) {
                const double w = weights[i % weights.size()];
                weightedSse += w * e * e;
                weightSum += w;
            }
        }
        QCOMPARE(m.count, static_cast<std::int64_t>(input.size()));
        QCOMPARE(m.mse, sse / static_cast<double>(input.size()));
        QCOMPARE(m.maxAbsError, maxAbs);
        QCOMPARE(m.weightedMse.has_value(), !weights.empty());
        if (!weights.empty()) {
            QCOMPARE(*m.weightedMse, weightedSse / weightSum);
        }
    }

    nlohmann::json m_manifest;
    nlohmann::json m_iqManifest;
};

QTEST_APPLESS_MAIN(TestQuantGolden)
#include "tst_quant_golden.moc"
