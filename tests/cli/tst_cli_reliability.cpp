// Issue 10 as the user meets it on the command line: a full disk gives one clear "no space"
// line naming the file and leaves nothing behind; `bench all --quick --json` produces the
// document tools/render_benchmarks.py reads.
#include "cli_runner.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/resource.h>

namespace {

const QString kModel = QStringLiteral(QS_RESOURCES_DIR "/models/shakespeare-3M-f16.gguf");

// Runs quantscope-cli with its output file size limited to `bytes` (RLIMIT_FSIZE set in the
// child only) and SIGXFSZ ignored, so writes fail with EFBIG as they fail with ENOSPC on a
// full disk.
CliRun runCliWithFileLimit(const QStringList& args, rlim_t bytes) {
    QProcess p;
    p.setChildProcessModifier([bytes] {
        std::signal(SIGXFSZ, SIG_IGN);
        rlimit limit{};
        ::getrlimit(RLIMIT_FSIZE, &limit);
        limit.rlim_cur = bytes;
        ::setrlimit(RLIMIT_FSIZE, &limit);
    });
    return runCliIn(p, args);
}

QStringList entries(const QTemporaryDir& dir) {
    return QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
}

} // namespace

class TestCliReliability : public QObject {
    Q_OBJECT

private slots:
    void convertOnFullDisk() {
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("out.gguf"));
        const CliRun r = runCliWithFileLimit({QStringLiteral("convert"), kModel, out,
                                              QStringLiteral("--type"), QStringLiteral("f32")},
                                             512 * 1024);
        qInfo("stderr: %s", qPrintable(r.err.trimmed()));
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("no space: ") + out), qPrintable(r.err));
        QCOMPARE(entries(dir), QStringList());
    }

    void quantizeOnFullDisk() {
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("q8.gguf"));
        const CliRun r = runCliWithFileLimit(
            {QStringLiteral("quantize"), kModel, out, QStringLiteral("Q8_0")}, 512 * 1024);
        qInfo("stderr: %s", qPrintable(r.err.trimmed()));
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("no space: ") + out), qPrintable(r.err));
        QCOMPARE(entries(dir), QStringList());
    }

    void benchAllQuickJson() {
        const CliRun r = runCli({QStringLiteral("bench"), QStringLiteral("all"),
                                 QStringLiteral("--quick"), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QJsonParseError error;
        const QJsonObject doc = QJsonDocument::fromJson(r.out.toUtf8(), &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QVERIFY(!doc.value(QStringLiteral("machine")).toObject().isEmpty());
        const QJsonObject stages = doc.value(QStringLiteral("stages")).toObject();
        for (const QString& name :
             {QStringLiteral("quant"), QStringLiteral("vulkan"), QStringLiteral("models")}) {
            const QJsonObject s = stages.value(name).toObject();
            QVERIFY2(s.value(QStringLiteral("command"))
                         .toString()
                         .startsWith(QStringLiteral("quantscope-cli ")),
                     qPrintable(name));
            QCOMPARE(s.value(QStringLiteral("exit_code")).toInt(), 0);
            QVERIFY(s.value(QStringLiteral("peak_rss_bytes")).toDouble() > 0);
            QVERIFY(s.value(QStringLiteral("result")).isObject());
        }
        // The model comparison has the F16 reference first, then a decode speed per preset.
        const QJsonArray variants = stages.value(QStringLiteral("models"))
                                        .toObject()
                                        .value(QStringLiteral("result"))
                                        .toObject()
                                        .value(QStringLiteral("variants"))
                                        .toArray();
        QCOMPARE(variants.size(), 3);
        QCOMPARE(variants[0].toObject().value(QStringLiteral("type")).toString(),
                 QStringLiteral("F16"));
        QVERIFY(variants[2].toObject().value(QStringLiteral("tg_ratio")).toDouble() > 0);
    }
};

QTEST_GUILESS_MAIN(TestCliReliability)
#include "tst_cli_reliability.moc"
