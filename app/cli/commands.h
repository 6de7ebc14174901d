#pragma once

#include <string>
#include <vector>

namespace qs::cli {

// One subcommand of quantscope-cli. `run` receives the arguments after the command name and
// returns the process exit code (0 ok, 1 failure, 2 usage error).
struct Command {
    const char* name;
    const char* summary;
    int (*run)(const std::vector<std::string>& args);
};

// Every subcommand, in the order `--help` lists them.
const std::vector<Command>& commands();

// One declaration per subcommand; each lives in cmd_<name>.cpp.
int runDevices(const std::vector<std::string>& args);
int runBench(const std::vector<std::string>& args);
int runBenchQuant(const std::vector<std::string>& args);
int runBenchAll(const std::vector<std::string>& args);
int runInspect(const std::vector<std::string>& args);
int runConvert(const std::vector<std::string>& args);
int runQuantize(const std::vector<std::string>& args);
int runEval(const std::vector<std::string>& args);
int runImatrix(const std::vector<std::string>& args);
int runCompare(const std::vector<std::string>& args);
int runSynth(const std::vector<std::string>& args);
int runGptq(const std::vector<std::string>& args);
int runAwq(const std::vector<std::string>& args);
int runPlan(const std::vector<std::string>& args);

} // namespace qs::cli
