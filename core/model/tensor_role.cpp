#include "core/model/tensor_role.h"

#include <array>
#include <charconv>
#include <utility>

namespace qs::core {
namespace {

constexpr std::string_view kBlockPrefix = "blk.";

// Per-layer roles by the name part after "blk.N."; only ".weight" tensors carry a role,
// so a bias (attn_q.bias) is Other.
constexpr std::array<std::pair<std::string_view, TensorRole>, 9> kLayerRoles = {{
    {"attn_norm.weight", TensorRole::AttnNorm},
    {"attn_q.weight", TensorRole::AttnQ},
    {"attn_k.weight", TensorRole::AttnK},
    {"attn_v.weight", TensorRole::AttnV},
    {"attn_output.weight", TensorRole::AttnOutput},
    {"ffn_norm.weight", TensorRole::FfnNorm},
    {"ffn_gate.weight", TensorRole::FfnGate},
    {"ffn_up.weight", TensorRole::FfnUp},
    {"ffn_down.weight", TensorRole::FfnDown},
}};

// Splits "blk.N.rest" into N and rest.
std::optional<std::pair<int, std::string_view>> splitLayerName(std::string_view name) {
    if (!name.starts_with(kBlockPrefix)) {
        return std::nullopt;
    }
    name.remove_prefix(kBlockPrefix.size());
    const auto dot = name.find('.');
    if (dot == 0 || dot == std::string_view::npos) {
        return std::nullopt;
    }
    int index = 0;
    const auto [end, ec] = std::from_chars(name.data(), name.data() + dot, index);
    if (ec != std::errc() || end != name.data() + dot || index < 0) {
        return std::nullopt;
    }
    return std::pair{index, name.substr(dot + 1)};
}

} // namespace

TensorRole tensorRole(std::string_view name) {
    if (name == "token_embd.weight") {
        return TensorRole::TokenEmbedding;
    }
    if (name == "output.weight") {
        return TensorRole::Output;
    }
    if (name == "output_norm.weight") {
        return TensorRole::OutputNorm;
    }
    if (const auto split = splitLayerName(name)) {
        for (const auto& [suffix, role] : kLayerRoles) {
            if (split->second == suffix) {
                return role;
            }
        }
    }
    return TensorRole::Other;
}

const char* tensorRoleName(TensorRole role) {
    switch (role) {
    case TensorRole::TokenEmbedding:
        return "token_embd";
    case TensorRole::Output:
        return "output";
    case TensorRole::OutputNorm:
        return "output_norm";
    case TensorRole::AttnNorm:
        return "attn_norm";
    case TensorRole::AttnQ:
        return "attn_q";
    case TensorRole::AttnK:
        return "attn_k";
    case TensorRole::AttnV:
        return "attn_v";
    case TensorRole::AttnOutput:
        return "attn_output";
    case TensorRole::FfnNorm:
        return "ffn_norm";
    case TensorRole::FfnGate:
        return "ffn_gate";
    case TensorRole::FfnUp:
        return "ffn_up";
    case TensorRole::FfnDown:
        return "ffn_down";
    case TensorRole::Other:
        return "other";
    }
    return "other";
}

std::optional<int> tensorLayerIndex(std::string_view name) {
    const auto split = splitLayerName(name);
    if (!split) {
        return std::nullopt;
    }
    return split->first;
}

} // namespace qs::core
