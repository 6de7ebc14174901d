#pragma once

#include "core/error.h"
#include "core/io/imatrix_coverage.h"

#include <span>
#include <string>
#include <vector>

namespace qs::core {

class Model;
struct ImportanceMatrix;
struct TensorInfo;

// Which importance weights each quantized tensor gets, decided as llama-quantize decides
// (llama_model_quantize_impl), before a byte is written:
// - an entry whose length is not the tensor's row width times its matrix count (experts) is an
//   error naming both, except for token_embd.weight, whose entry is ignored with a warning
//   (llama-quantize: "tok_embd should be ignored in this case");
// - a tensor without an entry is quantized without weights (logged);
// - entries for tensors the model lacks are unused (logged with their names);
// - an expert of a quantized tensor that received no tokens keeps uniform weights with a
//   warning naming it (llama-quantize's behaviour), or, with MissingImatrixPolicy::Error, is an
//   error naming the tensor and the expert.
// `quantized[i]` says whether tensor i of `model` changes type.
// The result has one span per tensor of the model: its weights (dims[0] values per matrix,
// experts in order), or empty. Warnings go to the log.
Result<std::vector<std::span<const float>>>
assignImatrix(const Model& model, const ImportanceMatrix& imatrix, const std::string& imatrixPath,
              const std::vector<bool>& quantized,
              MissingImatrixPolicy missing = MissingImatrixPolicy::Uniform);

} // namespace qs::core
