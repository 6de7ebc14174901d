#pragma once

#include "cli/arg_parser.h"

#include "core/error.h"
#include "core/io/imatrix.h"
#include "core/jobs/job_control.h"

#include <optional>
#include <string>
#include <vector>

namespace qs::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1; // the command ran and failed (bad file, cancelled, ...)
inline constexpr int kExitUsage = 2;   // the command line itself is wrong

// Prints "quantscope-cli: <code>: <message>" on stderr and returns kExitFailure.
int reportError(const core::Error& error);

// Parses args; on --help prints help and sets exitCode to 0, on a usage error prints it with
// a hint and sets exitCode to 2. Returns true when the command should run.
bool parseOrExit(ArgParser& parser, const std::vector<std::string>& args, int& exitCode);

// Parses a whole decimal int ("12", not "12x"); false on anything else.
bool parseInt(const std::string& text, int& out);
// A whole string as a double (std::stod), false on anything else.
bool parseDouble(const std::string& text, double& out);

// The importance matrix named by --imatrix (llama-imatrix .gguf or .dat), or nullopt when the
// option is not set. Every command that quantizes takes it the same way.
core::Result<std::optional<core::ImportanceMatrix>> readImatrixOption(const ArgParser& parser);

// A progress line on stderr, redrawn in place at whole percents, only when stderr is a
// terminal (silent when redirected to a file or under --json pipelines).
class TerminalProgress final : public core::ProgressSink {
public:
    TerminalProgress();
    void progress(std::uint64_t done, std::uint64_t total, const std::string& unit,
                  const std::string& what) override;

private:
    bool m_tty;
    int m_lastPercent = -1;
};

} // namespace qs::cli
