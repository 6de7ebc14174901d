// `bench quant`: per-format throughput rows and, with --model, the end-to-end quantization of
// a real model with a preset, whose temporary output must not outlive the run.
#include "cli_runner.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString kModel = QStringLiteral(QS_RESOURCES_DIR "/models/shakespeare-3M-f16.gguf");

// Runs the CLI with TMPDIR pointing at `tmp`, where the end-to-end run writes its file.
CliRun runWithTmp(const QStringList& args, const QString& tmp) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("TMPDIR"), tmp);
    p.setProcessEnvironment(env);
    return runCliIn(p, args);
}

} // namespace

class TestCliBenchQuant : public QObject {
    Q_OBJECT

private slots:
    void formatsAndEndToEnd() {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const CliRun r = runWithTmp(
            {QStringLiteral("bench"), QStringLiteral("quant"), QStringLiteral("--rows"),
             QStringLiteral("2"), QStringLiteral("--repeats"), QStringLiteral("1"),
             QStringLiteral("--formats"), QStringLiteral("Q4_K,Q6_K"), QStringLiteral("--model"),
             kModel, QStringLiteral("--threads"), QStringLiteral("2"), QStringLiteral("--json")},
            tmp.path());
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QJsonParseError error;
        const QJsonObject doc = QJsonDocument::fromJson(r.out.toUtf8(), &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        const QJsonArray formats = doc.value(QStringLiteral("formats")).toArray();
        QCOMPARE(formats.size(), 2);
        QCOMPARE(formats[0].toObject().value(QStringLiteral("format")).toString(),
                 QStringLiteral("Q4_K"));
        QVERIFY(formats[1].toObject().value(QStringLiteral("quantize_values_per_s_1t")).toDouble() >
                0);
        const QJsonObject e2e = doc.value(QStringLiteral("end_to_end")).toObject();
        QCOMPARE(e2e.value(QStringLiteral("preset")).toString(), QStringLiteral("Q4_K_M"));
        QCOMPARE(e2e.value(QStringLiteral("threads")).toInt(), 2);
        QVERIFY(e2e.value(QStringLiteral("seconds")).toDouble() > 0);
        // shakespeare-3M: 3.4 M parameters, about 2 MB as Q4_K_M.
        QVERIFY(e2e.value(QStringLiteral("parameters")).toDouble() > 3e6);
        QVERIFY(e2e.value(QStringLiteral("output_bytes")).toDouble() > 1e6);
        QCOMPARE(QDir(tmp.path()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries),
                 QStringList());
    }

    void unknownPresetFails() {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const CliRun r = runWithTmp(
            {QStringLiteral("bench"), QStringLiteral("quant"), QStringLiteral("--rows"),
             QStringLiteral("1"), QStringLiteral("--repeats"), QStringLiteral("1"),
             QStringLiteral("--formats"), QStringLiteral("Q8_0"), QStringLiteral("--model"), kModel,
             QStringLiteral("--preset"), QStringLiteral("Q9_K")},
            tmp.path());
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(QStringLiteral("Q9_K")), qPrintable(r.err));
        QCOMPARE(QDir(tmp.path()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries),
                 QStringList());
    }
};

QTEST_GUILESS_MAIN(TestCliBenchQuant)
#include "tst_cli_bench_quant.moc"
