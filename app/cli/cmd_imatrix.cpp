#include "cli/cli_common.h"
#include "cli/commands.h"

#include "core/workflows/imatrix_collection.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace qs::cli {

int runImatrix(const std::vector<std::string>& rawArgs) {
    ArgParser parser("imatrix",
                     "Collect an importance matrix like llama-imatrix: the sum of squared input\n"
                     "activations per column of every linear layer of the blocks, over chunks of\n"
                     "--ctx tokens of a text (BOS first, every token counted), written in\n"
                     "llama.cpp's GGUF imatrix format or the legacy .dat.");
    parser.addPositional("MODEL", "GGUF file, Hugging Face folder or llama2.c checkpoint");
    parser.addOption("text", "FILE", "Calibration text (one trailing newline is dropped)");
    parser.addOption("output", "FILE", "Output file (-o)");
    parser.addOption("ctx", "N", "Tokens per chunk (llama-imatrix -c)", "512");
    parser.addOption("chunks", "N", "Use at most N chunks (default: all)", "-1");
    parser.addOption("format", "gguf|dat",
                     "Output format (default: from the extension, else gguf)");
    parser.addOption("batch", "N",
                     "Tokens per batch (llama-imatrix -b): N / ctx chunks run side by side",
                     "2048");
    parser.addOption("ubatch", "N",
                     "Rows per forward call (llama-imatrix -ub); with the batch, it sets the "
                     "order in which activations are summed, as llama.cpp does",
                     "512");
    parser.addOption("tokenizer", "FILE", "tokenizer.bin or tokenizer.json overriding the model's");
    parser.addOption("threads", "N", "CPU threads (default: all)");
    std::vector<std::string> args = rawArgs;
    for (auto& a : args) {
        if (a == "-o") {
            a = "--output";
        }
    }
    int exitCode = kExitOk;
    if (!parseOrExit(parser, args, exitCode)) {
        return exitCode;
    }
    int ctxLength = 0, chunks = 0, batch = 0, ubatch = 0;
    int threads = 0; // all hardware threads
    if (!parseInt(parser.value("ctx"), ctxLength) || ctxLength < 2 ||
        !parseInt(parser.value("chunks"), chunks) || !parseInt(parser.value("batch"), batch) ||
        batch < 1 || !parseInt(parser.value("ubatch"), ubatch) || ubatch < 1 ||
        (parser.isSet("threads") && (!parseInt(parser.value("threads"), threads) || threads < 1))) {
        std::cerr << "quantscope-cli imatrix: --ctx, --chunks, --batch, --ubatch and --threads "
                     "take integers\n";
        return kExitUsage;
    }
    if (!parser.isSet("text") || !parser.isSet("output")) {
        std::cerr << "quantscope-cli imatrix: --text FILE and -o FILE are required\n";
        return kExitUsage;
    }
    const std::string output = parser.value("output");
    core::ImatrixFormat format =
        output.ends_with(".dat") ? core::ImatrixFormat::LegacyDat : core::ImatrixFormat::Gguf;
    if (parser.isSet("format")) {
        const std::string f = parser.value("format");
        if (f != "gguf" && f != "dat") {
            std::cerr << "quantscope-cli imatrix: --format is gguf or dat\n";
            return kExitUsage;
        }
        format = f == "dat" ? core::ImatrixFormat::LegacyDat : core::ImatrixFormat::Gguf;
    }
    core::ImatrixCollectionRequest request;
    request.modelPath = parser.positional("MODEL");
    request.tokenizerPath = parser.value("tokenizer");
    request.textPath = parser.value("text"); // also the dataset name, as llama-imatrix stores -f
    request.outputPath = output;
    request.format = format;
    request.collect.contextLength = ctxLength;
    request.collect.maxChunks = chunks;
    request.collect.batchSize = batch;
    request.collect.ubatchSize = ubatch;
    request.threads = threads;
    TerminalProgress stderrProgress;
    core::NullProgressSink silent;
    core::ProgressSink& progress =
        isatty(fileno(stderr)) ? static_cast<core::ProgressSink&>(stderrProgress) : silent;
    core::CancelToken cancel;
    const auto start = std::chrono::steady_clock::now();
    auto collected = core::collectImatrixFromFiles(request, cancel, progress);
    if (!collected) {
        return reportError(collected.error());
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%s: %zu entries, %lld chunks of %d tokens (%zu tokens in the text), %s, %.1f s\n",
                output.c_str(), collected->matrix.entries.size(),
                static_cast<long long>(collected->matrix.chunkCount), ctxLength,
                collected->textTokens, format == core::ImatrixFormat::Gguf ? "gguf" : "dat",
                seconds);
    return kExitOk;
}

} // namespace qs::cli
