// Issues 18 and 19 from the command line: eval and compare against llama-perplexity's saved
// distribution (--kld-base-file), synth of every family, quantize --imatrix-missing, GPTQ/AWQ
// per expert.
#include "cli_runner.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString kArch = QStringLiteral(QS_SHARED_DIR "/golden/arch");

QString familyFile(const QString& family, const QString& suffix) {
    return kArch + "/" + family + "/" + family + suffix;
}

} // namespace

class TestCliArch : public QObject {
    Q_OBJECT

private slots:
    // No --text: the tokens and the context come from the file, as llama-perplexity
    // --kl-divergence reads them.
    void evalAgainstLlamaCppDistribution() {
        if (!QFile::exists(familyFile("gemma3", "-f16.kld"))) {
            QSKIP("../shared/golden/arch is not beside this checkout");
        }
        const CliRun r =
            runCli({"eval", familyFile("gemma3", "-f16.gguf"), "--kld-base-file",
                    familyFile("gemma3", "-f16.kld"), "--no-speed", "--threads", "2", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(j.value("ctx").toInt(), 128);
        QCOMPARE(j.value("chunks").toInt(), 8);
        QVERIFY(j.value("kld").toObject().value("kld_mean").toDouble() < 1e-4);
        // llama-perplexity's F16 estimate for this file: 2379.4028.
        QVERIFY(std::abs(j.value("ppl").toDouble() / 2379.4028 - 1) < 0.003);
        // An explicit context that is not the file's is an error naming both.
        const CliRun wrong = runCli({"eval", familyFile("gemma3", "-f16.gguf"), "--kld-base-file",
                                     familyFile("gemma3", "-f16.kld"), "--ctx", "64"});
        QCOMPARE(wrong.exitCode, 1);
        QVERIFY2(wrong.err.contains("context of 128, not 64"), qPrintable(wrong.err));
    }

    void compareAgainstLlamaCppDistribution() {
        if (!QFile::exists(familyFile("phi3", "-f16.kld"))) {
            QSKIP("../shared/golden/arch is not beside this checkout");
        }
        const CliRun r =
            runCli({"compare", familyFile("phi3", "-f16.gguf"), "--types", "Q8_0", "--text",
                    QS_SHARED_DIR "/models/text/shakespeare-val-a.txt", "--kld-base-file",
                    familyFile("phi3", "-f16.kld"), "--chunks", "2", "--no-speed", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonArray rows =
            QJsonDocument::fromJson(r.out.toUtf8()).object().value("variants").toArray();
        QCOMPARE(rows.size(), 2);
        for (const auto& row : rows) {
            const double kld = row.toObject().value("kld_mean").toDouble(-1);
            QVERIFY(kld >= -1e-6 && kld < 0.01);
        }
    }

    // Every family's synthetic model is written and evaluated.
    void synthEveryFamily_data() {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("qwen2") << QStringList{"--arch", "qwen2"};
        QTest::newRow("gemma3") << QStringList{"--arch", "gemma3", "--head-dim", "16"};
        QTest::newRow("phi3") << QStringList{"--arch", "phi3"};
        QTest::newRow("qwen3moe") << QStringList{
            "--arch", "qwen3moe", "--experts", "4", "--experts-used", "2", "--expert-ffn", "64"};
    }
    void synthEveryFamily() {
        QFETCH(QStringList, args);
        QTemporaryDir dir;
        const QString out = dir.filePath("m.gguf");
        const CliRun s = runCli(QStringList{"synth", out, "--shape", "tiny"} + args);
        QVERIFY2(s.exitCode == 0, qPrintable(s.err));
        const CliRun e =
            // The bundled text: this check needs nothing from ../shared.
            runCli({"eval", out, "--text", QS_RESOURCES_DIR "/text/shakespeare-val-a.txt", "--ctx",
                    "64", "--chunks", "1", "--no-speed", "--json"});
        QVERIFY2(e.exitCode == 0, qPrintable(e.err));
        QVERIFY(QJsonDocument::fromJson(e.out.toUtf8()).object().value("ppl").toDouble() > 1);
    }

    // Issue 19: GPTQ and AWQ of a Qwen3-MoE GGUF, per expert, write a Qwen3MoeForCausalLM
    // checkpoint that `eval` reads back; --min-expert-tokens is checked and each expert under it
    // is listed.
    void moeCalibratedThenEval_data() {
        QTest::addColumn<QString>("method");
        QTest::newRow("gptq") << "gptq";
        QTest::newRow("awq") << "awq";
    }
    void moeCalibratedThenEval() {
        QFETCH(QString, method);
        const QString model = familyFile("qwen3moe", "-f16.gguf");
        if (!QFile::exists(model)) {
            QSKIP("../shared/golden/arch is not beside this checkout");
        }
        QTemporaryDir dir;
        const QString out = dir.filePath("ckpt");
        const QString text = QS_SHARED_DIR "/models/text/shakespeare-val-a.txt";
        const CliRun bad =
            runCli({method, model, out, "--calib", text, "--min-expert-tokens", "-1"});
        QVERIFY(bad.exitCode != 0);
        QVERIFY2(bad.err.contains("--min-expert-tokens"), qPrintable(bad.err));
        // 4 samples of 128 tokens, top-2 of 8 experts: 128 routed tokens on average, so a
        // minimum of 200 leaves some experts to round-to-nearest.
        const CliRun r =
            runCli({method, model, out, "--calib", text, "--nsamples", "4", "--seqlen", "128",
                    "--group-size", "128", "--threads", "2", "--min-expert-tokens", "200"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("112 linears"), qPrintable(r.out));
        QVERIFY2(r.out.contains("experts under --min-expert-tokens 200, quantized with "
                                "round-to-nearest: blk."),
                 qPrintable(r.out));
        QFile configFile(out + "/config.json");
        QVERIFY(configFile.open(QIODevice::ReadOnly));
        const QJsonObject config = QJsonDocument::fromJson(configFile.readAll()).object();
        QCOMPARE(config.value("architectures").toArray().first().toString(),
                 QString("Qwen3MoeForCausalLM"));
        QCOMPARE(config.value("num_experts").toInt(), 8);
        QCOMPARE(config.value("moe_intermediate_size").toInt(), 256);
        const QJsonObject qc = config.value("quantization_config").toObject();
        QCOMPARE(qc.value("modules_to_not_convert").toArray().first().toString(),
                 QString("mlp.gate"));
        QVERIFY(!qc.value("meta").toObject().value("rtn_experts").toArray().isEmpty());
        double ppl[2] = {0, 0};
        for (int i = 0; i < 2; ++i) {
            const CliRun e = runCli({"eval", i == 0 ? out : model, "--text", text, "--ctx", "128",
                                     "--chunks", "4", "--no-speed", "--threads", "2", "--json"});
            QVERIFY2(e.exitCode == 0, qPrintable(e.err));
            ppl[i] = QJsonDocument::fromJson(e.out.toUtf8()).object().value("ppl").toDouble();
        }
        qInfo("qwen3moe %s checkpoint: PPL %.2f (F16 %.2f)", qPrintable(method), ppl[0], ppl[1]);
        QVERIFY(ppl[0] > 0.5 * ppl[1] && ppl[0] < 2 * ppl[1]);
    }

    void imatrixMissingTakesTwoValues() {
        QTemporaryDir dir;
        const CliRun r = runCli({"quantize", "--imatrix-missing", "sometimes",
                                 QS_RESOURCES_DIR "/models/stories260K-f32.gguf",
                                 dir.filePath("q.gguf"), "Q8_0"});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("uniform or error"), qPrintable(r.err));
        QVERIFY(!QFile::exists(dir.filePath("q.gguf")));
    }
};

QTEST_APPLESS_MAIN(TestCliArch)
#include "tst_cli_arch.moc"
