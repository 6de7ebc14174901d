#pragma once

#include "core/error.h"
#include "core/io/imatrix_coverage.h"
#include "core/jobs/job_control.h"
#include "core/model/metadata.h"
#include "core/plan/quant_plan.h"
#include "core/quant/error_metrics.h"
#include "core/quant/ggml_type.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace qs::core {

class ComputeBackend;
class Model;
struct ImportanceMatrix;

struct QuantizeOptions {
    // Importance weights per tensor (llama-imatrix), or nullptr.
    const ImportanceMatrix* imatrix = nullptr;
    // The path written into quantize.imatrix.file, as llama-quantize writes what it was given.
    std::string imatrixFileName;
    // An expert the importance matrix has no tokens for: uniform weights and a warning
    // (llama-quantize's behaviour), or an error naming it.
    MissingImatrixPolicy imatrixMissing = MissingImatrixPolicy::Uniform;
    // llama_ftype written to general.file_type (the preset's number; 0 keeps the input's).
    std::uint32_t fileType = 0;
    // Worker threads for the rows of one tensor; 0 = all hardware threads.
    unsigned threads = 0;
    // Dequantize each quantized tensor again and compare it with the source.
    bool measureError = true;
    // Where that round trip is dequantized (a Vulkan device, say); nullptr = CPU here.
    // Every backend reproduces the CPU's floats bit for bit, so the metrics do not change.
    ComputeBackend* backend = nullptr;
    // Bytes to write instead of quantizing, by GGUF name: exactly what the planned type takes
    // for that tensor (calibrated rounding, issue 20, chooses the levels of the linears this
    // way). Checked as llama.cpp's loader checks data, and measured like the rest. nullptr =
    // none.
    const std::map<std::string, std::vector<std::byte>>* precomputed = nullptr;
};

struct TensorQuantResult {
    std::size_t tensorIndex = 0; // into Model::tensors()
    std::string name;
    GgmlType sourceType = GgmlType::F32;
    GgmlType type = GgmlType::F32;
    std::uint64_t parameters = 0;
    std::uint64_t bytes = 0; // as written
    bool usedImportance = false;
    std::optional<ErrorMetrics> error; // when measured and the tensor was converted
};

struct QuantizeReport {
    std::vector<TensorQuantResult> tensors; // in file order
    std::uint64_t fileBytes = 0;
    std::uint64_t tensorBytes = 0;
    double bitsPerWeight = 0;
};

// The tensors of `model` in llama.cpp's file order (llamaTensorNameLess).
std::vector<std::size_t> llamaFileOrder(const Model& model);

// The importance weights quantizeModel gives each tensor of `model` (assignImatrix with the
// options' imatrix, its file name for messages and its policy for missing entries); empty when
// the options have no imatrix. `quantized[i]`: tensor i changes type.
Result<std::vector<std::span<const float>>> quantizeImportance(const Model& model,
                                                               const QuantizeOptions& options,
                                                               const std::vector<bool>& quantized);

// The metadata llama-quantize writes: the input's keys less split.no / split.count /
// split.tensors.count, then general.quantization_version and general.file_type moved to the
// end, then with an imatrix quantize.imatrix.file and .dataset (each cut to 127 bytes, as
// llama-quantize's KV overrides are), .entries_count, and .chunks_count when known (> 0).
Metadata quantizedMetadata(const Model& model, const QuantizeOptions& options);

// Writes `model` with the types of `plan` (tensors not in the plan keep their type) to
// `outputPath` as GGUF: streamed one tensor at a time (memory stays at a few tensors),
// to a temporary file renamed at the end, so the output is complete or absent. Rows of a
// tensor are quantized on several threads. `onTensor` sees each tensor as it is written.
// Fails with Cancelled when `cancel` is set (checked between row chunks).
Result<QuantizeReport>
quantizeModel(const Model& model, const QuantPlan& plan, const std::string& outputPath,
              const QuantizeOptions& options, CancelToken& cancel, ProgressSink& progress,
              const std::function<void(const TensorQuantResult&)>& onTensor = {});

} // namespace qs::core
