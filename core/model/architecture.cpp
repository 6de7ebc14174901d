#include "core/model/architecture.h"

#include <array>

namespace qs::core {

namespace {

// Facts from llama.cpp's src/models/<family>.cpp and its hyper-parameter loader.
constexpr std::array kFamilies = {
    // Llama 1-3, Mistral (llama.cpp runs Mistral's files as llama and ignores their window).
    ArchitectureFamily{.name = "llama", .displayName = "Llama"},
    // Q/K/V biases, NeoX RoPE; small sizes tie the output to the embedding.
    ArchitectureFamily{.name = "qwen2",
                       .displayName = "Qwen2",
                       .rope = RopeLayout::NeoX,
                       .qkvBias = Presence::Required},
    // Per-head RMSNorm on Q and K before RoPE; head size from attention.key_length.
    ArchitectureFamily{.name = "qwen3",
                       .displayName = "Qwen3",
                       .rope = RopeLayout::NeoX,
                       .qkvBias = Presence::None,
                       .qkNorm = true},
    ArchitectureFamily{.name = "gemma3",
                       .displayName = "Gemma 3",
                       .rope = RopeLayout::NeoX,
                       .activation = GatedActivation::GeluTanh,
                       .qkvBias = Presence::None,
                       .qkNorm = true,
                       .postNorms = true,
                       .scaleEmbeddings = true,
                       .scaleQueryFirst = true,
                       .slidingWindowPattern = 6},
    // Fused QKV and gate+up; llama.cpp disables Phi-3's sliding window, and so do we.
    ArchitectureFamily{.name = "phi3",
                       .displayName = "Phi-3",
                       .rope = RopeLayout::NeoX,
                       .qkvBias = Presence::None,
                       .fusedQkv = true,
                       .fusedGateUp = true,
                       .scaleQueryFirst = true},
    ArchitectureFamily{.name = "qwen3moe",
                       .displayName = "Qwen3-MoE",
                       .rope = RopeLayout::NeoX,
                       .qkvBias = Presence::None,
                       .qkNorm = true,
                       .experts = true},
};

} // namespace

std::span<const ArchitectureFamily> architectureFamilies() {
    return kFamilies;
}

const ArchitectureFamily* findArchitecture(std::string_view name) {
    for (const ArchitectureFamily& f : kFamilies) {
        if (f.name == name) {
            return &f;
        }
    }
    return nullptr;
}

std::string supportedArchitectureList() {
    std::string list;
    for (const ArchitectureFamily& f : kFamilies) {
        list += (list.empty() ? "" : ", ") + std::string(f.name);
    }
    return list;
}

} // namespace qs::core
