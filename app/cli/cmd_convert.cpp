#include "cli/cli_common.h"
#include "cli/commands.h"

#include "core/export/gguf_convert.h"
#include "core/io/model_reader.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace qs::cli {

int runConvert(const std::vector<std::string>& args) {
    ArgParser parser("convert", "Write any supported model (GGUF, Hugging Face folder, llama2.c "
                                "checkpoint) as a GGUF file that llama.cpp loads.\n"
                                "Matrices take --type; 1-D tensors (norms) are written F32.");
    parser.addPositional("MODEL", "Input model file or folder");
    parser.addPositional("OUT", "Output .gguf file (written atomically)");
    parser.addOption("type", "TYPE", "f32, f16 or bf16 for matrices (default: keep stored types)");
    parser.addOption("tokenizer", "PATH", "llama2.c tokenizer.bin (default: found beside MODEL)");
    int exitCode = kExitOk;
    if (!parseOrExit(parser, args, exitCode)) {
        return exitCode;
    }
    core::ConvertOptions options;
    if (parser.isSet("type")) {
        const auto* info = core::ggmlTypeByName(parser.value("type"));
        if (info == nullptr ||
            (info->type != core::GgmlType::F32 && info->type != core::GgmlType::F16 &&
             info->type != core::GgmlType::BF16)) {
            std::cerr << "quantscope-cli convert: --type must be f32, f16 or bf16, not '"
                      << parser.value("type") << "'\n";
            return kExitUsage;
        }
        options.matrixType = info->type;
    }
    const auto start = std::chrono::steady_clock::now();
    auto model = core::openModel(parser.positional("MODEL"),
                                 parser.isSet("tokenizer") ? parser.value("tokenizer") : "");
    if (!model) {
        return reportError(model.error());
    }
    TerminalProgress progress;
    core::CancelToken cancel;
    const std::string out = parser.positional("OUT");
    if (auto s = core::convertToGguf(*model, out, options, progress, cancel); !s) {
        return reportError(s.error());
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("wrote %s: %zu tensors in %.3f s\n", out.c_str(), model->tensors().size(), seconds);
    return kExitOk;
}

} // namespace qs::cli
