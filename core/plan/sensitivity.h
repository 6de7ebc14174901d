#pragma once

#include "core/error.h"
#include "core/jobs/job_control.h"
#include "core/model/tensor_role.h"
#include "core/quant/ggml_type.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// The sensitivity table: for every quantizable tensor of a model and every candidate format,
// the exact bytes the tensor would take and how much quantizing it to that format disturbs it.
// The optimizer (optimizer.h) picks one format per tensor from this table; the GUI plots it.
namespace qs::core {

class Model;
struct ImportanceMatrix;

// Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_0, IQ4_XS, F16: one format per bit width that llama.cpp
// quantizes fast and well, without requiring an imatrix.
std::vector<GgmlType> defaultCandidateFormats();
// "Q4_K,q6_k, IQ4_XS": comma-separated type names; unknown names, types the CPU cannot
// produce and duplicates are InvalidArgument errors.
Result<std::vector<GgmlType>> parseFormatList(std::string_view text);

struct SensitivityOptions {
    std::vector<GgmlType> formats; // empty: defaultCandidateFormats()
    // Importance weights (llama-imatrix); used for the quantization itself (as llama-quantize
    // does) and to weight the error. nullptr: plain relative MSE.
    const ImportanceMatrix* imatrix = nullptr;
    // Also measure token_embd.weight and output.weight (the optimizer may then move them);
    // false leaves them out of the table (the caller keeps their preset type).
    bool includeEmbeddings = true;
    // Folder of the on-disk cache (sensitivity_cache.h); empty: no cache.
    std::string cacheDir;
    unsigned threads = 0; // 0: all hardware threads
};

// One candidate format of one tensor.
struct SensitivityPoint {
    GgmlType type = GgmlType::F16;
    std::uint64_t bytes = 0; // exact stored bytes of the tensor in this format
    // The error the optimizer minimises (dimensionless, so tensors of different scale add up):
    // with an imatrix entry, sum_ij w_j (W_ij - Q_ij)^2 / sum_ij w_j W_ij^2, i.e. the relative
    // change of the layer's output energy for activations whose per-column second moments
    // are the imatrix's; without one, sum (W - Q)^2 / sum W^2 (relative MSE).
    double error = 0;
    double mse = 0; // plain mean squared error, for display
};

struct SensitivityRow {
    std::string name;
    TensorRole role = TensorRole::Other;
    int layer = -1; // -1 for tensors outside layers
    GgmlType sourceType = GgmlType::F32;
    std::uint64_t parameters = 0;
    bool weighted = false;                // the error used an imatrix entry
    std::vector<SensitivityPoint> points; // sorted by bytes (then error)

    const SensitivityPoint* find(GgmlType type) const;
};

struct SensitivityTable {
    std::vector<SensitivityRow> rows; // quantizable tensors in the model's tensor order
    // Tensors not in the table (norms, biases, 1-D tensors), at the bytes quantization keeps
    // them at: a plan's total size is fixedBytes + the chosen points' bytes.
    std::uint64_t fixedBytes = 0;
    // Bytes of the output file outside the tensor data (header, metadata, tensor infos, room
    // for alignment padding; export/file_budget.h), set by the caller that knows the file; the
    // optimizer counts them with fixedBytes, so its budgets and sizes are the whole file's.
    // 0: tensors only.
    std::uint64_t fileOverheadBytes = 0;
    std::uint64_t totalParameters = 0; // every tensor of the model, for bits per weight
    std::vector<GgmlType> formats;     // the candidates asked for
    std::size_t cachedPoints = 0;      // points read from the cache
    std::size_t computedPoints = 0;    // points measured in this run
    std::string cacheFile;             // empty without a cache

    const SensitivityRow* find(std::string_view name) const;
    // 8 * bytes / totalParameters.
    double bitsPerWeight(std::uint64_t totalBytes) const;
};

// Whether the table (and the optimizer) covers this tensor: a 2-D-or-more ".weight" that
// llama-quantize would quantize (not a norm); token_embd/output only with includeEmbeddings.
bool isOptimizableTensor(std::string_view name, std::size_t dims, bool includeEmbeddings);

// Measures the table: each tensor is read once (as f32) and quantized to every candidate
// format whose block divides its rows, rows spread over `threads`, then dequantized and
// compared. Points found in the cache are not measured again. Progress is in points
// (tensor x format); Cancelled stops between row chunks (points finished so far are cached).
Result<SensitivityTable> measureSensitivity(const Model& model, const SensitivityOptions& options,
                                            CancelToken& cancel, ProgressSink& progress);

} // namespace qs::core
