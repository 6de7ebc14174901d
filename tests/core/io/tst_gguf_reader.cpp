#include "test_paths.h"

#include "core/io/gguf_reader.h"
#include "core/io/model_reader.h"

#include <QTest>

using namespace qs::core;

class TestGgufReader : public QObject {
    Q_OBJECT

private slots:
    // Facts of stories260K-f32.gguf documented in shared/models/README.md.
    void readsStories260K() {
        auto model = readGguf(bundledGguf("stories260K-f32.gguf").toStdString());
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());
        QCOMPARE(model->metadata().size(), std::size_t(19));
        QCOMPARE(model->tensors().size(), std::size_t(48));
        QCOMPARE(model->dataOffset(), std::uint64_t(14176));
        QCOMPARE(model->alignment(), 32u);
        const auto hp = model->hparams();
        QCOMPARE(hp.architecture, std::string("llama"));
        QCOMPARE(hp.embeddingLength, 64u);
        QCOMPARE(hp.feedForwardLength, 172u);
        QCOMPARE(hp.blockCount, 5u);
        QCOMPARE(hp.headCount, 8u);
        QCOMPARE(hp.headCountKv, 4u);
        QCOMPARE(hp.ropeDimensionCount, 8u);
        QCOMPARE(hp.contextLength, 2048u);
        QCOMPARE(hp.vocabSize, 512u);
        QCOMPARE(hp.rmsEpsilon, 1e-5f);
        // 260,032 trained weights plus the untied copy of the embedding.
        QCOMPARE(model->parameterCount(), std::uint64_t(292800));
        const auto* q = model->findTensor("blk.0.attn_q.weight");
        QVERIFY(q);
        QCOMPARE(q->dims, (std::vector<std::uint64_t>{64, 64}));
        QCOMPARE(q->type, GgmlType::F32);
        QCOMPARE(q->offset, std::uint64_t(14176 + 262400));
        QCOMPARE(model->storedBytes(*q).size(), std::size_t(64 * 64 * 4));
        QCOMPARE(model->findTensor("blk.4.ffn_down.weight")->dims,
                 (std::vector<std::uint64_t>{172, 64}));
        const auto* tokens = model->metadata().find("tokenizer.ggml.tokens");
        QVERIFY(tokens && tokens->asArray());
        QCOMPARE(tokens->asArray()->size(), std::size_t(512));
        QCOMPARE(tokens->asArray()->strings[1], std::string("<s>"));
        QCOMPARE(*model->metadata().integer("tokenizer.ggml.seperator_token_id"),
                 std::int64_t(UINT32_MAX));
    }

    void layersAreViewsOverNames() {
        auto model = readGguf(bundledGguf("stories260K-f32.gguf").toStdString());
        QVERIFY(model.ok());
        const auto layers = model->layers();
        QCOMPARE(layers.size(), std::size_t(5));
        for (const auto& l : layers) {
            QCOMPARE(l.tensors.size(), std::size_t(9));
        }
        QVERIFY(!model->tiedEmbeddings());
    }

    void roles_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("role");
        QTest::addColumn<int>("layer");
        QTest::newRow("embd") << "token_embd.weight" << int(TensorRole::TokenEmbedding) << -1;
        QTest::newRow("output") << "output.weight" << int(TensorRole::Output) << -1;
        QTest::newRow("norm") << "output_norm.weight" << int(TensorRole::OutputNorm) << -1;
        QTest::newRow("q") << "blk.3.attn_q.weight" << int(TensorRole::AttnQ) << 3;
        QTest::newRow("k") << "blk.12.attn_k.weight" << int(TensorRole::AttnK) << 12;
        QTest::newRow("v") << "blk.0.attn_v.weight" << int(TensorRole::AttnV) << 0;
        QTest::newRow("o") << "blk.0.attn_output.weight" << int(TensorRole::AttnOutput) << 0;
        QTest::newRow("gate") << "blk.1.ffn_gate.weight" << int(TensorRole::FfnGate) << 1;
        QTest::newRow("up") << "blk.1.ffn_up.weight" << int(TensorRole::FfnUp) << 1;
        QTest::newRow("down") << "blk.1.ffn_down.weight" << int(TensorRole::FfnDown) << 1;
        QTest::newRow("anorm") << "blk.1.attn_norm.weight" << int(TensorRole::AttnNorm) << 1;
        QTest::newRow("fnorm") << "blk.1.ffn_norm.weight" << int(TensorRole::FfnNorm) << 1;
        QTest::newRow("bias") << "blk.1.attn_q.bias" << int(TensorRole::Other) << 1;
        QTest::newRow("bad-layer") << "blk.x.attn_q.weight" << int(TensorRole::Other) << -1;
        QTest::newRow("rope") << "rope_freqs.weight" << int(TensorRole::Other) << -1;
    }
    void roles() {
        QFETCH(QString, name);
        QFETCH(int, role);
        QFETCH(int, layer);
        QCOMPARE(int(tensorRole(name.toStdString())), role);
        QCOMPARE(tensorLayerIndex(name.toStdString()).value_or(-1), layer);
    }

    void readsF16Model() {
        auto model = readGguf(bundledGguf("shakespeare-3M-f16.gguf").toStdString());
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());
        QCOMPARE(model->tensors().size(), std::size_t(39));
        QCOMPARE(model->findTensor("blk.0.attn_q.weight")->type, GgmlType::F16);
        QCOMPARE(model->findTensor("blk.0.attn_norm.weight")->type, GgmlType::F32);
        QCOMPARE(*model->metadata().integer("general.file_type"), std::int64_t(1));
        QCOMPARE(model->hparams().headCountKv, 4u);
        QCOMPARE(model->parameterCount(), std::uint64_t(3410176));
    }

    void openModelDetectsFormats_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("format");
        QTest::newRow("gguf") << bundledGguf("stories260K-f32.gguf") << int(ModelFormat::Gguf);
        QTest::newRow("hf-folder") << ioData("stories260K/hf") << int(ModelFormat::Safetensors);
        QTest::newRow("hf-config")
            << ioData("stories260K/hf/config.json") << int(ModelFormat::Safetensors);
        QTest::newRow("llama2c") << ioData("stories260K/stories260K.bin")
                                 << int(ModelFormat::Llama2c);
    }
    void openModelDetectsFormats() {
        QFETCH(QString, path);
        QFETCH(int, format);
        auto model = openModel(path.toStdString());
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());
        QCOMPARE(int(model->format()), format);
    }

    void missingFileNamesIt() {
        auto model = openModel("/nonexistent/model.gguf");
        QVERIFY(!model.ok());
        QVERIFY(model.error().message.find("/nonexistent/model.gguf") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestGgufReader)
#include "tst_gguf_reader.moc"
