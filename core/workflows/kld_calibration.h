#pragma once

#include "core/error.h"
#include "core/jobs/job_control.h"
#include "core/plan/sensitivity.h"
#include "core/quant/ggml_type.h"

#include <map>
#include <string>

// Model-level calibration of the sensitivity table. A tensor's weighted relative error says
// how much its own output changes, not how much that change moves the model's predictions:
// an error in the classifier reaches the logits directly, one in an early layer is partly
// washed out by the residual stream. For small independent perturbations the KL divergence
// is close to additive (second order in each perturbation, cross terms averaging out), so
//   KLD(plan) ~ sum_i g_i * error_i(format_i)
// with one gain g_i per tensor. Each g_i is measured once: the model with only tensor i
// quantized (to `probeType`) is evaluated against the unquantized model on a short text, and
// g_i = KLD_i / error_i(probeType). The optimizer then minimises predicted KLD
// (OptimizerOptions::tensorWeights = g).
namespace qs::core {

struct ImportanceMatrix;

struct KldCalibrationOptions {
    std::string text;        // calibration text (better not the text results are reported on)
    int contextLength = 256; // per chunk, as llama-perplexity -c
    int maxChunks = 16;      // chunks of the text evaluated per probe
    int batchSize = 512;
    int threads = 0; // 0: all hardware threads
    // Each tensor alone is quantized to this type (or, where its rows do not fit it, to the
    // row's cheapest candidate): coarse enough for a clear signal, fine enough to stay in the
    // regime where KLD is additive.
    GgmlType probeType = GgmlType::Q3_K;
    const ImportanceMatrix* imatrix = nullptr; // used for the probe quantization
    // Reference distributions and the calibration result are cached here; empty: the system
    // temp folder's quantscope-sensitivity.
    std::string cacheDir;
};

struct KldCalibration {
    std::map<std::string, double> probeKld; // tensor -> KLD with only it quantized
    std::map<std::string, double> gains;    // tensor -> g_i, divided by their mean
    bool cached = false;                    // read from the cache, nothing evaluated
    std::string cacheFile;
};

// One probe per table row (progress in probes). The model must be one the eval engine runs
// (Llama family) and have a tokenizer.
Result<KldCalibration> calibrateWithKld(const std::string& modelPath, const SensitivityTable& table,
                                        const KldCalibrationOptions& options, CancelToken& cancel,
                                        ProgressSink& progress);

} // namespace qs::core
