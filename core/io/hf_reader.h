#pragma once

#include "core/error.h"
#include "core/model/metadata.h"
#include "core/model/model.h"

#include <optional>
#include <string>

namespace qs::core {

// What config.json says about a Llama-layout model (LlamaForCausalLM, MistralForCausalLM,
// Qwen2ForCausalLM), already in GGUF terms.
struct HfArchitecture {
    std::string ggufArchitecture; // "llama" (Llama, Mistral) or "qwen2"
    bool permuteQK = true;        // llama-arch GGUFs store Q/K in interleaved-pair order
    std::uint32_t headCount = 0;
    std::uint32_t headCountKv = 0;
    std::uint32_t vocabSize = 0;
    bool tiedEmbeddings = false;
};

// Parses config.json into GGUF metadata (general.architecture, {arch}.* keys).
Result<HfArchitecture> readHfConfig(const std::string& configPath, Metadata& out);

// Reads tokenizer.json (+ tokenizer_config.json beside it) into GGUF tokenizer metadata:
// SentencePiece-style BPE with byte fallback -> "llama" (scores rebuilt from piece rank), GPT-2
// style byte-level BPE -> "gpt2" with merges and a pre-tokenizer name for the architecture.
Status readHfTokenizer(const std::string& tokenizerPath, const HfArchitecture& arch,
                       const std::string& configPath, Metadata& out);

// HF tensor name -> GGUF name for the Llama layout; nullopt for names to skip
// (rotary_emb.inv_freq) and for names that have no GGUF counterpart.
std::optional<std::string> hfToGgufName(const std::string& hfName);

// Opens a Hugging Face folder (config.json, model.safetensors or a sharded set listed in
// model.safetensors.index.json, tokenizer.json). Tensors are lazy views; q_proj/k_proj are
// marked for the Q/K row permutation applied by Model::readRows.
Result<Model> readHfFolder(const std::string& folder);

} // namespace qs::core
