#pragma once

#include "core/error.h"
#include "core/plan/quant_plan.h"
#include "core/quant/ggml_type.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// llama-quantize's presets ("file types") and its per-tensor type selection
// (llama-quant.cpp llama_tensor_get_type), reproduced exactly: same mixtures, same
// use_more_bits layers, GQA rules, output/token-embedding rules and shape fallbacks.
namespace qs::core {

// llama_ftype numbers, as written to general.file_type (not ggml's own ftype enum).
enum class LlamaFtype : std::uint32_t {
    AllF32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q8_0 = 7,
    Q5_0 = 8,
    Q5_1 = 9,
    Q2_K = 10,
    Q3_K_S = 11,
    Q3_K_M = 12,
    Q3_K_L = 13,
    Q4_K_S = 14,
    Q4_K_M = 15,
    Q5_K_S = 16,
    Q5_K_M = 17,
    Q6_K = 18,
    IQ2_XXS = 19,
    IQ2_XS = 20,
    Q2_K_S = 21,
    IQ3_XS = 22,
    IQ3_XXS = 23,
    IQ1_S = 24,
    IQ4_NL = 25,
    IQ3_S = 26,
    IQ3_M = 27,
    IQ2_S = 28,
    IQ2_M = 29,
    IQ4_XS = 30,
    IQ1_M = 31,
    BF16 = 32,
    TQ1_0 = 36,
    TQ2_0 = 37,
    MXFP4_MOE = 38,
};

struct LlamaPreset {
    std::string_view name; // as llama-quantize spells it: "Q4_K_M"
    LlamaFtype ftype;
    GgmlType defaultType; // llama_ftype_get_default_type
    std::string_view description;
};

std::span<const LlamaPreset> allLlamaPresets();
// Case-insensitive; accepts the aliases Q3_K, Q4_K, Q5_K (= the _M presets) and the number.
const LlamaPreset* llamaPresetByName(std::string_view name);

// The model facts the rules look at (llama hparams).
struct ModelShape {
    std::string architecture = "llama"; // "falcon" changes several rules
    int nLayer = 0;
    int nHead = 0;
    int nHeadKv = 0; // 0: same as nHead
    int nExpert = 0;
    bool is70B = false; // LLM_TYPE_70B: attn_v Q3_K/Q4_K -> Q5_K

    int gqa() const;
};

// One --tensor-type REGEX=TYPE rule; the first rule whose regex matches (std::regex_search,
// ECMAScript) decides, and the mixture rules are then skipped for that tensor.
struct TensorTypeOverride {
    std::string pattern;
    GgmlType type;
};
// Parses "attn_v=q8_0" as llama-quantize does (the pattern is lower-cased).
Result<TensorTypeOverride> parseTensorTypeOverride(std::string_view text);

struct PresetOptions {
    bool pure = false;                // --pure: no mixture rules, base type everywhere
    bool hasImatrix = false;          // --imatrix given: changes IQ3_XXS/IQ4/Q4_0/Q5_0 rules
    bool quantizeOutputTensor = true; // false: --leave-output-tensor
    std::optional<GgmlType> outputTensorType;    // --output-tensor-type
    std::optional<GgmlType> tokenEmbeddingType;  // --token-embedding-type
    std::vector<TensorTypeOverride> tensorTypes; // --tensor-type, in command-line order
};

struct TensorDesc {
    std::string name;
    std::vector<std::int64_t> dims; // ggml order, ne0 (row length) first
    GgmlType sourceType = GgmlType::F32;
};

// The plan llama-quantize would follow for these tensors. Tensors are visited in
// llama.cpp's order (non-layer tensors by name, then blk.0.*, blk.1.*, ... by name), because
// the attn_v/ffn_down rules count tensors as they go. Fails on an invalid override regex.
Result<QuantPlan> buildLlamaPlan(const LlamaPreset& preset, std::span<const TensorDesc> tensors,
                                 const ModelShape& model, const PresetOptions& options);

// The type of one tensor, without the rest of the model: the counters llama.cpp keeps
// (how many attn_v / ffn_down came before) are taken from the tensor's layer index, which is
// what they are for a model with one such tensor per layer. `tiedEmbeddings`: the model has
// no output.weight. buildLlamaPlan is the exact path; this one serves previews and tables.
Result<PlannedTensor> llamaTensorType(const LlamaPreset& preset, const TensorDesc& tensor,
                                      const ModelShape& model, const PresetOptions& options,
                                      bool tiedEmbeddings);

// llama.cpp's tensor order (llama_model_loader's weight_name_comparer): tensors outside layers
// first, then by layer number, then by name. llama-quantize visits and writes tensors in it.
bool llamaTensorNameLess(std::string_view a, std::string_view b);

// Whether llama-quantize would ever change this tensor's type (tensor_allows_quantization):
// a weight matrix, not a norm, not a MoE router (ffn_gate_inp) nor the other tensors it
// always keeps. The plan editor, the optimizer and the presets read this one rule.
bool llamaAllowsQuantization(const TensorDesc& tensor);

// llama-quantize refuses these without an importance matrix (tensor_requires_imatrix).
bool llamaRequiresImatrix(std::string_view tensorName, GgmlType type, LlamaFtype ftype);

// llama-quantize refuses these presets as a whole without an importance matrix (IQ1_S, IQ1_M,
// IQ2_XXS, IQ2_XS, IQ2_S, Q2_K_S: "Please do not use ... without an importance matrix"), even
// where shape fallbacks leave no tensor that needs one.
bool llamaPresetRequiresImatrix(LlamaFtype ftype);

// The first tensor of `plan` that llamaRequiresImatrix refuses for a file of `ftype`, or
// nullptr: the one check before quantizing without an importance matrix.
const PlannedTensor* firstTensorNeedingImatrix(const QuantPlan& plan, LlamaFtype ftype);

} // namespace qs::core
