// quantscope-cli: the headless front end. Global options, then one subcommand.
#include "cli/cli_common.h"
#include "cli/commands.h"

#include "core/logging.h"
#include "core/version.h"

#include <iostream>
#include <string>
#include <vector>

namespace {

void printUsage(std::ostream& out) {
    out << "Usage: quantscope-cli [--verbose | --quiet] <command> [options]\n"
           "       quantscope-cli --version | --help\n\n"
           "Quantize, inspect and evaluate large language models (GGUF, safetensors, llama2.c).\n\n"
           "Commands:\n";
    for (const auto& c : qs::cli::commands()) {
        std::string name = c.name;
        out << "  " << name << std::string(name.size() < 12 ? 12 - name.size() : 1, ' ')
            << c.summary << "\n";
    }
    out << "\nGlobal options:\n"
           "  --verbose   Log debug details to stderr\n"
           "  --quiet     Log only warnings and errors\n"
           "  --version   Print the version and exit\n"
           "  --help      Print this help and exit\n\n"
           "Run 'quantscope-cli <command> --help' for the options of a command.\n"
           "Exit status: 0 success, 1 failure, 2 usage error.\n";
}

} // namespace

int main(int argc, char** argv) {
    using namespace qs;
    std::vector<std::string> args(argv + 1, argv + argc);
    core::Verbosity verbosity = core::Verbosity::Normal;
    std::size_t i = 0;
    for (; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--verbose" || a == "-v") {
            verbosity = core::Verbosity::Verbose;
        } else if (a == "--quiet" || a == "-q") {
            verbosity = core::Verbosity::Quiet;
        } else if (a == "--version") {
            std::cout << "quantscope-cli " << core::kVersion << "\n";
            return cli::kExitOk;
        } else if (a == "--help" || a == "-h") {
            printUsage(std::cout);
            return cli::kExitOk;
        } else if (a.rfind("-", 0) == 0) {
            std::cerr << "quantscope-cli: unknown option " << a << "\n";
            printUsage(std::cerr);
            return cli::kExitUsage;
        } else {
            break;
        }
    }
    if (i == args.size()) {
        printUsage(std::cerr);
        return cli::kExitUsage;
    }
    core::initLogging(verbosity);
    const std::string name = args[i];
    for (const auto& c : cli::commands()) {
        if (name == c.name) {
            std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                                          args.end());
            // Global options may also follow the command name.
            std::vector<std::string> commandArgs;
            for (const auto& r : rest) {
                if (r == "--verbose" || r == "-v") {
                    core::initLogging(core::Verbosity::Verbose);
                } else if (r == "--quiet" || r == "-q") {
                    core::initLogging(core::Verbosity::Quiet);
                } else {
                    commandArgs.push_back(r);
                }
            }
            return c.run(commandArgs);
        }
    }
    std::cerr << "quantscope-cli: unknown command '" << name << "'\n";
    printUsage(std::cerr);
    return cli::kExitUsage;
}
