#include "cli/cli_common.h"

#include <cstdio>
#include <iostream>
#include <unistd.h>

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

bool parseDouble(const std::string& text, double& out) {
    try {
        std::size_t used = 0;
        out = std::stod(text, &used);
        return used == text.size();
    } catch (...) {
        return false;
    }
}

bool parseInt(const std::string& text, int& out) {
    try {
        std::size_t used = 0;
        out = std::stoi(text, &used);
        return used == text.size();
    } catch (...) {
        return false;
    }
}

TerminalProgress::TerminalProgress()
    : m_tty(::isatty(2) != 0) {}

void TerminalProgress::progress(std::uint64_t done, std::uint64_t total, const std::string& unit,
                                const std::string& what) {
    if (!m_tty || total == 0) {
        return;
    }
    const int percent = static_cast<int>(100 * done / total);
    if (percent == m_lastPercent && done != total) {
        return;
    }
    m_lastPercent = percent;
    std::fprintf(stderr, "\r%3d%% %llu/%llu %s  %-40.40s", percent,
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                 unit.c_str(), what.c_str());
    if (done == total) {
        std::fprintf(stderr, "\n");
    }
}

core::Result<std::optional<core::ImportanceMatrix>> readImatrixOption(const ArgParser& parser) {
    if (!parser.isSet("imatrix")) {
        return std::optional<core::ImportanceMatrix>();
    }
    auto read = core::readImatrix(parser.value("imatrix"));
    if (!read) {
        return read.error();
    }
    return std::optional<core::ImportanceMatrix>(std::move(read).value());
}

} // namespace qs::cli
