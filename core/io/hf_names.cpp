#include "core/io/hf_names.h"

#include <algorithm>
#include <array>

namespace qs::core {

namespace {

using NamePair = std::pair<std::string_view, std::string_view>;

// gguf-py's tensor_mapping.py, per family, in the order convert_hf_to_gguf writes a layer.
constexpr std::array<NamePair, 12> kLlamaLayer = {{
    {"self_attn.q_proj.weight", "attn_q.weight"},
    {"self_attn.k_proj.weight", "attn_k.weight"},
    {"self_attn.v_proj.weight", "attn_v.weight"},
    {"self_attn.o_proj.weight", "attn_output.weight"},
    {"input_layernorm.weight", "attn_norm.weight"},
    {"mlp.gate_proj.weight", "ffn_gate.weight"},
    {"mlp.down_proj.weight", "ffn_down.weight"},
    {"mlp.up_proj.weight", "ffn_up.weight"},
    {"post_attention_layernorm.weight", "ffn_norm.weight"},
    {"self_attn.q_proj.bias", "attn_q.bias"},
    {"self_attn.k_proj.bias", "attn_k.bias"},
    {"self_attn.v_proj.bias", "attn_v.bias"},
}};

constexpr std::array<NamePair, 11> kQwen3Layer = {{
    {"self_attn.q_proj.weight", "attn_q.weight"},
    {"self_attn.k_proj.weight", "attn_k.weight"},
    {"self_attn.v_proj.weight", "attn_v.weight"},
    {"self_attn.q_norm.weight", "attn_q_norm.weight"},
    {"self_attn.k_norm.weight", "attn_k_norm.weight"},
    {"self_attn.o_proj.weight", "attn_output.weight"},
    {"input_layernorm.weight", "attn_norm.weight"},
    {"mlp.gate_proj.weight", "ffn_gate.weight"},
    {"mlp.down_proj.weight", "ffn_down.weight"},
    {"mlp.up_proj.weight", "ffn_up.weight"},
    {"post_attention_layernorm.weight", "ffn_norm.weight"},
}};

// Gemma 3's post_attention_layernorm is the norm of the attention output, not the FFN's input.
constexpr std::array<NamePair, 13> kGemma3Layer = {{
    {"self_attn.q_proj.weight", "attn_q.weight"},
    {"self_attn.k_proj.weight", "attn_k.weight"},
    {"self_attn.v_proj.weight", "attn_v.weight"},
    {"self_attn.q_norm.weight", "attn_q_norm.weight"},
    {"self_attn.k_norm.weight", "attn_k_norm.weight"},
    {"self_attn.o_proj.weight", "attn_output.weight"},
    {"input_layernorm.weight", "attn_norm.weight"},
    {"post_attention_layernorm.weight", "post_attention_norm.weight"},
    {"pre_feedforward_layernorm.weight", "ffn_norm.weight"},
    {"mlp.gate_proj.weight", "ffn_gate.weight"},
    {"mlp.up_proj.weight", "ffn_up.weight"},
    {"mlp.down_proj.weight", "ffn_down.weight"},
    {"post_feedforward_layernorm.weight", "post_ffw_norm.weight"},
}};

constexpr std::array<NamePair, 6> kPhi3Layer = {{
    {"self_attn.qkv_proj.weight", "attn_qkv.weight"},
    {"self_attn.o_proj.weight", "attn_output.weight"},
    {"input_layernorm.weight", "attn_norm.weight"},
    {"post_attention_layernorm.weight", "ffn_norm.weight"},
    {"mlp.gate_up_proj.weight", "ffn_up.weight"},
    {"mlp.down_proj.weight", "ffn_down.weight"},
}};

// Mixtral: Llama's attention; the FFN is a router (block_sparse_moe.gate) and experts.
constexpr std::array<NamePair, 10> kMixtralLayer = {{
    {"self_attn.q_proj.weight", "attn_q.weight"},
    {"self_attn.k_proj.weight", "attn_k.weight"},
    {"self_attn.v_proj.weight", "attn_v.weight"},
    {"self_attn.o_proj.weight", "attn_output.weight"},
    {"input_layernorm.weight", "attn_norm.weight"},
    {"block_sparse_moe.gate.weight", "ffn_gate_inp.weight"},
    {"post_attention_layernorm.weight", "ffn_norm.weight"},
    {"self_attn.q_proj.bias", "attn_q.bias"},
    {"self_attn.k_proj.bias", "attn_k.bias"},
    {"self_attn.v_proj.bias", "attn_v.bias"},
}};
// LlamaModel.modify_tensors stacks w1, w2, w3 in this order.
constexpr std::array<NamePair, 3> kMixtralExperts = {{
    {"w1.weight", "ffn_gate_exps.weight"},
    {"w2.weight", "ffn_down_exps.weight"},
    {"w3.weight", "ffn_up_exps.weight"},
}};

constexpr std::array<NamePair, 9> kQwen3MoeLayer = {{
    {"self_attn.q_proj.weight", "attn_q.weight"},
    {"self_attn.k_proj.weight", "attn_k.weight"},
    {"self_attn.v_proj.weight", "attn_v.weight"},
    {"self_attn.q_norm.weight", "attn_q_norm.weight"},
    {"self_attn.k_norm.weight", "attn_k_norm.weight"},
    {"self_attn.o_proj.weight", "attn_output.weight"},
    {"input_layernorm.weight", "attn_norm.weight"},
    {"mlp.gate.weight", "ffn_gate_inp.weight"},
    {"post_attention_layernorm.weight", "ffn_norm.weight"},
}};
// Qwen2MoeModel.modify_tensors stacks down_proj, gate_proj, up_proj in this order.
constexpr std::array<NamePair, 3> kQwen3MoeExperts = {{
    {"down_proj.weight", "ffn_down_exps.weight"},
    {"gate_proj.weight", "ffn_gate_exps.weight"},
    {"up_proj.weight", "ffn_up_exps.weight"},
}};

constexpr std::array kFamilies = {
    HfFamily{"LlamaForCausalLM", "llama", "llama", true, false, kLlamaLayer, {}, {}, {}},
    HfFamily{"MistralForCausalLM", "llama", "mistral", true, false, kLlamaLayer, {}, {}, {}},
    HfFamily{"Qwen2ForCausalLM", "qwen2", "qwen2", false, false, kLlamaLayer, {}, {}, {}},
    HfFamily{"Qwen3ForCausalLM", "qwen3", "qwen3", false, false, kQwen3Layer, {}, {}, {}},
    HfFamily{"Gemma3ForCausalLM", "gemma3", "gemma3_text", false, true, kGemma3Layer, {}, {}, {}},
    HfFamily{"Phi3ForCausalLM", "phi3", "phi3", false, false, kPhi3Layer, {}, {}, {}},
    HfFamily{"MixtralForCausalLM", "llama", "mixtral", true, false, kMixtralLayer,
             "block_sparse_moe.experts.", kMixtralExperts, "num_local_experts"},
    HfFamily{"Qwen3MoeForCausalLM", "qwen3moe", "qwen3_moe", false, false, kQwen3MoeLayer,
             "mlp.experts.", kQwen3MoeExperts, "num_experts"},
};

constexpr std::array<NamePair, 3> kGlobals = {{
    {"model.embed_tokens.weight", "token_embd.weight"},
    {"model.norm.weight", "output_norm.weight"},
    {"lm_head.weight", "output.weight"},
}};

// Splits "<prefix>N.rest" into N and rest when N is all digits.
std::optional<std::pair<std::string, std::string_view>> splitLayer(std::string_view name,
                                                                   std::string_view prefix) {
    if (!name.starts_with(prefix)) {
        return std::nullopt;
    }
    const auto dot = name.find('.', prefix.size());
    if (dot == std::string_view::npos || dot == prefix.size()) {
        return std::nullopt;
    }
    const std::string_view layer = name.substr(prefix.size(), dot - prefix.size());
    if (!std::all_of(layer.begin(), layer.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    return std::pair{std::string(layer), name.substr(dot + 1)};
}

} // namespace

const HfFamily* hfFamilyByClass(std::string_view hfClass) {
    for (const HfFamily& f : kFamilies) {
        if (f.hfClass == hfClass) {
            return &f;
        }
    }
    return nullptr;
}

const HfFamily* hfFamilyByArchitecture(std::string_view ggufArchitecture, bool experts) {
    const HfFamily* any = nullptr;
    for (const HfFamily& f : kFamilies) {
        if (f.ggufArchitecture == ggufArchitecture) {
            if (f.hasExperts() == experts) {
                return &f; // the first row: Llama rather than Mistral for "llama"
            }
            any = any ? any : &f;
        }
    }
    return any;
}

std::string supportedHfClasses() {
    std::string list;
    for (const HfFamily& f : kFamilies) {
        list += (list.empty() ? "" : ", ") + std::string(f.hfClass);
    }
    return list;
}

namespace {

// Which side of the tables a name is read from.
enum class Side { Hf, Gguf };

// `name` translated through the global table and the family's per-layer table, from side
// `from` to the other; the layer prefixes are "model.layers.N." (HF) and "blk.N." (GGUF).
std::optional<std::string> translate(const HfFamily& family, const std::string& name, Side from) {
    const bool fromHf = from == Side::Hf;
    auto source = [fromHf](const NamePair& p) {
        return fromHf ? p.first : p.second;
    };
    auto target = [fromHf](const NamePair& p) {
        return fromHf ? p.second : p.first;
    };
    for (const NamePair& p : kGlobals) {
        if (name == source(p)) {
            return std::string(target(p));
        }
    }
    const auto split = splitLayer(name, fromHf ? "model.layers." : "blk.");
    if (!split) {
        return std::nullopt;
    }
    for (const NamePair& p : family.layerNames) {
        if (split->second == source(p)) {
            return (fromHf ? "blk." : "model.layers.") + split->first + "." +
                   std::string(target(p));
        }
    }
    return std::nullopt;
}

} // namespace

std::optional<std::string> hfToGgufName(const HfFamily& family, const std::string& hf) {
    return translate(family, hf, Side::Hf);
}

std::optional<std::string> ggufToHfName(const HfFamily& family, const std::string& gguf) {
    return translate(family, gguf, Side::Gguf);
}

std::optional<HfExpertTensor> hfExpertTensor(const HfFamily& family, const std::string& hfName) {
    if (!family.hasExperts()) {
        return std::nullopt;
    }
    const auto layer = splitLayer(hfName, "model.layers.");
    if (!layer) {
        return std::nullopt;
    }
    const auto expert = splitLayer(layer->second, family.expertPrefix);
    if (!expert || layer->first.size() > 6 || expert->first.size() > 6) {
        return std::nullopt;
    }
    for (const NamePair& p : family.expertNames) {
        if (expert->second == p.first) {
            return HfExpertTensor{std::stoi(layer->first), std::stoi(expert->first),
                                  "blk." + layer->first + "." + std::string(p.second)};
        }
    }
    return std::nullopt;
}

std::optional<std::string> hfExpertName(const HfFamily& family, const std::string& ggufName,
                                        int expert) {
    const auto split = splitLayer(ggufName, "blk.");
    if (!split || expert < 0) {
        return std::nullopt;
    }
    for (const NamePair& p : family.expertNames) {
        if (split->second == p.second) {
            return "model.layers." + split->first + "." + std::string(family.expertPrefix) +
                   std::to_string(expert) + "." + std::string(p.first);
        }
    }
    return std::nullopt;
}

bool isShiftedNorm(const HfFamily& family, std::string_view ggufName) {
    return family.normPlusOne && ggufName.ends_with("norm.weight");
}

} // namespace qs::core
