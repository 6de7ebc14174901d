#include "cli/cli_common.h"
#include "cli/commands.h"

#include "core/io/synthetic_model.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace qs::cli {
namespace {

core::CancelToken* g_cancel = nullptr;

extern "C" void onInterrupt(int) {
    if (g_cancel != nullptr) {
        g_cancel->requestCancel(); // a lock-free atomic store: safe in a signal handler
    }
}

// Bytes written so far on stderr, redrawn in place, only when stderr is a terminal.
class ByteProgress final : public core::ProgressSink {
public:
    void progress(std::uint64_t done, std::uint64_t total, const std::string&,
                  const std::string& what) override {
        if (!m_tty || total == 0) {
            return;
        }
        const int percent = static_cast<int>(100 * done / total);
        if (percent == m_lastPercent && done != total) {
            return;
        }
        m_lastPercent = percent;
        std::fprintf(stderr, "\r%3d%% %.2f/%.2f GiB  %-32.32s", percent,
                     static_cast<double>(done) / (1u << 30),
                     static_cast<double>(total) / (1u << 30), what.c_str());
        if (done == total) {
            std::fprintf(stderr, "\n");
        }
    }

private:
    bool m_tty = ::isatty(2) != 0;
    int m_lastPercent = -1;
};

template <typename T>
bool parseNumber(const std::string& text, T& out) {
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end && !text.empty();
}

} // namespace

int runSynth(const std::vector<std::string>& args) {
    ArgParser parser("synth",
                     "Write a GGUF of a dense family (llama, qwen2, qwen3, gemma3, phi3) with "
                     "reproducible random weights\nwhose statistics resemble real ones "
                     "(Student-t tails, a few outlier input channels, norms near 1),\nstreamed "
                     "a chunk at a time. Shapes: 8b (Llama-3-8B, ~16 GB as f16), 1b, tiny, and "
                     "the real\ndims of qwen2.5-7b, qwen3-8b, gemma3-12b, phi4, qwen3-30b-a3b and "
                     "mixtral-8x7b; custom needs "
                     "all six dimension options,\nwhich also override a named shape.");
    parser.addPositional("OUT", "Output .gguf file (written atomically)");
    parser.addOption("shape", "SHAPE",
                     "8b, 1b, tiny, qwen2.5-7b, qwen3-8b, gemma3-12b, phi4, qwen3-30b-a3b, "
                     "mixtral-8x7b or custom",
                     std::string("tiny"));
    parser.addOption("arch", "FAMILY",
                     "llama, qwen2, qwen3, gemma3, phi3 or qwen3moe (default: the shape's, else "
                     "llama)");
    parser.addOption("experts", "N", "Experts per layer (a mixture-of-experts FFN)");
    parser.addOption("experts-used", "N", "Experts per token");
    parser.addOption("expert-ffn", "N", "Feed-forward length of each expert");
    parser.addOption("head-dim", "N", "Head size when it is not dim / heads (qwen3, gemma3)");
    parser.addOption("layers", "N", "Transformer blocks");
    parser.addOption("dim", "N", "Embedding length");
    parser.addOption("ffn", "N", "Feed-forward length");
    parser.addOption("heads", "N", "Attention heads");
    parser.addOption("kv-heads", "N", "Key/value heads");
    parser.addOption("vocab", "N", "Vocabulary size (stories260K's tokens, padded or trimmed)");
    parser.addOption("type", "TYPE", "f16, f32 or bf16 for matrices", std::string("f16"));
    parser.addOption("seed", "N", "Random seed (same seed, same file)", std::string("0"));
    int exitCode = kExitOk;
    if (!parseOrExit(parser, args, exitCode)) {
        return exitCode;
    }
    auto usage = [](const std::string& message) {
        std::cerr << "quantscope-cli synth: " << message << "\n";
        return kExitUsage;
    };

    const std::string shapeName = parser.value("shape");
    core::SyntheticOptions options;
    if (shapeName != "custom") {
        const auto shape = core::syntheticShapeByName(shapeName);
        if (!shape) {
            return usage("--shape must be one of 8b, 1b, tiny, qwen2.5-7b, qwen3-8b, gemma3-12b, "
                         "phi4, qwen3-30b-a3b, mixtral-8x7b or custom, not '" +
                         shapeName + "'");
        }
        options.shape = *shape;
    }
    struct DimOption {
        const char* name;
        std::uint32_t* field;
    };
    const DimOption dims[] = {
        {"layers", &options.shape.layers},    {"dim", &options.shape.dim},
        {"ffn", &options.shape.ffn},          {"heads", &options.shape.heads},
        {"kv-heads", &options.shape.kvHeads}, {"vocab", &options.shape.vocab},
    };
    const DimOption expertDims[] = {{"experts", &options.shape.experts},
                                    {"experts-used", &options.shape.expertsUsed},
                                    {"expert-ffn", &options.shape.expertFfn}};
    for (const auto& d : expertDims) {
        if (parser.isSet(d.name) &&
            (!parseNumber(parser.value(d.name), *d.field) || *d.field == 0)) {
            return usage(std::string("--") + d.name + " must be a positive integer, not '" +
                         parser.value(d.name) + "'");
        }
    }
    for (const auto& d : dims) {
        if (!parser.isSet(d.name)) {
            if (shapeName == "custom") {
                return usage(std::string("--shape custom needs --") + d.name);
            }
            continue;
        }
        if (!parseNumber(parser.value(d.name), *d.field) || *d.field == 0) {
            return usage(std::string("--") + d.name + " must be a positive integer, not '" +
                         parser.value(d.name) + "'");
        }
    }
    if (parser.isSet("arch") && parser.value("arch") != options.shape.architecture) {
        options.shape.architecture = parser.value("arch");
        // The family's own defaults where the shape came from another family.
        options.shape.tiedOutput = options.shape.architecture == "gemma3";
        options.shape.slidingWindow = options.shape.architecture == "gemma3" ? 1024 : 0;
    }
    if (parser.isSet("head-dim") &&
        (!parseNumber(parser.value("head-dim"), options.shape.headDim) ||
         options.shape.headDim == 0)) {
        return usage("--head-dim must be a positive integer, not '" + parser.value("head-dim") +
                     "'");
    }
    const std::string type = parser.value("type");
    if (type == "f16" || type == "F16") {
        options.type = core::GgmlType::F16;
    } else if (type == "f32" || type == "F32") {
        options.type = core::GgmlType::F32;
    } else if (type == "bf16" || type == "BF16") {
        options.type = core::GgmlType::BF16;
    } else {
        return usage("--type must be f16, f32 or bf16, not '" + type + "'");
    }
    if (!parseNumber(parser.value("seed"), options.seed)) {
        return usage("--seed must be a non-negative integer, not '" + parser.value("seed") + "'");
    }
    if (auto s = core::validateSyntheticShape(options.shape); !s) {
        return usage(s.error().message);
    }
    options.name = "quantscope synthetic " + shapeName;

    const std::string out = parser.positional("OUT");
    core::CancelToken cancel;
    g_cancel = &cancel;
    struct sigaction action {};
    action.sa_handler = onInterrupt;
    sigemptyset(&action.sa_mask);
    struct sigaction oldInt {};
    struct sigaction oldTerm {};
    ::sigaction(SIGINT, &action, &oldInt);
    ::sigaction(SIGTERM, &action, &oldTerm);
    ByteProgress progress;
    const auto start = std::chrono::steady_clock::now();
    const auto status = core::writeSyntheticModel(out, options, progress, cancel);
    ::sigaction(SIGINT, &oldInt, nullptr);
    ::sigaction(SIGTERM, &oldTerm, nullptr);
    g_cancel = nullptr;
    if (!status) {
        return reportError(status.error());
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto tensors = core::syntheticTensors(options.shape, options.type);
    std::uint64_t bytes = 0;
    for (const auto& t : tensors) {
        std::uint64_t n = 1;
        for (const auto d : t.dims) {
            n *= d;
        }
        bytes += n * (t.type == core::GgmlType::F32 ? 4 : 2);
    }
    std::printf("wrote %s: %zu tensors, %.3f GB of weights in %.2f s (%.0f MB/s)\n", out.c_str(),
                tensors.size(), static_cast<double>(bytes) / 1e9, seconds,
                static_cast<double>(bytes) / 1e6 / std::max(seconds, 1e-9));
    return kExitOk;
}

} // namespace qs::cli
