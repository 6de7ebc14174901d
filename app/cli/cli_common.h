#pragma once

#include "cli/arg_parser.h"

#include "core/error.h"

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

} // namespace qs::cli
