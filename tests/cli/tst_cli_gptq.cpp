// Issue 8: `quantscope-cli gptq` / `awq` write checkpoint folders that `eval` reads back, with
// progress per block and linear, and usage errors for bad settings. Issue 22: the damping range,
// the formats' loaders in --help, asymmetric output as gptq_v2.
#include "cli_runner.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString kModel = QStringLiteral(QS_RESOURCES_DIR "/models/shakespeare-3M-f16.gguf");
const QString kCalib = QStringLiteral(QS_TEST_DATA_DIR "/gptq/tinyshakespeare-20k.txt");
const QString kTokenizer = QStringLiteral(QS_TEST_DATA_DIR "/gptq/tokenizer");
const QString kVal = QStringLiteral(QS_RESOURCES_DIR "/text/shakespeare-val-a.txt");

double pplOf(const QString& out) {
    const auto m = QRegularExpression(QStringLiteral("PPL\\s+([0-9.]+)")).match(out);
    return m.hasMatch() ? m.captured(1).toDouble() : -1.0;
}

} // namespace

class TestCliGptq : public QObject {
    Q_OBJECT

private slots:
    void gptqThenEval() {
        QTemporaryDir tmp;
        const QString out = tmp.filePath(QStringLiteral("g4"));
        const CliRun r =
            runCli({"gptq", kModel, out, "--bits", "4", "--group-size", "128", "--calib", kCalib,
                    "--nsamples", "4", "--seqlen", "64", "--tokenizer-from", kTokenizer});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.err.contains(QStringLiteral("layer 4/4, ffn_down")));
        QVERIFY(r.out.contains(QStringLiteral("GPTQ 4-bit g128")));
        for (const char* f : {"model.safetensors", "config.json", "quantize_config.json",
                              "tokenizer.json", "README.md"}) {
            QVERIFY2(QFile::exists(out + "/" + f), f);
        }
        const CliRun e =
            runCli({"eval", out, "--text", kVal, "--ctx", "128", "--chunks", "4", "--no-speed"});
        QVERIFY2(e.exitCode == 0, qPrintable(e.err));
        const double ppl = pplOf(e.out);
        QVERIFY2(ppl > 1.0 && ppl < 100.0, qPrintable(e.out));
        // A second run into the same (now non-empty) folder is refused, the folder untouched.
        const CliRun again =
            runCli({"gptq", kModel, out, "--calib", kCalib, "--nsamples", "1", "--seqlen", "16"});
        QCOMPARE(again.exitCode, 1);
        QVERIFY(again.err.contains(QStringLiteral("not an empty folder")));
        QVERIFY(QFile::exists(out + "/model.safetensors"));
    }

    void awqThenEval() {
        QTemporaryDir tmp;
        const QString out = tmp.filePath(QStringLiteral("a4"));
        const CliRun r =
            runCli({"awq", kModel, out, "--group-size", "128", "--calib", kCalib, "--nsamples", "4",
                    "--seqlen", "64", "--tokenizer-from", kTokenizer});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains(QStringLiteral("AWQ 4-bit g128")));
        const CliRun e =
            runCli({"eval", out, "--text", kVal, "--ctx", "128", "--chunks", "4", "--no-speed"});
        QVERIFY2(e.exitCode == 0, qPrintable(e.err));
        const double ppl = pplOf(e.out);
        QVERIFY2(ppl > 1.0 && ppl < 100.0, qPrintable(e.out));
    }

    void usageErrors() {
        QTemporaryDir tmp;
        const QString out = tmp.filePath(QStringLiteral("x"));
        QCOMPARE(runCli({"gptq", kModel, out, "--bits", "5", "--calib", kCalib}).exitCode, 2);
        QCOMPARE(runCli({"gptq", kModel, out, "--bits", "4"}).exitCode, 2); // no --calib
        QCOMPARE(runCli({"gptq", kModel, out, "--calib", kCalib, "--format", "marlin"}).exitCode,
                 2);
        QCOMPARE(runCli({"gptq", kModel, out, "--calib", kCalib, "--sym", "--asym"}).exitCode, 2);
        QVERIFY(!QDir(out).exists());
    }

    // Issue 22: GPTQ loaders accept damp_percent only in (0, 1) exclusive; so does the CLI, and
    // its help says so.
    void dampingOutsideOpenUnitInterval_data() {
        QTest::addColumn<QString>("damp");
        QTest::addColumn<QString>("shown");
        QTest::newRow("zero") << "0"
                              << "not 0";
        QTest::newRow("one") << "1"
                             << "not 1";
        QTest::newRow("percent") << "5"
                                 << "not 5";
        QTest::newRow("negative") << "-0.01"
                                  << "not -0.01";
        QTest::newRow("not a number") << "1%"
                                      << "not '1%'";
    }
    void dampingOutsideOpenUnitInterval() {
        QFETCH(QString, damp);
        QFETCH(QString, shown);
        QTemporaryDir tmp;
        const QString out = tmp.filePath(QStringLiteral("x"));
        const CliRun r = runCli({"gptq", kModel, out, "--calib", kCalib, "--damp", damp});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("(0, 1)")), qPrintable(r.err));
        QVERIFY2(r.err.contains(shown), qPrintable(r.err));
        QVERIFY(!QDir(out).exists());
    }

    // Issue 22: --help names the loaders of each format and the range of --damp.
    void helpNamesLoadersAndRanges() {
        const CliRun r = runCli({"gptq", "--help"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(QStringLiteral("in (0, 1) exclusive")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("loads in GPTQModel and vLLM, not in AutoGPTQ")),
                 qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("asymmetric output is always v2")),
                 qPrintable(r.out));
    }

    // Issue 22: asymmetric output is written as gptq_v2 (the log says why), symmetric as v1.
    void asymmetricIsWrittenAsV2() {
        QTemporaryDir tmp;
        for (const bool asym : {true, false}) {
            const QString out = tmp.filePath(asym ? QStringLiteral("asym") : QStringLiteral("sym"));
            QStringList args = {
                "gptq",       kModel, out,        "--rtn", "--calib",          kCalib,
                "--nsamples", "1",    "--seqlen", "16",    "--tokenizer-from", kTokenizer};
            if (asym) {
                args << QStringLiteral("--asym");
            }
            const CliRun r = runCli(args);
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            QCOMPARE(r.err.contains(QStringLiteral("asymmetric GPTQ is written as gptq_v2")), asym);
            QFile config(out + QStringLiteral("/config.json"));
            QVERIFY(config.open(QIODevice::ReadOnly));
            const QJsonObject qc = QJsonDocument::fromJson(config.readAll())
                                       .object()["quantization_config"]
                                       .toObject();
            QCOMPARE(qc["checkpoint_format"].toString(),
                     asym ? QStringLiteral("gptq_v2") : QStringLiteral("gptq"));
            QCOMPARE(qc.contains("format"), asym);
            if (asym) {
                QCOMPARE(qc["format"].toString(), QStringLiteral("gptq_v2"));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestCliGptq)
#include "tst_cli_gptq.moc"
