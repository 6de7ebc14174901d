#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>

// Runs quantscope-cli with arguments and captures what it printed, for the CLI tests.
struct CliRun {
    int exitCode = -1;
    QString out;
    QString err;
};

// Runs quantscope-cli in `p`, which the caller may have set up (environment, resource limits).
inline CliRun runCliIn(QProcess& p, const QStringList& args, int timeoutMs = 300000) {
    p.start(QStringLiteral(QS_CLI_PATH), args);
    CliRun r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = QStringLiteral("timed out");
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

inline CliRun runCli(const QStringList& args, int timeoutMs = 300000) {
    QProcess p;
    return runCliIn(p, args, timeoutMs);
}
