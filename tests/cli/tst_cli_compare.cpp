// Issue 8: `quantscope-cli compare --variants NAME=PATH,...` evaluates models made elsewhere
// (here a GPTQ checkpoint folder written by `gptq`) like the presets: a row with finite PPL
// and KLD against the input, while --types keeps working beside it.
#include "cli_runner.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

namespace {

// stories260K: ffn_down has 172 inputs, so 8 bits with one group per row is the GPTQ setting
// whose packing fits every linear.
const QString kModel = QStringLiteral(QS_RESOURCES_DIR "/models/stories260K-f32.gguf");
const QString kCalib = QStringLiteral(QS_TEST_DATA_DIR "/gptq/tinyshakespeare-20k.txt");
const QString kText = QStringLiteral(QS_RESOURCES_DIR "/text/shakespeare-val-a.txt");

QJsonObject rowNamed(const QJsonArray& rows, const QString& name) {
    for (const auto& r : rows) {
        if (r.toObject().value(QStringLiteral("type")).toString() == name) {
            return r.toObject();
        }
    }
    return {};
}

} // namespace

class TestCliCompare : public QObject {
    Q_OBJECT

private slots:
    void checkpointFolderIsAVariant() {
        QTemporaryDir tmp;
        const QString ckpt = tmp.filePath(QStringLiteral("g8"));
        const CliRun g = runCli({"gptq", kModel, ckpt, "--bits", "8", "--group-size", "-1",
                                 "--calib", kCalib, "--nsamples", "2", "--seqlen", "32"});
        QVERIFY2(g.exitCode == 0, qPrintable(g.err));

        const CliRun r =
            runCli({"compare", kModel, "--types", "Q8_0", "--variants", "g8=" + ckpt + "," + kModel,
                    "--text", kText, "--ctx", "64", "--chunks", "2", "--no-speed", "--json",
                    "--cache-dir", tmp.filePath(QStringLiteral("cache"))});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonArray rows = QJsonDocument::fromJson(r.out.toUtf8())
                                    .object()
                                    .value(QStringLiteral("variants"))
                                    .toArray();
        QCOMPARE(rows.size(), 4); // input, Q8_0, g8, the input again as a file
        QVERIFY(rows[0].toObject().value(QStringLiteral("reference")).toBool());
        QCOMPARE(rows[1].toObject().value(QStringLiteral("type")).toString(),
                 QStringLiteral("Q8_0"));
        const QJsonObject g8 = rowNamed(rows, QStringLiteral("g8"));
        QVERIFY2(!g8.isEmpty() && !g8.contains(QStringLiteral("error")), qPrintable(r.out));
        const double ppl = g8.value(QStringLiteral("ppl")).toDouble(-1);
        const double kld = g8.value(QStringLiteral("kld_mean")).toDouble(-1);
        QVERIFY2(std::isfinite(ppl) && ppl > 1.0 && ppl < 1000.0, qPrintable(r.out));
        QVERIFY2(std::isfinite(kld) && kld >= 0.0 && kld < 0.1, qPrintable(r.out));
        // 8-bit weights plus F16 embeddings and norms: between 8 and 16 bits per weight.
        const double bpw = g8.value(QStringLiteral("bpw")).toDouble();
        QVERIFY2(bpw > 8.0 && bpw < 16.0, qPrintable(QString::number(bpw)));
        QCOMPARE(g8.value(QStringLiteral("path")).toString(), ckpt);
        // The unnamed file is named after its stem and matches the input almost exactly.
        const QJsonObject self = rowNamed(rows, QStringLiteral("stories260K-f32"));
        QVERIFY2(!self.isEmpty(), qPrintable(r.out));
        QVERIFY(self.value(QStringLiteral("kld_mean")).toDouble(1) < 1e-4);
    }

    // Issue 20: --calibrate adds each preset with calibrated rounding, as <PRESET>+cal: the same
    // file size, evaluated beside the plain row.
    void calibratedTwinsOfThePresets() {
        QTemporaryDir tmp;
        const QString model = QStringLiteral(QS_TEST_DATA_DIR "/models/shakespeare-3M-f32.gguf");
        const CliRun r =
            runCli({"compare",     model,    "--types",     "Q4_K_M",
                    "--calibrate", kCalib,   "--nsamples",  "4",
                    "--seqlen",    "64",     "--text",      kText,
                    "--ctx",       "64",     "--chunks",    "2",
                    "--no-speed",  "--json", "--cache-dir", tmp.filePath(QStringLiteral("cache"))});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonArray rows = QJsonDocument::fromJson(r.out.toUtf8())
                                    .object()
                                    .value(QStringLiteral("variants"))
                                    .toArray();
        QCOMPARE(rows.size(), 3); // input, Q4_K_M, Q4_K_M+cal
        const QJsonObject plain = rowNamed(rows, QStringLiteral("Q4_K_M"));
        const QJsonObject cal = rowNamed(rows, QStringLiteral("Q4_K_M+cal"));
        QVERIFY2(!plain.isEmpty() && !cal.isEmpty() && !cal.contains(QStringLiteral("error")),
                 qPrintable(r.out));
        QCOMPARE(cal.value(QStringLiteral("file_bytes")).toDouble(),
                 plain.value(QStringLiteral("file_bytes")).toDouble());
        const double kld = cal.value(QStringLiteral("kld_mean")).toDouble(-1);
        QVERIFY2(std::isfinite(kld) && kld >= 0.0 && kld < 0.1, qPrintable(r.out));
    }

    void filesOnlyAndMissingFiles() {
        QTemporaryDir tmp;
        const QString cache = tmp.filePath(QStringLiteral("cache"));
        // A missing path is a failed row (exit 1), the others still evaluated.
        const CliRun r = runCli({"compare", kModel, "--types", "none", "--variants",
                                 "gone=" + tmp.filePath(QStringLiteral("nope")) + ",same=" + kModel,
                                 "--text", kText, "--ctx", "64", "--chunks", "1", "--no-speed",
                                 "--json", "--cache-dir", cache});
        QCOMPARE(r.exitCode, 1);
        const QJsonArray rows = QJsonDocument::fromJson(r.out.toUtf8())
                                    .object()
                                    .value(QStringLiteral("variants"))
                                    .toArray();
        QCOMPARE(rows.size(), 3);
        QVERIFY(rowNamed(rows, QStringLiteral("gone")).contains(QStringLiteral("error")));
        QVERIFY(!rowNamed(rows, QStringLiteral("same")).contains(QStringLiteral("error")));
        // Nothing to compare, and malformed items, are usage errors.
        QCOMPARE(runCli({"compare", kModel, "--types", "none", "--text", kText}).exitCode, 2);
        QCOMPARE(runCli({"compare", kModel, "--variants", "=" + kModel, "--text", kText}).exitCode,
                 2);
    }
};

QTEST_MAIN(TestCliCompare)
#include "tst_cli_compare.moc"
