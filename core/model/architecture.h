#pragma once

#include <span>
#include <string>
#include <string_view>

namespace qs::core {

// How RoPE pairs the dimensions of a head (ggml's rope modes).
enum class RopeLayout {
    Interleaved, // pairs (2i, 2i+1): llama, mistral, mixtral (LLAMA_ROPE_TYPE_NORM)
    NeoX,        // pairs (i, i + n_rot/2): qwen2/3, gemma3, phi3 (LLAMA_ROPE_TYPE_NEOX)
};

// The activation of the gated feed-forward network: act(gate) * up.
enum class GatedActivation {
    Silu,     // SwiGLU
    GeluTanh, // GeGLU with the tanh approximation, as ggml's table of f16 inputs
};

// Whether a family's optional tensors are expected: absent, optional (read when present) or
// required (a file without them does not fit the family).
enum class Presence { None, Optional, Required };

// What one architecture family is, as llama.cpp's per-family model files describe it: the
// tensors it has and the options its forward pass follows. The forward pass, imatrix
// collection, GPTQ/AWQ calibration, the HF importer and the GUI read this one table; a new
// dense family is a new row here (and, where it needs a new graph option, one branch in the
// forward pass).
struct ArchitectureFamily {
    std::string_view name;        // general.architecture
    std::string_view displayName; // for people: "Qwen3", "Gemma 3", ...
    RopeLayout rope = RopeLayout::Interleaved;
    GatedActivation activation = GatedActivation::Silu;
    Presence qkvBias = Presence::Optional; // attn_{q,k,v}.bias
    bool qkNorm = false;          // attn_q_norm / attn_k_norm: RMSNorm per head before RoPE
    bool postNorms = false;       // post_attention_norm / post_ffw_norm on each branch's output
    bool scaleEmbeddings = false; // token embeddings multiplied by sqrt(n_embd)
    bool fusedQkv = false;        // one attn_qkv tensor: Q, K and V rows one after the other
    bool fusedGateUp = false;     // ffn_up holds gate rows then up rows (2·n_ff); no ffn_gate
    // Q is multiplied by the attention scale before K·Q (and before the f16 rounding of the
    // cache) instead of the scores after it: gemma3 and phi3 do this, and it rounds differently.
    bool scaleQueryFirst = false;
    // Sliding-window attention: every `slidingWindowPattern`-th layer (the last of each group)
    // is global, the others see `attention.sliding_window` positions and use
    // `rope.freq_base_swa`. 0: none. The file's `attention.sliding_window_pattern` overrides it.
    int slidingWindowPattern = 0;
    bool experts = false; // always a mixture of experts (llama is one only with expert_count)
};

// Every family Quantscope knows, dense and mixture-of-experts.
std::span<const ArchitectureFamily> architectureFamilies();
// The family named `name` (general.architecture), or nullptr.
const ArchitectureFamily* findArchitecture(std::string_view name);
// "llama, qwen2, ..." of every family (for error messages).
std::string supportedArchitectureList();

} // namespace qs::core
