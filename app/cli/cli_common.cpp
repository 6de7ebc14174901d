#include "cli/cli_common.h"

#include <iostream>

namespace qs::cli {

int reportError(const core::Error& error) {
    std::cerr << "quantscope-cli: " << error.toString() << "\n";
    return kExitFailure;
}

bool parseOrExit(ArgParser& parser, const std::vector<std::string>& args, int& exitCode) {
    if (!parser.parse(args)) {
        std::cerr << "quantscope-cli: " << parser.error() << "\n"
                  << "Try 'quantscope-cli " << (args.empty() ? "" : "<command> ") << "--help'.\n";
        exitCode = kExitUsage;
        return false;
    }
    if (parser.helpRequested()) {
        std::cout << parser.helpText();
        exitCode = kExitOk;
        return false;
    }
    return true;
}

} // namespace qs::cli
