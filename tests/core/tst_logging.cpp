#include "core/logging.h"

#include <QDir>
#include <QFile>
#include <QTest>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sstream>

using namespace qs::core;

class TestLogging : public QObject {
    Q_OBJECT

private slots:
    void moduleLoggersAreNamedAndShareSinks() {
        initLogging(Verbosity::Normal);
        std::ostringstream captured;
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
        sink->set_pattern("%n|%l|%v");
        addLogSink(sink);
        moduleLogger(kLogCore)->info("from core");
        moduleLogger(kLogVulkan)->warn("from vk");
        const std::string text = captured.str();
        QVERIFY2(text.find("core|info|from core") != std::string::npos, text.c_str());
        QVERIFY2(text.find("vk|warning|from vk") != std::string::npos, text.c_str());
    }

    void quietDropsInfoButKeepsWarnings() {
        std::ostringstream captured;
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
        sink->set_pattern("%v");
        initLogging(Verbosity::Quiet);
        addLogSink(sink);
        coreLog().info("hidden");
        coreLog().warn("shown");
        QCOMPARE(captured.str(), std::string("shown\n"));
    }

    void verboseShowsDebug() {
        std::ostringstream captured;
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
        sink->set_pattern("%v");
        initLogging(Verbosity::Verbose);
        addLogSink(sink);
        moduleLogger(kLogUi)->debug("detail");
        QCOMPARE(captured.str(), std::string("detail\n"));
    }

    void logFileReceivesRecords() {
        const QString path = QDir::tempPath() + "/qs_tst_logging.log";
        QFile::remove(path);
        QVERIFY(initLogging(Verbosity::Quiet, path.toStdString()).empty());
        coreLog().debug("written to the file only");
        coreLog().flush();
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains("written to the file only"));
        // A log path below a regular file cannot be created, even as root.
        const std::string blocked = path.toStdString() + "/quantscope.log";
        QVERIFY(!initLogging(Verbosity::Normal, blocked).empty());
    }
};

QTEST_APPLESS_MAIN(TestLogging)
#include "tst_logging.moc"
