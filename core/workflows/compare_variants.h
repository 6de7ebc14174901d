#pragma once

#include "core/error.h"
#include "core/eval/kl_divergence.h"
#include "core/eval/throughput.h"
#include "core/jobs/job_control.h"
#include "core/plan/quant_plan.h"
#include "core/workflows/calibrated_gguf.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

// Quantizes a model with several llama-quantize presets and evaluates every variant against
// the input model on one text: PPL, KL divergence, top-1 agreement and tokens/sec. Shared by
// `quantscope-cli compare` and the GUI's comparison view.
namespace qs::core {

class ComputeBackend;

struct ImportanceMatrix;

// A variant given by its plan (the optimizer's, a hand-edited one) rather than a preset.
struct PlanVariant {
    std::string name; // the row's name, e.g. "opt-4.8bpw"
    QuantPlan plan;
    std::uint32_t fileType = 0; // general.file_type; 0 keeps the input's
    // Quantized with calibrated rounding (CompareVariantsOptions::calibrated).
    bool calibrated = false;
};

// A variant that already exists on disk: a GGUF file made elsewhere, or a GPTQ / AWQ checkpoint
// folder (anything openModel reads). Evaluated as it is, without quantizing.
struct FileVariant {
    std::string name; // the row's name, e.g. "gptq-4bit"
    std::string path;
};

struct CompareVariantsOptions {
    std::vector<std::string> presets; // "Q2_K", "Q4_K_M", ... (llamaPresetByName)
    std::vector<PlanVariant> plans;   // evaluated after the presets, in order
    std::vector<FileVariant> files;   // evaluated last, in order; never removed
    int contextLength = 512;
    int maxChunks = -1; // -1 = every whole chunk of the text
    int batchSize = 512;
    int threads = 0; // 0 = effectiveThreads(0): every hardware thread
    // Where the evaluation's matrix products (and the quantization's error round trip) run;
    // nullptr: the built-in CPU kernels. Not owned; must outlive the call.
    ComputeBackend* backend = nullptr;
    // Importance matrix for the quantization, or nullptr; `imatrixFileName` goes into
    // quantize.imatrix.file. Presets that need one (IQ2_*, Q2_K_S) fail without it.
    const ImportanceMatrix* imatrix = nullptr;
    std::string imatrixFileName;
    // Where the variants are written ("<model stem>-<PRESET>.gguf"); kept there. Empty: a
    // temporary folder, each file removed once evaluated.
    std::string outputDir;
    // Where the input model's log-probabilities are cached (kl_divergence.h); empty: the
    // system temp folder's quantscope-kld.
    std::string cacheDir;
    // A reference distribution saved by llama-perplexity --kl-divergence-base (llama.cpp's own
    // F16 run, say): every row, the input model's included, is measured against it instead of
    // against the input model's distribution. Its context must equal contextLength; its tokens
    // are what is evaluated.
    std::string referenceFile;
    bool measureSpeed = true;
    ThroughputOptions speed; // promptTokens/genTokens are capped at the context length
    // Set: every preset is also compared with calibrated rounding (issue 20), as the row
    // "<PRESET>+cal" right after the presets, and plan variants marked `calibrated` use it.
    std::optional<CalibratedGgufOptions> calibrated;
};

// The quantization error of one tensor of a preset or plan variant: what a per-layer error
// curve needs (the source weights against the variant's dequantized ones).
struct VariantTensorError {
    std::string name;
    int layer = -1; // N of "blk.N.*"; -1 for global tensors (token_embd, output, ...)
    std::uint64_t parameters = 0;
    double relativeRmse = 0;
    std::optional<double> weightedMse; // with an importance matrix only
};

struct VariantResult {
    std::string name;            // "F32" for the input model (its file type), else the preset
    bool isReference = false;    // the input model's own row (KLD against itself, ratio 1)
    std::string path;            // the file evaluated (empty once a temporary file is removed)
    std::uint64_t fileBytes = 0; // a folder variant: the sum of its files
    // Tensor bits / parameters; a file or folder variant: its weight files' bits / the input's
    // parameters (checkpoints are dequantized on load, so their in-memory size says nothing).
    double bitsPerWeight = 0;
    double quantizeSeconds = 0;
    KlDivergenceResult kld; // kld.ppl / kld.pplError: the variant's PPL
    double deltaPpl = 0;    // ppl - the input model's ppl
    std::optional<ThroughputResult> speed;
    double ppRatio = 0, tgRatio = 0; // tok/s relative to the input model's
    std::string error;               // non-empty: this variant failed (others go on)
    // The tensors whose type the variant changed, in file order; empty for the reference
    // and for file variants (nothing to compare them with before evaluation).
    std::vector<VariantTensorError> tensorErrors;
};

struct CompareVariantsResult {
    // The input model first, then presets, then plans, then files.
    std::vector<VariantResult> variants;
    std::string referenceCache; // the log-prob file used
    bool referenceCacheReused = false;
    std::int64_t tokens = 0;
};

// Runs the comparison. `onVariant` sees each row as soon as it is finished (the input model
// first). Progress is reported in variants; fails with Cancelled (the partial rows were
// already streamed). A preset that cannot be built or evaluated, or a file variant that cannot
// be read, gives a row with `error`. The temporary folder (no outputDir) is removed on every
// return, cancellation and errors included.
Result<CompareVariantsResult>
compareVariants(const std::string& modelPath, const std::string& text,
                const CompareVariantsOptions& options, CancelToken& cancel, ProgressSink& progress,
                const std::function<void(const VariantResult&)>& onVariant = {});

// compareVariants on the text of a file read with readEvalText (one trailing newline dropped,
// as llama-perplexity reads -f), so that every caller holding a path (the CLI's compare, the
// GUI's comparison view) evaluates the same tokens. Call it on the worker: it reads the file.
Result<CompareVariantsResult>
compareVariantsOnTextFile(const std::string& modelPath, const std::string& textPath,
                          const CompareVariantsOptions& options, CancelToken& cancel,
                          ProgressSink& progress,
                          const std::function<void(const VariantResult&)>& onVariant = {});

} // namespace qs::core
