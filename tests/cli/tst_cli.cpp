#include "cli_runner.h"

#include "core/version.h"

#include <QTest>

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
};

QTEST_APPLESS_MAIN(TestCli)
#include "tst_cli.moc"
