// Importance matrices written by llama-imatrix (tests/data/golden/imatrix): the GGUF and the
// legacy .dat file of the same run must give bit-identical llama-quantize weights, and those
// must equal the weights the quant-vectors cases were made with.
#include "core/io/imatrix.h"

#include <QTemporaryDir>
#include <QTest>

#include <bit>
#include <cstring>
#include <fstream>
#include <iterator>

using namespace qs::core;

namespace {

const std::string kDir = QS_GOLDEN_DIR "/imatrix/";
const std::string kWeightsDir = QS_GOLDEN_DIR "/quant-vectors/weights/";

std::vector<float> readFloats(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::vector<float> values(bytes.size() / sizeof(float));
    std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
    return values;
}

bool sameBits(std::span<const float> a, std::span<const float> b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
}

} // namespace

class TestImatrix : public QObject {
    Q_OBJECT

private slots:
    void ggufEqualsDat_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<int>("entries");
        // 5 layers x 7 weights; 4 layers x 7 weights (output/token_embd never get entries).
        QTest::newRow("stories260K") << "stories260K" << 35;
        QTest::newRow("shakespeare-3M") << "shakespeare-3M" << 28;
    }
    void ggufEqualsDat() {
        QFETCH(QString, model);
        QFETCH(int, entries);
        const std::string base = kDir + model.toStdString() + "-imatrix";
        auto gguf = readImatrix(base + ".gguf");
        QVERIFY2(gguf.ok(), gguf.ok() ? "" : gguf.error().toString().c_str());
        auto dat = readImatrix(base + ".dat");
        QVERIFY2(dat.ok(), dat.ok() ? "" : dat.error().toString().c_str());
        QCOMPARE(gguf->format, ImatrixFormat::Gguf);
        QCOMPARE(dat->format, ImatrixFormat::LegacyDat);
        QCOMPARE(static_cast<int>(gguf->entries.size()), entries);
        QCOMPARE(dat->entries.size(), gguf->entries.size());
        QCOMPARE(gguf->chunkSize, std::int64_t(128));
        QVERIFY(gguf->chunkCount > 0);
        QCOMPARE(dat->chunkCount, gguf->chunkCount);
        QCOMPARE(gguf->datasets.size(), std::size_t(1));
        QCOMPARE(dat->datasets, gguf->datasets);
        for (const auto& e : gguf->entries) {
            const ImatrixEntry* legacy = dat->find(e.name);
            QVERIFY2(legacy, e.name.c_str());
            QCOMPARE(legacy->columns, e.columns);
            QCOMPARE(e.matrices, std::int64_t(1));
            QVERIFY2(sameBits(e.weights, legacy->weights), e.name.c_str());
            QVERIFY(e.counts[0] > 0);
        }
        QVERIFY(gguf->find("output.weight") == nullptr);
    }

    // quant-vectors' imatrix weights: in_sum2 / counts of stories260K, tiled 4x to 256.
    void matchesQuantVectorWeights_data() {
        QTest::addColumn<QString>("tensor");
        for (const char* layer : {"0", "4"}) {
            for (const char* w :
                 {"attn_k", "attn_output", "attn_q", "attn_v", "ffn_gate", "ffn_up"}) {
                const QString t = QStringLiteral("blk.%1.%2").arg(layer, w);
                QTest::newRow(qPrintable(t)) << t;
            }
        }
    }
    void matchesQuantVectorWeights() {
        QFETCH(QString, tensor);
        auto imatrix = readImatrixGguf(kDir + "stories260K-imatrix.gguf");
        QVERIFY(imatrix.ok());
        const ImatrixEntry* e = imatrix->find(tensor.toStdString() + ".weight");
        QVERIFY(e);
        QCOMPARE(e->columns, std::int64_t(64));
        const auto expected =
            readFloats(kWeightsDir + "imatrix-stories260K-" + tensor.toStdString() + "-r256.f32");
        QCOMPARE(expected.size(), std::size_t(256));
        for (int tile = 0; tile < 4; ++tile) {
            QVERIFY(sameBits(e->matrixWeights(), std::span(expected).subspan(64 * tile, 64)));
        }
    }

    void rejectsBrokenFiles() {
        QTemporaryDir dir;
        const std::string truncated = dir.filePath("truncated.dat").toStdString();
        {
            std::ifstream in(kDir + "stories260K-imatrix.dat", std::ios::binary);
            std::vector<char> bytes{std::istreambuf_iterator<char>(in),
                                    std::istreambuf_iterator<char>()};
            std::ofstream out(truncated, std::ios::binary);
            out.write(bytes.data(), 100);
        }
        auto r = readImatrix(truncated);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Format);
        QVERIFY(!readImatrix(dir.filePath("missing.dat").toStdString()).ok());
        // A model GGUF is not an imatrix.
        auto notImatrix = readImatrixGguf(QS_RESOURCES_DIR "/models/stories260K-f32.gguf");
        QVERIFY(!notImatrix.ok());
    }
};

QTEST_APPLESS_MAIN(TestImatrix)
#include "tst_imatrix.moc"
