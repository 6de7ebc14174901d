#pragma once

#include "core/error.h"
#include "core/gptq/calibrate.h"
#include "core/jobs/job_control.h"

#include <cstdint>
#include <optional>
#include <string>

namespace qs::core {

class Model;

struct QuantizedCheckpointOptions {
    // GPTQ: "gptq" (v1, zeros stored minus one, AutoGPTQ's default) or "gptq_v2". AWQ: "gemm".
    // Asymmetric GPTQ output is always written as gptq_v2 (gptqCheckpointFormat).
    std::string format = "gptq";
    // transformers' save_pretrained default shard size ("5GB").
    std::uint64_t maxShardBytes = 5'000'000'000ull;
    // Folder to copy tokenizer files from; empty: the source model's folder when it is a
    // Hugging Face folder. A GGUF source has no tokenizer.json to copy (none is synthesised).
    std::string tokenizerFolder;
};

// The format GPTQ output is written in: `requested` ("gptq" or "gptq_v2"), except that
// asymmetric output is always "gptq_v2". GPTQModel refuses asymmetric v1 checkpoints unless
// meta.quantizer names a GPTQModel version (which ours must not pretend to be), and v1's
// "zero - 1" cannot store a zero of 0. Logs that reason when it overrides the request.
std::string gptqCheckpointFormat(const std::string& requested, bool sym);

// Writes a GPTQ (or AWQ GEMM) checkpoint folder: model.safetensors (sharded with an index above
// maxShardBytes), config.json with quantization_config, quantize_config.json, tokenizer files
// and a README.md card. Quantized linears as AutoGPTQ / AutoAWQ pack them, Q/K rows in HF
// order, every other tensor in F16 under its HF name. GPTQ is written in
// gptqCheckpointFormat(options.format, sym); a gptq_v2 config names its format in both
// `checkpoint_format` and `format` (optimum reads the latter). The folder is built under a
// temporary name beside `outDir` and renamed at the end: complete or absent. `outDir` must not
// exist (or be an empty folder). Memory: the packed checkpoint is assembled in memory first.
Status writeQuantizedCheckpoint(const Model& source, const CalibratedQuantization& quantization,
                                const std::string& outDir,
                                const QuantizedCheckpointOptions& options, CancelToken& cancel,
                                ProgressSink& progress);

} // namespace qs::core
