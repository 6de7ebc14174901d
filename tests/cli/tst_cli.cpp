#include "cli_runner.h"

#include "core/version.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>

class TestCli : public QObject {
    Q_OBJECT

private slots:
    void versionPrintsProjectVersion() {
        const CliRun r = runCli({"--version"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out.trimmed(),
                 QStringLiteral("quantscope-cli ") + QLatin1String(qs::core::kVersion));
    }

    void helpListsCommands() {
        const CliRun r = runCli({"--help"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("Usage: quantscope-cli"));
        QVERIFY(r.out.contains("devices"));
    }

    void noCommandIsUsageError() {
        const CliRun r = runCli({});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("Usage"));
    }

    void unknownCommandIsUsageError() {
        const CliRun r = runCli({"frobnicate"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("unknown command 'frobnicate'"));
    }

    void unknownOptionOfCommandIsUsageError() {
        const CliRun r = runCli({"devices", "--no-such-option"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("unknown option --no-such-option"));
    }

    void commandHelpExitsZero() {
        const CliRun r = runCli({"devices", "--help"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("Usage: quantscope-cli devices"));
    }

    void devicesListsLavapipeOrSaysNone() {
        const CliRun r = runCli({"--quiet", "devices", "--json"});
        if (r.exitCode == 1 && r.err.contains("device error")) {
            QSKIP("No Vulkan loader/driver on this machine");
        }
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.trimmed().startsWith('['), qPrintable(r.out));
    }

    // Issue 23: --speed-prompt/--speed-gen set llama-bench's ppN/tgN lengths; beyond --ctx (or
    // not a positive integer) they are usage errors naming both options.
    void evalSpeedLengths() {
        const QStringList common = {
            QStringLiteral("eval"),
            QStringLiteral(QS_RESOURCES_DIR "/models/shakespeare-3M-f16.gguf"),
            QStringLiteral("--text"),
            QStringLiteral(QS_RESOURCES_DIR "/text/shakespeare-val-a.txt"),
            QStringLiteral("--ctx"),
            QStringLiteral("64"),
            QStringLiteral("--chunks"),
            QStringLiteral("1"),
            QStringLiteral("--threads"),
            QStringLiteral("2")};
        const CliRun r =
            runCli(common + QStringList{QStringLiteral("--speed-prompt"), QStringLiteral("48"),
                                        QStringLiteral("--speed-gen"), QStringLiteral("5"),
                                        QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(o.value(QStringLiteral("pp_tokens")).toInt(), 48);
        QCOMPARE(o.value(QStringLiteral("tg_tokens")).toInt(), 5);
        QVERIFY(o.value(QStringLiteral("pp_tokens_per_second")).toDouble() > 0.0);
        const CliRun text =
            runCli(common + QStringList{QStringLiteral("--speed-prompt"), QStringLiteral("48")});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.contains(QStringLiteral("pp48 ")) &&
                     text.out.contains(QStringLiteral("tg32 ")),
                 qPrintable(text.out));
        for (const QString& bad :
             {QStringLiteral("65"), QStringLiteral("0"), QStringLiteral("x")}) {
            const CliRun tooLong = runCli(common + QStringList{QStringLiteral("--speed-gen"), bad});
            QCOMPARE(tooLong.exitCode, 2);
            QVERIFY2(tooLong.err.contains(QStringLiteral("--speed-prompt and --speed-gen")),
                     qPrintable(tooLong.err));
        }
    }

    // Issue 6: the forward pass runs its matrix products on the device the user names. The
    // Vulkan result is the same model and text, so perplexity agrees with the CPU's up to
    // summation order; a device that cannot be opened is an error, not a silent CPU run.
    void evalRunsOnTheNamedDevice() {
        const QStringList common = {
            QStringLiteral("eval"),
            QStringLiteral(QS_RESOURCES_DIR "/models/shakespeare-3M-f16.gguf"),
            QStringLiteral("--text"),
            QStringLiteral(QS_RESOURCES_DIR "/text/shakespeare-val-a.txt"),
            QStringLiteral("--ctx"),
            QStringLiteral("128"),
            QStringLiteral("--chunks"),
            QStringLiteral("2"),
            QStringLiteral("--no-speed"),
            QStringLiteral("--json")};
        const CliRun cpu =
            runCli(common + QStringList{QStringLiteral("--device"), QStringLiteral("cpu")});
        QCOMPARE(cpu.exitCode, 0);
        const CliRun vk =
            runCli(common + QStringList{QStringLiteral("--device"), QStringLiteral("vulkan")});
        if (vk.exitCode == 1 && vk.err.contains(QStringLiteral("device error"))) {
            QSKIP("No Vulkan loader/driver on this machine");
        }
        QCOMPARE(vk.exitCode, 0);
        const QJsonObject c = QJsonDocument::fromJson(cpu.out.toUtf8()).object();
        const QJsonObject v = QJsonDocument::fromJson(vk.out.toUtf8()).object();
        QCOMPARE(c.value(QStringLiteral("device")).toString(), QStringLiteral("CPU"));
        QVERIFY2(v.value(QStringLiteral("device")).toString().startsWith(QStringLiteral("Vulkan")),
                 qPrintable(vk.out));
        const double pc = c.value(QStringLiteral("ppl")).toDouble();
        const double pv = v.value(QStringLiteral("ppl")).toDouble();
        qInfo("PPL cpu %.6f, vulkan %.6f", pc, pv);
        QVERIFY(pc > 1.0);
        QVERIFY2(std::abs(pv - pc) < 1e-4 * pc, qPrintable(QString::number(pv - pc)));

        const CliRun bad =
            runCli(common + QStringList{QStringLiteral("--device"), QStringLiteral("vulkan:99")});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains(QStringLiteral("--device vulkan:99")), qPrintable(bad.err));
        const CliRun typo =
            runCli(common + QStringList{QStringLiteral("--device"), QStringLiteral("gpu")});
        QCOMPARE(typo.exitCode, 1);
        QVERIFY2(typo.err.contains(QStringLiteral("expected cpu, vulkan or vulkan:N")),
                 qPrintable(typo.err));
    }
};

QTEST_APPLESS_MAIN(TestCli)
#include "tst_cli.moc"
