#pragma once

#include "core/error.h"
#include "core/jobs/job_control.h"
#include "core/model/model.h"

#include <optional>
#include <string>

namespace qs::core {

struct ConvertOptions {
    // F32, F16 or BF16 for matrices; 1-D tensors (norms, biases) are always written F32, as
    // llama.cpp's converters do. nullopt keeps every tensor's stored type (a plain re-write).
    std::optional<GgmlType> matrixType;
};

// The metadata a converted file gets: the model's own (already GGUF keys for every reader),
// minus split.* keys, with general.file_type for the chosen type and
// general.quantization_version when quantized tensors are carried over.
Metadata convertedMetadata(const Model& model, const ConvertOptions& options);

// The type a tensor is written as under `options`; an error for quantized input that would
// need re-quantizing (that is the quantizer's job, not the converter's).
Result<GgmlType> convertedType(const TensorInfo& tensor, const ConvertOptions& options);

// Writes `model` as GGUF to `outPath`, a tensor (chunk of rows) at a time, so memory stays
// bounded by the chunk size whatever the model size. Progress is reported in bytes written,
// named by tensor; a cancelled or failed run leaves no output file.
Status convertToGguf(const Model& model, const std::string& outPath, const ConvertOptions& options,
                     ProgressSink& progress, const CancelToken& cancel);

} // namespace qs::core
