#include "core/model/tensor_role.h"

#include <array>
#include <charconv>
#include <utility>

namespace qs::core {
namespace {

constexpr std::string_view kBlockPrefix = "blk.";

// Per-layer roles by the name part after "blk.N."; only ".weight" tensors carry a role,
// so a bias (attn_q.bias) is Other.
constexpr std::array<std::pair<std::string_view, TensorRole>, 18> kLayerRoles = {{
    {"attn_norm.weight", TensorRole::AttnNorm},
    {"attn_q.weight", TensorRole::AttnQ},
    {"attn_k.weight", TensorRole::AttnK},
    {"attn_v.weight", TensorRole::AttnV},
    {"attn_output.weight", TensorRole::AttnOutput},
    {"ffn_norm.weight", TensorRole::FfnNorm},
    {"ffn_gate.weight", TensorRole::FfnGate},
    {"ffn_up.weight", TensorRole::FfnUp},
    {"ffn_down.weight", TensorRole::FfnDown},
    {"attn_qkv.weight", TensorRole::AttnQkv},
    {"attn_q_norm.weight", TensorRole::AttnQNorm},
    {"attn_k_norm.weight", TensorRole::AttnKNorm},
    {"post_attention_norm.weight", TensorRole::PostAttnNorm},
    {"post_ffw_norm.weight", TensorRole::PostFfnNorm},
    {"ffn_gate_inp.weight", TensorRole::FfnGateInp},
    {"ffn_gate_exps.weight", TensorRole::FfnGateExps},
    {"ffn_up_exps.weight", TensorRole::FfnUpExps},
    {"ffn_down_exps.weight", TensorRole::FfnDownExps},
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

bool isExpertRole(TensorRole role) {
    return role == TensorRole::FfnGateExps || role == TensorRole::FfnUpExps ||
           role == TensorRole::FfnDownExps;
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
    case TensorRole::AttnQkv:
        return "attn_qkv";
    case TensorRole::AttnQNorm:
        return "attn_q_norm";
    case TensorRole::AttnKNorm:
        return "attn_k_norm";
    case TensorRole::PostAttnNorm:
        return "post_attention_norm";
    case TensorRole::PostFfnNorm:
        return "post_ffw_norm";
    case TensorRole::FfnGateInp:
        return "ffn_gate_inp";
    case TensorRole::FfnGateExps:
        return "ffn_gate_exps";
    case TensorRole::FfnUpExps:
        return "ffn_up_exps";
    case TensorRole::FfnDownExps:
        return "ffn_down_exps";
    case TensorRole::Other:
        return "other";
    }
    return "other";
}

const std::vector<TensorRole>& matrixRoles() {
    using R = TensorRole;
    static const std::vector<R> roles = {
        R::TokenEmbedding, R::AttnQ,     R::AttnK,       R::AttnV,   R::AttnQkv,
        R::AttnOutput,     R::FfnGate,   R::FfnUp,       R::FfnDown, R::FfnGateInp,
        R::FfnGateExps,    R::FfnUpExps, R::FfnDownExps, R::Output};
    return roles;
}

std::optional<int> tensorLayerIndex(std::string_view name) {
    const auto split = splitLayerName(name);
    if (!split) {
        return std::nullopt;
    }
    return split->first;
}

} // namespace qs::core
