// Issues 18 and 19 from the command line: eval and compare against llama-perplexity's saved
// distribution (--kld-base-file), synth of every family, quantize --imatrix-missing.
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
