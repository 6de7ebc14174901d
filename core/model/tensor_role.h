#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace qs::core {

// What a tensor does in a decoder of any supported family, from its GGUF name. The GUI groups
// and colours tensors by role; quantization presets pick formats by role. Roles a family lacks
// simply do not occur in its files (views list the roles present, never a fixed set).
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
    AttnQkv,      // phi3's fused Q, K and V
    AttnQNorm,    // per-head RMSNorm of Q (qwen3, gemma3)
    AttnKNorm,    // per-head RMSNorm of K
    PostAttnNorm, // gemma3's norm of the attention output
    PostFfnNorm,  // gemma3's norm of the FFN output (post_ffw_norm)
    FfnGateInp,   // the mixture-of-experts router
    FfnGateExps,  // the experts' gate, up and down matrices (3-D)
    FfnUpExps,
    FfnDownExps,
    Other, // anything else (biases, rope_freqs, ...)
};

// Roles whose tensors are weight matrices (what a plan chooses formats for), in the order
// views show them: embedding, attention, feed-forward, experts, output.
const std::vector<TensorRole>& matrixRoles();

TensorRole tensorRole(std::string_view ggufName);
// The experts' matrices (ffn_{gate,up,down}_exps, 3-D: columns x rows x experts); not the
// router (ffn_gate_inp), which is no expert.
bool isExpertRole(TensorRole role);
// "attn_q", "token_embd", ...; "other" for Other.
const char* tensorRoleName(TensorRole role);
// N for names "blk.N.*"; nullopt for global tensors or malformed numbers.
std::optional<int> tensorLayerIndex(std::string_view ggufName);

} // namespace qs::core
