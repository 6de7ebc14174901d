#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace qs::core {

// A Hugging Face model class as convert_hf_to_gguf converts it: the GGUF architecture it
// becomes, the name of each per-layer tensor on both sides, and the value transforms the
// converter applies. The one table that the HF reader, the GPTQ/AWQ checkpoint writer and the
// quantized-checkpoint importer read: a new family is a new row.
struct HfFamily {
    std::string_view hfClass;          // config.json "architectures"[0]
    std::string_view ggufArchitecture; // general.architecture
    std::string_view modelType;        // config.json "model_type" when written back
    // llama-arch GGUFs store Q/K rows in interleaved-pair order, HF in rotate-half order.
    bool permuteQK = false;
    // Gemma stores RMSNorm gains as w with the model computing (1 + w); GGUF stores 1 + w.
    bool normPlusOne = false;
    // (HF suffix after "model.layers.N.", GGUF suffix after "blk.N.")
    std::span<const std::pair<std::string_view, std::string_view>> layerNames;
    // Mixture of experts: expert E's linears are "model.layers.N.<expertPrefix>E.<HF suffix>",
    // which convert_hf_to_gguf stacks, expert 0 first, into the 3-D "blk.N.<GGUF suffix>"
    // (listed in the order it writes them). Empty for dense families.
    std::string_view expertPrefix;
    std::span<const std::pair<std::string_view, std::string_view>> expertNames;
    // config.json's key for the number of experts (Mixtral: num_local_experts).
    std::string_view expertCountKey;

    bool hasExperts() const { return !expertNames.empty(); }
};

// One expert's piece of a stacked GGUF tensor, as an HF checkpoint names it.
struct HfExpertTensor {
    int layer = 0;
    int expert = 0;
    std::string ggufName; // the stacked tensor: "blk.3.ffn_gate_exps.weight"
};

// The family of an HF class ("Qwen3ForCausalLM"), or nullptr.
const HfFamily* hfFamilyByClass(std::string_view hfClass);
// The family written for a GGUF architecture ("qwen3" -> Qwen3ForCausalLM), or nullptr. `experts`:
// the model has experts, which picks Mixtral rather than Llama for "llama".
const HfFamily* hfFamilyByArchitecture(std::string_view ggufArchitecture, bool experts = false);
// "LlamaForCausalLM, MistralForCausalLM, ..." for error messages.
std::string supportedHfClasses();

// HF tensor name -> GGUF name; nullopt for names without a GGUF counterpart.
std::optional<std::string> hfToGgufName(const HfFamily& family, const std::string& hfName);
// GGUF tensor name -> HF name ("blk.3.attn_q.weight" -> "model.layers.3.self_attn.q_proj.weight").
std::optional<std::string> ggufToHfName(const HfFamily& family, const std::string& ggufName);
// The expert piece an HF tensor name is ("model.layers.3.mlp.experts.5.up_proj.weight"), or
// nullopt for any other name.
std::optional<HfExpertTensor> hfExpertTensor(const HfFamily& family, const std::string& hfName);
// The HF name of expert `expert`'s piece of the stacked GGUF tensor `ggufName`, or nullopt when
// `ggufName` is not one of the family's stacked expert tensors.
std::optional<std::string> hfExpertName(const HfFamily& family, const std::string& ggufName,
                                        int expert);

// Whether a GGUF tensor of `family` is a norm gain that the converter shifts by one.
bool isShiftedNorm(const HfFamily& family, std::string_view ggufName);

} // namespace qs::core
