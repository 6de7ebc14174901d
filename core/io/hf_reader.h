#pragma once

#include "core/error.h"
#include "core/io/hf_names.h"
#include "core/model/metadata.h"
#include "core/model/model.h"

#include <optional>
#include <string>
#include <vector>

namespace qs::core {

// What config.json says about a model of a supported class (hf_names.h: Llama, Mistral,
// Qwen2, Qwen3, Gemma 3 text, Phi-3/4, Mixtral, Qwen3-MoE), already in GGUF terms.
struct HfArchitecture {
    const HfFamily* family = nullptr; // names and value transforms of the class
    std::string ggufArchitecture;     // "llama" (Llama, Mistral), "qwen2", "qwen3", ...
    bool permuteQK = true;            // llama-arch GGUFs store Q/K in interleaved-pair order
    std::uint32_t headCount = 0;
    std::uint32_t headCountKv = 0;
    std::uint32_t vocabSize = 0;
    bool tiedEmbeddings = false;
    // Mixture of experts (Mixtral, Qwen3-MoE): config.json's expert count; 0 for dense models.
    std::uint32_t expertCount = 0;
    // LongRoPE (Phi-3 long-context): per-pair frequency divisors, which convert_hf_to_gguf
    // writes as the tensors rope_factors_long.weight and rope_factors_short.weight.
    std::vector<float> ropeFactorsLong, ropeFactorsShort;
    // Llama 3.1+ rope_scaling "llama3": the per-pair divisors convert_hf_to_gguf writes as
    // rope_freqs.weight.
    std::vector<float> ropeFreqs;
};

// Parses config.json into GGUF metadata (general.architecture, {arch}.* keys).
Result<HfArchitecture> readHfConfig(const std::string& configPath, Metadata& out);

// Reads tokenizer.json (+ tokenizer_config.json beside it) into GGUF tokenizer metadata:
// SentencePiece-style BPE with byte fallback -> "llama" (scores rebuilt from piece rank), GPT-2
// style byte-level BPE -> "gpt2" with merges and a pre-tokenizer name for the architecture.
Status readHfTokenizer(const std::string& tokenizerPath, const HfArchitecture& arch,
                       const std::string& configPath, Metadata& out);

// Opens a Hugging Face folder (config.json, model.safetensors or a sharded set listed in
// model.safetensors.index.json, tokenizer.json). Tensors are lazy views; q_proj/k_proj are
// marked for the Q/K row permutation applied by Model::readRows. The experts of a mixture of
// experts are stacked into GGUF's 3-D tensors as convert_hf_to_gguf stacks them, as tensors of
// one piece per expert (TensorInfo::parts), without copying.
Result<Model> readHfFolder(const std::string& folder);

} // namespace qs::core
