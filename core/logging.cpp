#include "core/logging.h"

#include <mutex>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <vector>

namespace qs::core {
namespace {

struct LogState {
    std::mutex mutex;
    std::vector<spdlog::sink_ptr> sinks;
    std::vector<std::shared_ptr<spdlog::logger>> loggers;
    spdlog::level::level_enum level = spdlog::level::info;
    bool initialised = false;
};

LogState& state() {
    static LogState s;
    return s;
}

spdlog::level::level_enum levelFor(Verbosity v) {
    switch (v) {
    case Verbosity::Quiet:
        return spdlog::level::warn;
    case Verbosity::Normal:
        return spdlog::level::info;
    case Verbosity::Verbose:
        return spdlog::level::debug;
    }
    return spdlog::level::info;
}

void ensureDefaultSinksLocked(LogState& s) {
    if (!s.initialised) {
        s.sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
        s.initialised = true;
    }
}

// Re-applies sinks and level to every registered module logger.
void refreshLoggersLocked(LogState& s) {
    for (const auto& log : s.loggers) {
        log->sinks() = s.sinks;
        log->set_level(s.level);
    }
}

} // namespace

std::string initLogging(Verbosity verbosity, const std::string& logFilePath) {
    LogState& s = state();
    std::lock_guard lock(s.mutex);
    s.sinks.clear();
    s.initialised = true;
    s.level = levelFor(verbosity);
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    console->set_pattern("[%l] %n: %v");
    s.sinks.push_back(console);
    std::string problem;
    if (!logFilePath.empty()) {
        try {
            auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(logFilePath);
            // The file keeps debug records even when the console is quiet: it is what users
            // attach to bug reports.
            file->set_level(spdlog::level::debug);
            file->set_pattern("%Y-%m-%d %H:%M:%S.%e [%l] %n: %v");
            s.sinks.push_back(file);
            s.level = std::min(s.level, spdlog::level::debug);
            console->set_level(levelFor(verbosity));
        } catch (const spdlog::spdlog_ex& e) {
            problem = logFilePath + ": cannot open log file: " + e.what();
        }
    }
    refreshLoggersLocked(s);
    return problem;
}

void addLogSink(std::shared_ptr<spdlog::sinks::sink> sink) {
    LogState& s = state();
    std::lock_guard lock(s.mutex);
    ensureDefaultSinksLocked(s);
    s.sinks.push_back(std::move(sink));
    refreshLoggersLocked(s);
}

std::shared_ptr<spdlog::logger> moduleLogger(const char* module) {
    LogState& s = state();
    std::lock_guard lock(s.mutex);
    if (auto existing = spdlog::get(module)) {
        return existing;
    }
    ensureDefaultSinksLocked(s);
    auto created = std::make_shared<spdlog::logger>(module, s.sinks.begin(), s.sinks.end());
    created->set_level(s.level);
    spdlog::register_logger(created);
    s.loggers.push_back(created);
    return created;
}

spdlog::logger& coreLog() {
    static std::shared_ptr<spdlog::logger> log = moduleLogger(kLogCore);
    return *log;
}

} // namespace qs::core
