// `bench all`: every benchmark of the project in one JSON document, the input of
// tools/render_benchmarks.py, which writes the tables of docs/benchmarks.md. Each stage runs
// the public subcommand (bench quant, bench vulkan, compare) with --json as a child process
// and records its exact command line, so every figure names the command that reproduces it.
#include "cli/cli_common.h"
#include "cli/commands.h"

#include "core/jobs/threads.h"
#include "core/paths.h"
#include "core/version.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <spawn.h>
#include <sstream>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

namespace qs::cli {
namespace {

std::string procLine(const char* file, const std::string& key) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key, 0) == 0) {
            const auto colon = line.find(':');
            const auto start = line.find_first_not_of(" \t", colon + 1);
            return start == std::string::npos ? std::string() : line.substr(start);
        }
    }
    return {};
}

nlohmann::json machine() {
    utsname u{};
    ::uname(&u);
    return {{"cpu", procLine("/proc/cpuinfo", "model name")},
            {"hardware_threads", core::effectiveThreads(0)},
            {"memory", procLine("/proc/meminfo", "MemTotal")},
            {"kernel", std::string(u.sysname) + " " + u.release + " " + u.machine},
            {"load_average_at_start", procLine("/proc/loadavg", "")}};
}

// Runs one subcommand as a child process of this binary with its stdout captured (they print
// their JSON document there) and parses that document; stderr (notes, progress) passes
// through. A child per stage gives each stage its own peak resident memory.
struct StageResult {
    int exitCode = kExitFailure;
    nlohmann::json doc;
    double seconds = 0;
    std::uint64_t peakRssBytes = 0;
    std::string error;
};

StageResult runStage(const std::vector<std::string>& args) {
    StageResult r;
    int out[2];
    if (::pipe(out) != 0) {
        r.error = std::string("pipe: ") + std::strerror(errno);
        return r;
    }
    std::vector<std::string> words{"quantscope-cli"};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& w : words) {
        argv.push_back(w.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    const auto start = std::chrono::steady_clock::now();
    pid_t pid = 0;
    const int spawned =
        ::posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (spawned != 0) {
        ::close(out[0]);
        r.error = std::string("cannot start a child: ") + std::strerror(spawned);
        return r;
    }
    std::string captured;
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(out[0], buffer, sizeof buffer);
        if (n > 0) {
            captured.append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
            break;
        }
    }
    ::close(out[0]);
    int status = 0;
    rusage usage{};
    while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.peakRssBytes = static_cast<std::uint64_t>(usage.ru_maxrss) * 1024; // Linux: KiB
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.doc = nlohmann::json::parse(captured, nullptr, false);
    if (r.doc.is_discarded()) {
        r.error = "no JSON output";
    }
    return r;
}

std::string joinCommand(const std::vector<std::string>& words) {
    std::string text = "quantscope-cli";
    for (const auto& w : words) {
        text += ' ';
        text += w.find_first_of(" '\"") == std::string::npos ? w : "'" + w + "'";
    }
    return text;
}

} // namespace

int runBenchAll(const std::vector<std::string>& args) {
    ArgParser parser(
        "bench all",
        "Run every benchmark and print one JSON document (machine, commands, figures, peak "
        "resident memory): CPU quantize/dequantize per format (bench quant), dequantize and "
        "matvec GB/s on the Vulkan device and the CPU (bench vulkan), and size, PPL, KLD and "
        "prompt/decode tokens/sec of llama-quantize presets against the bundled F16 model "
        "(compare). tools/render_benchmarks.py turns it into docs/benchmarks.md's tables.");
    parser.addOption("repeats", "N", "Runs per kernel measurement; the fastest counts", "3");
    parser.addOption("rows", "N", "Rows of 4096 values for bench quant", "128");
    parser.addOption("shapes", "RxC[,RxC...]", "Matrix shapes for bench vulkan", "14336x4096");
    parser.addOption("types", "LIST", "Presets compared with the F16 model",
                     "Q2_K,Q3_K_M,Q4_K_M,Q5_K_M,Q6_K,Q8_0");
    parser.addOption("ctx", "N", "Context length of the model comparison", "256");
    parser.addOption("chunks", "N", "Chunks of the model comparison (-1: the whole text)", "-1");
    parser.addOption("model", "FILE", "Model to compare presets on (default: bundled F16 model)");
    parser.addOption("text", "FILE", "Evaluation text (default: bundled shakespeare-val-a)");
    parser.addOption("llama-cpp", "FILE",
                     "JSON of llama.cpp figures measured on the same machine, copied into the "
                     "output for the renderer");
    parser.addFlag("quick", "Tiny sizes (a smoke test of the pipeline, not a measurement)");
    parser.addFlag("json", "Print the JSON document (the default output is a summary)");
    int exitCode = kExitOk;
    if (!parseOrExit(parser, args, exitCode)) {
        return exitCode;
    }
    const bool quick = parser.isSet("quick");
    const std::string repeats = quick ? "1" : parser.value("repeats");
    const std::string rows = quick ? "8" : parser.value("rows");
    const std::string shapes = quick ? "64x4096" : parser.value("shapes");
    const std::string types = quick ? "Q8_0,Q4_K_M" : parser.value("types");
    const std::string ctx = quick ? "64" : parser.value("ctx");
    const std::string chunks = quick ? "1" : parser.value("chunks");
    const std::string resources = core::bundledResourcesDir();
    const std::string model = parser.isSet("model") ? parser.value("model")
                                                    : resources + "/models/shakespeare-3M-f16.gguf";
    const std::string text =
        parser.isSet("text") ? parser.value("text") : resources + "/text/shakespeare-val-a.txt";

    nlohmann::json doc = {{"quantscope_version", core::kVersion},
                          {"machine", machine()},
                          {"command", joinCommand([&] {
                               std::vector<std::string> words{"bench", "all"};
                               words.insert(words.end(), args.begin(), args.end());
                               return words;
                           }())},
                          {"quick", quick}};
    if (parser.isSet("llama-cpp")) {
        std::ifstream in(parser.value("llama-cpp"));
        auto llama = nlohmann::json::parse(in, nullptr, false);
        if (!in || llama.is_discarded()) {
            return reportError(
                core::makeError(core::ErrorCode::InvalidArgument,
                                parser.value("llama-cpp") + ": cannot read it as JSON"));
        }
        doc["llama_cpp"] = std::move(llama);
    }

    struct Stage {
        const char* name;
        std::vector<std::string> args; // as typed after quantscope-cli
    };
    const std::vector<Stage> stages = {
        {"quant", {"bench", "quant", "--json", "--rows", rows, "--repeats", repeats}},
        {"vulkan", {"bench", "vulkan", "--json", "--shapes", shapes, "--repeats", repeats}},
        {"models",
         {"compare", model, "--text", text, "--types", types, "--ctx", ctx, "--chunks", chunks,
          "--json"}},
    };
    bool allOk = true;
    nlohmann::json stageDocs = nlohmann::json::object();
    for (const Stage& stage : stages) {
        if (!parser.isSet("json")) {
            std::cerr << "bench all: " << joinCommand(stage.args) << "\n";
        }
        const StageResult r = runStage(stage.args);
        nlohmann::json entry = {{"command", joinCommand(stage.args)},
                                {"exit_code", r.exitCode},
                                {"seconds", r.seconds},
                                {"peak_rss_bytes", r.peakRssBytes}};
        if (r.error.empty()) {
            entry["result"] = r.doc;
        } else {
            entry["error"] = r.error;
        }
        allOk = allOk && r.error.empty() && r.exitCode == kExitOk;
        if (!parser.isSet("json")) {
            std::printf("%-7s exit %d, %.1f s, peak RSS %.1f MiB%s%s\n", stage.name, r.exitCode,
                        r.seconds, double(r.peakRssBytes) / (1024.0 * 1024.0),
                        r.error.empty() ? "" : ", ", r.error.c_str());
        }
        stageDocs[stage.name] = std::move(entry);
    }
    doc["stages"] = std::move(stageDocs);
    if (parser.isSet("json")) {
        std::cout << doc.dump(2) << "\n";
    }
    return allOk ? kExitOk : kExitFailure;
}

} // namespace qs::cli
