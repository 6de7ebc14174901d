#include "test_paths.h"

#include "core/eval/llama_context.h"
#include "core/eval/llama_weights.h"
#include "core/io/gguf_reader.h"
#include "core/io/synthetic_model.h"
#include "core/quant/half.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace qs::core;

namespace {

QByteArray sha256Of(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(&f);
    return h.result().toHex();
}

SyntheticShape smallShape() {
    SyntheticShape s;
    s.layers = 1;
    s.dim = 512;
    s.ffn = 768;
    s.heads = 8;
    s.kvHeads = 2;
    s.vocab = 600;
    return s;
}

Status write(const QString& path, const SyntheticOptions& o) {
    NullProgressSink progress;
    CancelToken cancel;
    return writeSyntheticModel(path.toStdString(), o, progress, cancel);
}

// A tensor's values as floats.
std::vector<float> values(const Model& model, const std::string& name) {
    const TensorInfo* t = model.findTensor(name);
    if (t == nullptr) {
        return {};
    }
    std::vector<std::byte> bytes(t->byteSize);
    if (!model.readTensorData(*t, bytes)) {
        return {};
    }
    std::vector<float> out(t->elementCount());
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (t->type == GgmlType::F32) {
            std::memcpy(&out[i], bytes.data() + 4 * i, 4);
        } else {
            std::uint16_t h;
            std::memcpy(&h, bytes.data() + 2 * i, 2);
            out[i] = t->type == GgmlType::F16 ? fp16ToFp32(h) : bf16ToFp32(h);
        }
    }
    return out;
}

} // namespace

class TestSyntheticModel : public QObject {
    Q_OBJECT

private slots:
    void namedShapes() {
        const auto s8 = syntheticShapeByName("8b");
        QVERIFY(s8.has_value());
        QCOMPARE(s8->dim, 4096u);
        QCOMPARE(s8->ffn, 14336u);
        QCOMPARE(s8->layers, 32u);
        QCOMPARE(s8->heads, 32u);
        QCOMPARE(s8->kvHeads, 8u);
        QCOMPARE(s8->vocab, 128256u);
        QVERIFY(validateSyntheticShape(*s8).ok());
        // Llama-3-8B has 8.03 B parameters: 16.06 GB as F16.
        std::uint64_t params = 0;
        for (const auto& t : syntheticTensors(*s8, GgmlType::F16)) {
            std::uint64_t n = 1;
            for (auto d : t.dims) {
                n *= d;
            }
            params += n;
        }
        QCOMPARE(params, std::uint64_t{8030261248});
        QVERIFY(syntheticShapeByName("1b").has_value());
        QVERIFY(syntheticShapeByName("tiny").has_value());
        QVERIFY(!syntheticShapeByName("70b").has_value());
    }

    void invalidShapesAreRejected() {
        SyntheticShape s = smallShape();
        s.heads = 7; // does not divide 512
        QCOMPARE(validateSyntheticShape(s).error().code, ErrorCode::InvalidArgument);
        s = smallShape();
        s.kvHeads = 3;
        QVERIFY(!validateSyntheticShape(s).ok());
        s = smallShape();
        s.layers = 0;
        QVERIFY(!validateSyntheticShape(s).ok());
        s = smallShape();
        s.vocab = 2;
        QVERIFY(!validateSyntheticShape(s).ok());
        QTemporaryDir dir;
        SyntheticOptions o;
        o.shape = s;
        QVERIFY(!write(dir.filePath("bad.gguf"), o).ok());
        QVERIFY(!QFile::exists(dir.filePath("bad.gguf")));
    }

    // The file opens as a Llama model with the stories260K vocabulary and the shape asked.
    void tinyIsALlamaModel() {
        QTemporaryDir dir;
        const QString path = dir.filePath("tiny.gguf");
        SyntheticOptions o;
        o.shape = *syntheticShapeByName("tiny");
        QVERIFY(write(path, o).ok());
        auto model = readGguf(path.toStdString());
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());
        const auto hp = model->hparams();
        QCOMPARE(hp.architecture, std::string("llama"));
        QCOMPARE(hp.embeddingLength, 64u);
        QCOMPARE(hp.blockCount, 2u);
        QCOMPARE(hp.feedForwardLength, 172u);
        QCOMPARE(hp.headCount, 8u);
        QCOMPARE(hp.headCountKv, 4u);
        QCOMPARE(hp.vocabSize, 512u);
        QCOMPARE(model->tensors().size(), std::size_t{2 * 9 + 3});
        QCOMPARE(model->findTensor("blk.1.attn_k.weight")->dims,
                 (std::vector<std::uint64_t>{64, 32}));
        QCOMPARE(model->findTensor("blk.0.attn_q.weight")->type, GgmlType::F16);
        QCOMPARE(model->findTensor("blk.0.attn_norm.weight")->type, GgmlType::F32);
        QCOMPARE(model->metadata().integer("general.file_type"), std::optional<std::int64_t>(1));
        auto stories = readGguf(bundledGguf("stories260K-f32.gguf").toStdString());
        QVERIFY(stories.ok());
        for (const char* key :
             {"tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type"}) {
            QVERIFY2(*model->metadata().find(key) == *stories->metadata().find(key), key);
        }
        QCOMPARE(model->metadata().string("tokenizer.ggml.model"), std::string("llama"));
    }

    // Issue 18: a model of every dense family, with its family's tensors, that the forward pass
    // runs; and the real shapes' parameter counts.
    void everyDenseFamily_data() {
        QTest::addColumn<QString>("family");
        QTest::addColumn<int>("tensorsPerLayer");
        QTest::newRow("llama") << "llama" << 9;
        QTest::newRow("qwen2") << "qwen2" << 12;
        QTest::newRow("qwen3") << "qwen3" << 11;
        QTest::newRow("gemma3") << "gemma3" << 13;
        QTest::newRow("phi3") << "phi3" << 6;
    }
    void everyDenseFamily() {
        QFETCH(QString, family);
        QFETCH(int, tensorsPerLayer);
        SyntheticOptions o;
        o.shape = smallShape();
        o.shape.dim = 256;
        o.shape.heads = 4;
        o.shape.architecture = family.toStdString();
        if (family == QLatin1String("qwen3") || family == QLatin1String("gemma3")) {
            o.shape.headDim = 128; // 4 heads of 128 on a 256-wide model, as Qwen3's files have
        }
        o.shape.tiedOutput = family == QLatin1String("gemma3");
        o.shape.slidingWindow = family == QLatin1String("gemma3") ? 16 : 0;
        QTemporaryDir dir;
        const QString path = dir.filePath("f.gguf");
        QVERIFY(write(path, o).ok());
        auto model = readGguf(path.toStdString());
        QVERIFY(model.ok());
        QCOMPARE(model->hparams().architecture, family.toStdString());
        const std::size_t globals = o.shape.tiedOutput ? 2 : 3;
        QCOMPARE(model->tensors().size(), globals + static_cast<std::size_t>(tensorsPerLayer));
        auto weights = LlamaWeights::fromModel(*model);
        QVERIFY2(weights.ok(), weights.ok() ? "" : weights.error().message.c_str());
        LlamaContext context(*weights, 32, 1);
        std::vector<float> logits;
        const std::vector<std::int32_t> tokens = {1, 20, 30, 40, 50, 60, 70, 80};
        QVERIFY(context.evaluate(tokens, 0, logits).ok());
        QCOMPARE(logits.size(), tokens.size() * o.shape.vocab);
        QVERIFY(
            std::all_of(logits.begin(), logits.end(), [](float v) { return std::isfinite(v); }));
    }

    void realShapesHaveTheirParameterCounts_data() {
        QTest::addColumn<QString>("shape");
        QTest::addColumn<double>("billions"); // published sizes
        QTest::newRow("qwen2.5-7b") << "qwen2.5-7b" << 7.62;
        QTest::newRow("qwen3-8b") << "qwen3-8b" << 8.19;
        QTest::newRow("gemma3-12b") << "gemma3-12b" << 11.77;
        QTest::newRow("phi4") << "phi4" << 14.66;
    }
    void realShapesHaveTheirParameterCounts() {
        QFETCH(QString, shape);
        QFETCH(double, billions);
        const auto s = syntheticShapeByName(shape.toStdString());
        QVERIFY(s.has_value());
        QVERIFY(validateSyntheticShape(*s).ok());
        double params = 0;
        for (const auto& t : syntheticTensors(*s, GgmlType::F16)) {
            double n = 1;
            for (auto d : t.dims) {
                n *= static_cast<double>(d);
            }
            params += n;
        }
        qInfo("%s: %.3f B parameters", qPrintable(shape), params / 1e9);
        QVERIFY(std::abs(params / 1e9 / billions - 1) < 0.01);
    }

    void vocabularyIsPaddedOrTrimmed() {
        QTemporaryDir dir;
        SyntheticOptions o;
        o.shape = *syntheticShapeByName("tiny");
        o.shape.vocab = 600;
        auto md = syntheticMetadata(o);
        QVERIFY(md.ok());
        const MetaArray* tokens = md->find("tokenizer.ggml.tokens")->asArray();
        QCOMPARE(tokens->size(), std::size_t{600});
        QCOMPARE(tokens->strings[599], std::string("[PAD599]"));
        QCOMPARE(md->find("tokenizer.ggml.token_type")->asArray()->integer(599),
                 std::optional<std::int64_t>(5));
        o.shape.vocab = 100;
        md = syntheticMetadata(o);
        QVERIFY(md.ok());
        QCOMPARE(md->find("tokenizer.ggml.tokens")->asArray()->size(), std::size_t{100});
        QCOMPARE(md->find("tokenizer.ggml.scores")->asArray()->size(), std::size_t{100});
    }

    void sameSeedSameBytes() {
        QTemporaryDir dir;
        SyntheticOptions o;
        o.shape = smallShape();
        o.seed = 7;
        QVERIFY(write(dir.filePath("a.gguf"), o).ok());
        QVERIFY(write(dir.filePath("b.gguf"), o).ok());
        o.seed = 8;
        QVERIFY(write(dir.filePath("c.gguf"), o).ok());
        QCOMPARE(sha256Of(dir.filePath("a.gguf")), sha256Of(dir.filePath("b.gguf")));
        QVERIFY(sha256Of(dir.filePath("a.gguf")) != sha256Of(dir.filePath("c.gguf")));
    }

    void typesAreHonoured_data() {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("fileType");
        QTest::newRow("f16") << int(GgmlType::F16) << 1;
        QTest::newRow("f32") << int(GgmlType::F32) << 0;
        QTest::newRow("bf16") << int(GgmlType::BF16) << 32;
    }
    void typesAreHonoured() {
        QFETCH(int, type);
        QFETCH(int, fileType);
        QTemporaryDir dir;
        SyntheticOptions o;
        o.shape = *syntheticShapeByName("tiny");
        o.type = static_cast<GgmlType>(type);
        QVERIFY(write(dir.filePath("m.gguf"), o).ok());
        auto model = readGguf(dir.filePath("m.gguf").toStdString());
        QVERIFY(model.ok());
        QCOMPARE(model->findTensor("output.weight")->type, o.type);
        QCOMPARE(model->findTensor("output_norm.weight")->type, GgmlType::F32);
        QCOMPARE(model->metadata().integer("general.file_type"),
                 std::optional<std::int64_t>(fileType));
        const auto w = values(*model, "blk.1.ffn_down.weight");
        QVERIFY(!w.empty());
        QVERIFY(std::all_of(w.begin(), w.end(), [](float v) { return std::isfinite(v); }));
    }

    // Heavy tails, scale 1/sqrt(fan-in), a few outlier input channels, norms near 1.
    void statisticsResembleRealWeights() {
        QTemporaryDir dir;
        SyntheticOptions o;
        o.shape = smallShape();
        o.type = GgmlType::F32;
        o.seed = 3;
        QVERIFY(write(dir.filePath("m.gguf"), o).ok());
        auto model = readGguf(dir.filePath("m.gguf").toStdString());
        QVERIFY(model.ok());
        const std::size_t cols = 512;
        const auto q = values(*model, "blk.0.attn_q.weight");
        QCOMPARE(q.size(), cols * 512);
        // Bulk statistics over the non-outlier columns.
        std::vector<double> colRms(cols, 0.0);
        for (std::size_t i = 0; i < q.size(); ++i) {
            colRms[i % cols] += double(q[i]) * q[i];
        }
        std::vector<double> sorted = colRms;
        std::sort(sorted.begin(), sorted.end());
        const double medianCol = sorted[cols / 2];
        int outlierCols = 0;
        for (double c : colRms) {
            outlierCols += c > 16 * medianCol ? 1 : 0; // RMS eight times the typical column
        }
        QVERIFY2(outlierCols >= 1 && outlierCols <= 16, qPrintable(QString::number(outlierCols)));
        double m2 = 0, m4 = 0, mean = 0;
        std::size_t n = 0;
        for (std::size_t i = 0; i < q.size(); ++i) {
            if (colRms[i % cols] > 16 * medianCol) {
                continue;
            }
            const double v = q[i];
            mean += v;
            m2 += v * v;
            m4 += v * v * v * v;
            ++n;
        }
        mean /= n;
        m2 /= n;
        m4 /= n;
        const double stddev = std::sqrt(m2);
        const double excessKurtosis = m4 / (m2 * m2) - 3.0;
        QVERIFY2(std::abs(mean) < 0.05 * stddev, qPrintable(QString::number(mean)));
        QVERIFY2(std::abs(stddev * std::sqrt(512.0) - 1.0) < 0.1,
                 qPrintable(QString::number(stddev)));
        QVERIFY2(excessKurtosis > 2.0, qPrintable(QString::number(excessKurtosis)));
        // The residual stream's outlier channels are shared by q, k, v, gate and up.
        const auto up = values(*model, "blk.0.ffn_up.weight");
        std::vector<double> upRms(cols, 0.0);
        for (std::size_t i = 0; i < up.size(); ++i) {
            upRms[i % cols] += double(up[i]) * up[i];
        }
        const auto upMax = std::max_element(upRms.begin(), upRms.end()) - upRms.begin();
        QVERIFY(colRms[upMax] > 16 * medianCol);

        const auto norm = values(*model, "blk.0.attn_norm.weight");
        QCOMPARE(norm.size(), cols);
        std::vector<float> ns = norm;
        std::sort(ns.begin(), ns.end());
        QVERIFY(ns.front() > 0.0f);
        QVERIFY2(std::abs(ns[cols / 2] - 1.0f) < 0.05f, qPrintable(QString::number(ns[cols / 2])));
    }

    // Progress counts bytes up to the data size; a cancel leaves no file and no temporary.
    void progressAndCancel() {
        QTemporaryDir dir;
        SyntheticOptions o;
        o.shape = smallShape();
        std::uint64_t last = 0, total = 0;
        CallbackProgressSink progress(
            [&](std::uint64_t done, std::uint64_t t, const std::string& unit, const std::string&) {
                QCOMPARE(unit, std::string("bytes"));
                QVERIFY(done >= last);
                last = done;
                total = t;
            });
        CancelToken cancel;
        QVERIFY(
            writeSyntheticModel(dir.filePath("p.gguf").toStdString(), o, progress, cancel).ok());
        QVERIFY(total > 0);
        QCOMPARE(last, total);

        CancelToken cancelMidway;
        int calls = 0;
        CallbackProgressSink cancelling(
            [&](std::uint64_t, std::uint64_t, const std::string&, const std::string&) {
                if (++calls == 3) {
                    cancelMidway.requestCancel();
                }
            });
        const auto st =
            writeSyntheticModel(dir.filePath("c.gguf").toStdString(), o, cancelling, cancelMidway);
        QVERIFY(!st.ok());
        QCOMPARE(st.error().code, ErrorCode::Cancelled);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList{"p.gguf"});
    }
};

QTEST_GUILESS_MAIN(TestSyntheticModel)
#include "tst_synthetic_model.moc"
