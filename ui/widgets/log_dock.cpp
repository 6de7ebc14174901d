#include "ui/widgets/log_dock.h"

#include "core/logging.h"

#include <QPlainTextEdit>
#include <QTime>

#include <mutex>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

namespace qs::ui {
namespace {

// Emits records as queued signals; owned by the spdlog sink, which lives as long as the
// loggers. A destroyed dock simply drops its connection.
class LogRelay : public QObject {
    Q_OBJECT

signals:
    void record(int level, const QString& logger, const QString& message);
};

class QtRelaySink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    QtRelaySink()
        : m_relay(std::make_unique<LogRelay>()) {}
    LogRelay* relay() const { return m_relay.get(); }

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        emit m_relay->record(
            static_cast<int>(msg.level),
            QString::fromUtf8(msg.logger_name.data(),
                              static_cast<qsizetype>(msg.logger_name.size())),
            QString::fromUtf8(msg.payload.data(), static_cast<qsizetype>(msg.payload.size())));
    }
    void flush_() override {}

private:
    std::unique_ptr<LogRelay> m_relay;
};

// One sink for the whole process, created on first use by the GUI thread.
QtRelaySink& relaySink() {
    static std::shared_ptr<QtRelaySink> sink = [] {
        auto s = std::make_shared<QtRelaySink>();
        core::addLogSink(s);
        return s;
    }();
    return *sink;
}

QString levelName(int level) {
    switch (static_cast<spdlog::level::level_enum>(level)) {
    case spdlog::level::trace:
        return QStringLiteral("trace");
    case spdlog::level::debug:
        return QStringLiteral("debug");
    case spdlog::level::info:
        return QStringLiteral("info");
    case spdlog::level::warn:
        return QStringLiteral("warning");
    case spdlog::level::err:
        return QStringLiteral("error");
    case spdlog::level::critical:
        return QStringLiteral("critical");
    default:
        return QString();
    }
}

} // namespace

LogDock::LogDock(QWidget* parent)
    : QDockWidget(tr("Log"), parent)
    , m_view(new QPlainTextEdit(this)) {
    setObjectName(QStringLiteral("logDock"));
    m_view->setReadOnly(true);
    m_view->setMaximumBlockCount(5000);
    m_view->setLineWrapMode(QPlainTextEdit::NoWrap);
    setWidget(m_view);
    connect(relaySink().relay(), &LogRelay::record, this, &LogDock::appendRecord,
            Qt::QueuedConnection);
}

QString LogDock::text() const {
    return m_view->toPlainText();
}

void LogDock::appendRecord(int level, const QString& logger, const QString& message) {
    m_view->appendPlainText(QStringLiteral("%1 [%2] %3: %4")
                                .arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")),
                                     levelName(level), logger, message));
}

} // namespace qs::ui

#include "log_dock.moc"
