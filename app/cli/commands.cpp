#include "cli/commands.h"

namespace qs::cli {

const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        {"devices", "List the Vulkan compute devices and the one used by default", &runDevices},
        {"bench", "Measure dequantize and matvec throughput (Vulkan vs CPU) per format", &runBench},
        {"inspect", "Show a model's architecture, metadata and tensors", &runInspect},
        {"convert", "Write a GGUF, Hugging Face or llama2.c model as GGUF (F32/F16/BF16)",
         &runConvert},
        {"quantize", "Quantize with a llama-quantize preset (same types, same bytes) to GGUF",
         &runQuantize},
        {"synth", "Write a synthetic Llama GGUF (8B-shaped or custom) with realistic weights",
         &runSynth},
        {"eval", "Perplexity, KL divergence against a reference model, and tokens/sec", &runEval},
        {"imatrix", "Collect an importance matrix (llama-imatrix's GGUF or .dat format)",
         &runImatrix},
        {"compare", "Quantize with several presets and compare PPL, KLD and speed in one table",
         &runCompare},
        {"plan", "Choose a format per tensor for a size or error target (writes a plan)", &runPlan},
        {"gptq", "Calibrated GPTQ quantization written as an AutoGPTQ checkpoint folder", &runGptq},
        {"awq", "Calibrated AWQ (4-bit) quantization written as an AutoAWQ GEMM checkpoint",
         &runAwq},
    };
    return table;
}

} // namespace qs::cli
