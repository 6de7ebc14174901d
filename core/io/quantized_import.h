#pragma once

#include "core/error.h"
#include "core/io/hf_reader.h"
#include "core/io/safetensors_reader.h"
#include "core/model/model.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace qs::core {

// The parts of one GPTQ/AWQ linear found in a checkpoint: "qweight", "qzeros", "scales",
// "g_idx" -> the safetensors entry and the file it lives in.
struct QuantizedLinearParts {
    std::map<std::string, std::pair<SafetensorsTensor, std::shared_ptr<const MappedFile>>> parts;
};

// True for the per-linear tensor names of GPTQ/AWQ checkpoints (".qweight", ".qzeros",
// ".scales", ".g_idx"); `prefix` and `part` receive the split name.
bool splitQuantizedName(const std::string& hfName, std::string& prefix, std::string& part);

// Dequantizes every linear of a GPTQ or AWQ checkpoint (config.json's quantization_config
// `quantConfigJson`, as text) into F16 matrices held in one anonymous memory mapping appended
// to `sources`, and appends their TensorInfos (GGUF names, HF Q/K permutation marked) to
// `tensors`. The experts of a mixture of experts go to `expertPieces` instead, as F16 tensors
// of that mapping under their HF names (offsets in it), for the caller to stack as it stacks
// an unquantized checkpoint's. Memory: the F16 size of those matrices (the model's F16 size,
// minus embeddings).
Status importQuantizedLinears(const std::string& folder, const std::string& quantConfigJson,
                              const HfArchitecture& arch,
                              const std::map<std::string, QuantizedLinearParts>& linears,
                              std::vector<std::shared_ptr<const MappedFile>>& sources,
                              std::vector<TensorInfo>& tensors,
                              std::vector<SafetensorsTensor>& expertPieces);

} // namespace qs::core
