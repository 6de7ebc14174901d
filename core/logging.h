#pragma once

#include <memory>
#include <string>

namespace spdlog {
class logger;
namespace sinks {
class sink;
}
} // namespace spdlog

namespace qs::core {

// How chatty the binaries are: --quiet shows warnings and errors, --verbose adds debug records.
enum class Verbosity { Quiet, Normal, Verbose };

// The named loggers, one per module, all writing to the same sinks.
inline constexpr const char* kLogCore = "core";
inline constexpr const char* kLogVulkan = "vk";
inline constexpr const char* kLogUi = "ui";
inline constexpr const char* kLogApp = "app";

// Sets up stderr output (and, when logFilePath is not empty, a log file) for every module
// logger. Safe to call again: the level and the sinks are replaced.
// Returns an error text when the log file cannot be opened (logging to stderr still works).
std::string initLogging(Verbosity verbosity, const std::string& logFilePath = {});

// Adds a sink (e.g. the GUI's log dock) to every module logger, present and future.
void addLogSink(std::shared_ptr<spdlog::sinks::sink> sink);

// The logger of a module (kLogCore, kLogVulkan, ...). Never null; created on first use.
std::shared_ptr<spdlog::logger> moduleLogger(const char* module);

// Shorthand used throughout core.
spdlog::logger& coreLog();

} // namespace qs::core
