#pragma once

#include <optional>
#include <string_view>

namespace qs::core {

// What a tensor does in a Llama-family model, from its GGUF name. The GUI groups and colours
// tensors by role; quantization presets pick formats by role.
enum class TensorRole {
    TokenEmbedding, // token_embd.weight
    Output,         // output.weight (the classifier)
    OutputNorm,     // output_norm.weight
    AttnNorm,       // blk.N.attn_norm.weight
    AttnQ,
    AttnK,
    AttnV,
    AttnOutput,
    FfnNorm,
    FfnGate,
    FfnUp,
    FfnDown,
    Other, // anything else (biases, rope_freqs, MoE router, ...)
};

TensorRole tensorRole(std::string_view ggufName);
// "attn_q", "token_embd", ...; "other" for Other.
const char* tensorRoleName(TensorRole role);
// N for names "blk.N.*"; nullopt for global tensors or malformed numbers.
std::optional<int> tensorLayerIndex(std::string_view ggufName);

} // namespace qs::core
