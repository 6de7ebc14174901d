#include "cli_runner.h"

#include "core/io/gguf_reader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

namespace {

QString bundled(const char* name) {
    return QStringLiteral(QS_RESOURCES_DIR "/models/") + QLatin1String(name);
}
QString ioData(const char* relative) {
    return QStringLiteral(QS_IO_DATA_DIR "/") + QLatin1String(relative);
}

} // namespace

class TestCliIo : public QObject {
    Q_OBJECT

private slots:
    void inspectText() {
        const CliRun r = runCli({"inspect", bundled("stories260K-f32.gguf")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("Architecture:  llama"));
        QVERIFY(r.out.contains("layers 5, heads 8 (kv 4)"));
        QVERIFY(r.out.contains("Tensors:       48"));
        QVERIFY(r.out.contains("blk.4: 9 tensors"));
        QVERIFY(r.out.contains("... (512 string)")); // long arrays abbreviated
        QVERIFY(!r.out.contains("blk.0.attn_q.weight"));
        const CliRun all = runCli({"inspect", "--tensors", bundled("stories260K-f32.gguf")});
        QVERIFY(all.out.contains("blk.0.attn_q.weight"));
    }

    // The three containers of stories260K list the same tensors (after name mapping).
    void inspectJsonAgreesAcrossContainers() {
        QMap<QString, QJsonArray> tensors;
        for (const QString& path : {bundled("stories260K-f32.gguf"), ioData("stories260K/hf"),
                                    ioData("stories260K/stories260K.bin")}) {
            const CliRun r = runCli({"inspect", "--json", path});
            QCOMPARE(r.exitCode, 0);
            const auto doc = QJsonDocument::fromJson(r.out.toUtf8()).object();
            QCOMPARE(doc["schema"].toString(), QString("quantscope.inspect/1"));
            QCOMPARE(doc["architecture"].toObject()["block_count"].toInt(), 5);
            QJsonArray list;
            for (const auto& t : doc["tensors"].toArray()) {
                const auto o = t.toObject();
                if (o["name"].toString() == "output.weight") {
                    continue; // the HF folder ties it to token_embd
                }
                list.append(QJsonArray{o["name"], o["dims"], o["type"], o["bytes"]});
            }
            tensors[path] = list;
        }
        const auto reference = tensors.first();
        QCOMPARE(reference.size(), 47);
        for (const auto& list : tensors) {
            QSet<QString> a, b;
            for (const auto& x : list) {
                a.insert(QJsonDocument(x.toArray()).toJson());
            }
            for (const auto& x : reference) {
                b.insert(QJsonDocument(x.toArray()).toJson());
            }
            QCOMPARE(a, b);
        }
    }

    void convertLlama2cToF16() {
        QTemporaryDir dir;
        const QString out = dir.filePath("s.gguf");
        const CliRun r =
            runCli({"convert", ioData("stories260K/stories260K.bin"), out, "--type", "f16"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("wrote"));
        auto model = qs::core::readGguf(out.toStdString());
        QVERIFY(model.ok());
        QCOMPARE(model->findTensor("blk.0.ffn_up.weight")->type, qs::core::GgmlType::F16);
        QCOMPARE(model->findTensor("blk.0.ffn_norm.weight")->type, qs::core::GgmlType::F32);
    }

    void convertBadTypeIsUsageError() {
        QTemporaryDir dir;
        const CliRun r = runCli(
            {"convert", bundled("stories260K-f32.gguf"), dir.filePath("x.gguf"), "--type", "q4_0"});
        QCOMPARE(r.exitCode, 2);
    }

    void malformedInputFailsWithExitOne() {
        const CliRun r = runCli({"inspect", ioData("hostile/gguf_offset_overlap.gguf")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("gguf_offset_overlap.gguf"));
        QVERIFY(r.err.contains("expected 64"));
        QTemporaryDir dir;
        const CliRun c =
            runCli({"convert", ioData("hostile/gguf_type_1000.gguf"), dir.filePath("x.gguf")});
        QCOMPARE(c.exitCode, 1);
        QVERIFY(!QFile::exists(dir.filePath("x.gguf")));
    }
    // synth writes a loadable model for a named or custom shape; bad shapes are usage errors.
    void synthWritesAModel() {
        QTemporaryDir dir;
        const QString out = dir.filePath("s.gguf");
        const CliRun r =
            runCli({"synth",   out,     "--shape", "custom",  "--layers", "2",          "--dim",
                    "128",     "--ffn", "256",     "--heads", "4",        "--kv-heads", "2",
                    "--vocab", "1000",  "--type",  "bf16",    "--seed",   "5"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("wrote"));
        auto model = qs::core::readGguf(out.toStdString());
        QVERIFY(model.ok());
        QCOMPARE(model->hparams().blockCount, 2u);
        QCOMPARE(model->hparams().vocabSize, 1000u);
        QCOMPARE(model->findTensor("blk.1.ffn_up.weight")->type, qs::core::GgmlType::BF16);
        const CliRun i = runCli({"inspect", out});
        QCOMPARE(i.exitCode, 0);
        QVERIFY(i.out.contains("layers 2, heads 4 (kv 2), ffn 256"));
        QVERIFY(runCli({"synth", dir.filePath("t.gguf"), "--shape", "tiny"}).exitCode == 0);
        QCOMPARE(runCli({"synth", dir.filePath("x.gguf"), "--shape", "70b"}).exitCode, 2);
        QCOMPARE(
            runCli({"synth", dir.filePath("x.gguf"), "--shape", "custom", "--dim", "64"}).exitCode,
            2);
        QCOMPARE(runCli({"synth", dir.filePath("x.gguf"), "--heads", "3"}).exitCode, 2);
        QVERIFY(!QFile::exists(dir.filePath("x.gguf")));
    }
};

QTEST_APPLESS_MAIN(TestCliIo)
#include "tst_cli_io.moc"
