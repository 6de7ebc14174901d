// Issue 22: the metadata of a quantized GGUF as llama-quantize writes it (tools/quantize/
// quantize.cpp, src/llama-quant.cpp): split keys of the input dropped, the imatrix file name and
// dataset cut as its 128-byte KV override strings are (up to the first NUL, at most 127 bytes),
// and quantize.imatrix.chunks_count only when the chunk count is known.
#include "core/export/quantize_model.h"
#include "core/io/imatrix.h"
#include "core/io/model_reader.h"
#include "core/model/model.h"

#include <QTest>

#include <string>
#include <vector>

using namespace qs::core;

namespace {

const std::string kModel = QS_RESOURCES_DIR "/models/stories260K-f32.gguf";

Model openSource() {
    auto m = openModel(kModel);
    if (!m) {
        qFatal("%s", m.error().message.c_str());
    }
    return std::move(*m);
}

std::vector<std::string> keysOf(const Metadata& meta) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : meta.entries()) {
        keys.push_back(key);
    }
    return keys;
}

std::string stringOf(const Metadata& meta, const char* key) {
    const MetaValue* v = meta.find(key);
    return v && v->asString() ? *v->asString() : std::string("<missing>");
}

} // namespace

class TestQuantizeMetadata : public QObject {
    Q_OBJECT

private slots:
    void splitKeysOfTheInputAreDropped() {
        Model model = openSource();
        const std::vector<std::string> before = keysOf(model.metadata());
        model.metadata().set("split.no", MetaValue(std::uint16_t{0}));
        model.metadata().set("split.count", MetaValue(std::uint16_t{3}));
        model.metadata().set("split.tensors.count", MetaValue(std::int32_t{27}));
        const Metadata meta = quantizedMetadata(model, {});
        for (const char* key : {"split.no", "split.count", "split.tensors.count"}) {
            QVERIFY2(!meta.contains(key), key);
        }
        // The other keys keep their order; the two set by llama-quantize end up last.
        std::vector<std::string> expected;
        for (const auto& key : before) {
            if (key != "general.quantization_version" && key != "general.file_type") {
                expected.push_back(key);
            }
        }
        expected.push_back("general.quantization_version");
        expected.push_back("general.file_type");
        QCOMPARE(keysOf(meta), expected);
    }

    void imatrixStringsAreCutAsLlamaQuantizeCutsThem_data() {
        QTest::addColumn<QByteArray>("given");
        QTest::addColumn<QByteArray>("written");
        QTest::newRow("short") << QByteArray("imatrix.gguf") << QByteArray("imatrix.gguf");
        QTest::newRow("127 bytes") << QByteArray(127, 'a') << QByteArray(127, 'a');
        QTest::newRow("128 bytes") << QByteArray(128, 'b') << QByteArray(127, 'b');
        QTest::newRow("300 bytes") << QByteArray(300, 'c') << QByteArray(127, 'c');
        QTest::newRow("embedded NUL") << QByteArray("ab\0cd", 5) << QByteArray("ab");
        // 64 two-byte characters: the 127th byte is the first half of the last one.
        QByteArray accents;
        for (int i = 0; i < 64; ++i) {
            accents += "\xc3\xa9";
        }
        QTest::newRow("multi-byte cut") << accents << accents.left(127);
        QTest::newRow("empty") << QByteArray() << QByteArray();
    }
    void imatrixStringsAreCutAsLlamaQuantizeCutsThem() {
        QFETCH(QByteArray, given);
        QFETCH(QByteArray, written);
        const Model model = openSource();
        ImportanceMatrix imatrix;
        imatrix.datasets = {given.toStdString() + "-dataset", "second.txt"};
        imatrix.chunkCount = 10;
        QuantizeOptions options;
        options.imatrix = &imatrix;
        options.imatrixFileName = given.toStdString();
        const Metadata meta = quantizedMetadata(model, options);
        QCOMPARE(QByteArray::fromStdString(stringOf(meta, "quantize.imatrix.file")), written);
        const std::string dataset = given.toStdString() + "-dataset";
        QCOMPARE(stringOf(meta, "quantize.imatrix.dataset"),
                 dataset.substr(0, std::min<std::size_t>(dataset.find('\0'), 127)));
    }

    void chunkCountOnlyWhenKnown_data() {
        QTest::addColumn<qint64>("chunks");
        QTest::addColumn<bool>("written");
        QTest::newRow("known") << qint64(42) << true;
        QTest::newRow("unknown") << qint64(0) << false;
    }
    void chunkCountOnlyWhenKnown() {
        QFETCH(qint64, chunks);
        QFETCH(bool, written);
        Model model = openSource();
        // A requantized input may carry an older imatrix's keys: each set key moves to the end.
        model.metadata().set("quantize.imatrix.file", MetaValue(std::string("old.dat")));
        ImportanceMatrix imatrix;
        imatrix.datasets = {"wiki.train.raw"};
        imatrix.chunkCount = chunks;
        imatrix.entries.resize(3);
        QuantizeOptions options;
        options.imatrix = &imatrix;
        options.imatrixFileName = "new.gguf";
        const Metadata meta = quantizedMetadata(model, options);
        const auto keys = keysOf(meta);
        std::vector<std::string> tail = {"general.quantization_version", "general.file_type",
                                         "quantize.imatrix.file", "quantize.imatrix.dataset",
                                         "quantize.imatrix.entries_count"};
        if (written) {
            tail.push_back("quantize.imatrix.chunks_count");
        }
        QVERIFY(keys.size() >= tail.size());
        QCOMPARE(std::vector<std::string>(keys.end() - static_cast<std::ptrdiff_t>(tail.size()),
                                          keys.end()),
                 tail);
        QCOMPARE(stringOf(meta, "quantize.imatrix.file"), std::string("new.gguf"));
        QCOMPARE(meta.find("quantize.imatrix.entries_count")->type(), MetaType::UInt32);
        QCOMPARE(meta.integer("quantize.imatrix.entries_count").value_or(-1), std::int64_t{3});
        QCOMPARE(meta.contains("quantize.imatrix.chunks_count"), written);
        if (written) {
            QCOMPARE(meta.find("quantize.imatrix.chunks_count")->type(), MetaType::UInt32);
            QCOMPARE(meta.integer("quantize.imatrix.chunks_count").value_or(-1),
                     static_cast<std::int64_t>(chunks));
        }
    }
};

QTEST_APPLESS_MAIN(TestQuantizeMetadata)
#include "tst_quantize_metadata.moc"
