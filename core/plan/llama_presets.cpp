#include "core/plan/llama_presets.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <regex>

namespace qs::core {
namespace {

using F = LlamaFtype;
using T = GgmlType;

// Help texts are llama-quantize's QUANT_OPTIONS figures (tools/quantize/quantize.cpp).
constexpr std::array kPresets = {
    LlamaPreset{"Q4_0", F::Q4_0, T::Q4_0, "4.34G, +0.4685 ppl @ Llama-3-8B"},
    LlamaPreset{"Q4_1", F::Q4_1, T::Q4_1, "4.78G, +0.4511 ppl @ Llama-3-8B"},
    LlamaPreset{"Q5_0", F::Q5_0, T::Q5_0, "5.21G, +0.1316 ppl @ Llama-3-8B"},
    LlamaPreset{"Q5_1", F::Q5_1, T::Q5_1, "5.65G, +0.1062 ppl @ Llama-3-8B"},
    LlamaPreset{"IQ2_XXS", F::IQ2_XXS, T::IQ2_XXS, "2.06 bpw quantization"},
    LlamaPreset{"IQ2_XS", F::IQ2_XS, T::IQ2_XS, "2.31 bpw quantization"},
    LlamaPreset{"IQ2_S", F::IQ2_S, T::IQ2_XS, "2.5  bpw quantization"},
    LlamaPreset{"IQ2_M", F::IQ2_M, T::IQ2_S, "2.7  bpw quantization"},
    LlamaPreset{"IQ1_S", F::IQ1_S, T::IQ1_S, "1.56 bpw quantization"},
    LlamaPreset{"IQ1_M", F::IQ1_M, T::IQ1_M, "1.75 bpw quantization"},
    LlamaPreset{"TQ1_0", F::TQ1_0, T::TQ1_0, "1.69 bpw ternarization"},
    LlamaPreset{"TQ2_0", F::TQ2_0, T::TQ2_0, "2.06 bpw ternarization"},
    LlamaPreset{"Q2_K", F::Q2_K, T::Q2_K, "2.96G, +3.5199 ppl @ Llama-3-8B"},
    LlamaPreset{"Q2_K_S", F::Q2_K_S, T::Q2_K, "2.96G, +3.1836 ppl @ Llama-3-8B"},
    LlamaPreset{"IQ3_XXS", F::IQ3_XXS, T::IQ3_XXS, "3.06 bpw quantization"},
    LlamaPreset{"IQ3_S", F::IQ3_S, T::IQ3_S, "3.44 bpw quantization"},
    LlamaPreset{"IQ3_M", F::IQ3_M, T::IQ3_S, "3.66 bpw quantization mix"},
    LlamaPreset{"Q3_K_S", F::Q3_K_S, T::Q3_K, "3.41G, +1.6321 ppl @ Llama-3-8B"},
    LlamaPreset{"Q3_K_M", F::Q3_K_M, T::Q3_K, "3.74G, +0.6569 ppl @ Llama-3-8B"},
    LlamaPreset{"Q3_K_L", F::Q3_K_L, T::Q3_K, "4.03G, +0.5562 ppl @ Llama-3-8B"},
    LlamaPreset{"IQ3_XS", F::IQ3_XS, T::IQ3_S, "3.3 bpw quantization"},
    LlamaPreset{"IQ4_NL", F::IQ4_NL, T::IQ4_NL, "4.50 bpw non-linear quantization"},
    LlamaPreset{"IQ4_XS", F::IQ4_XS, T::IQ4_XS, "4.25 bpw non-linear quantization"},
    LlamaPreset{"Q4_K_S", F::Q4_K_S, T::Q4_K, "4.37G, +0.2689 ppl @ Llama-3-8B"},
    LlamaPreset{"Q4_K_M", F::Q4_K_M, T::Q4_K, "4.58G, +0.1754 ppl @ Llama-3-8B"},
    LlamaPreset{"Q5_K_S", F::Q5_K_S, T::Q5_K, "5.21G, +0.1049 ppl @ Llama-3-8B"},
    LlamaPreset{"Q5_K_M", F::Q5_K_M, T::Q5_K, "5.33G, +0.0569 ppl @ Llama-3-8B"},
    LlamaPreset{"Q6_K", F::Q6_K, T::Q6_K, "6.14G, +0.0217 ppl @ Llama-3-8B"},
    LlamaPreset{"Q8_0", F::Q8_0, T::Q8_0, "7.96G, +0.0026 ppl @ Llama-3-8B"},
    LlamaPreset{"MXFP4_MOE", F::MXFP4_MOE, T::MXFP4, "MXFP4 MoE"},
    LlamaPreset{"F16", F::F16, T::F16, "14.00G, +0.0020 ppl @ Mistral-7B"},
    LlamaPreset{"BF16", F::BF16, T::BF16, "14.00G, -0.0050 ppl @ Mistral-7B"},
    LlamaPreset{"F32", F::AllF32, T::F32, "26.00G @ 7B"},
};

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool contains(std::string_view s, std::string_view part) {
    return s.find(part) != std::string_view::npos;
}

enum class Category {
    TokenEmbd,
    AttentionQ,
    AttentionV,
    AttentionK,
    AttentionQkv,
    AttentionKvB,
    AttentionOutput,
    FfnUp,
    FfnGate,
    FfnDown,
    Output,
    Other,
};

// tensor_get_category: substring tests in this order.
Category categoryOf(std::string_view name) {
    if (name == "output.weight") {
        return Category::Output;
    }
    if (name == "token_embd.weight" || name == "per_layer_token_embd.weight") {
        return Category::TokenEmbd;
    }
    if (contains(name, "attn_qkv.weight")) {
        return Category::AttentionQkv;
    }
    if (contains(name, "attn_kv_b.weight")) {
        return Category::AttentionKvB;
    }
    if (contains(name, "attn_v.weight")) {
        return Category::AttentionV;
    }
    if (contains(name, "attn_k.weight")) {
        return Category::AttentionK;
    }
    if (contains(name, "attn_q.weight")) {
        return Category::AttentionQ;
    }
    if (contains(name, "attn_output.weight")) {
        return Category::AttentionOutput;
    }
    if (contains(name, "ffn_up")) {
        return Category::FfnUp;
    }
    if (contains(name, "ffn_gate")) {
        return Category::FfnGate;
    }
    if (contains(name, "ffn_down")) {
        return Category::FfnDown;
    }
    return Category::Other;
}

bool isAttnVLike(Category c) {
    return c == Category::AttentionV || c == Category::AttentionQkv || c == Category::AttentionKvB;
}

// ggml_n_dims: trailing dimensions of 1 do not count.
int significantDims(const std::vector<std::int64_t>& dims) {
    for (int i = static_cast<int>(dims.size()) - 1; i >= 1; --i) {
        if (dims[static_cast<std::size_t>(i)] > 1) {
            return i + 1;
        }
    }
    return 1;
}

// tensor_allows_quantization for the names a llama-family model can have.
bool allowsQuantization(const TensorDesc& t, const PresetOptions& options) {
    if (significantDims(t.dims) < 2) {
        return false;
    }
    const std::string_view name = t.name;
    if (name.size() < 6 || name.substr(name.size() - 6) != "weight") {
        return false;
    }
    if (!options.quantizeOutputTensor && name == "output.weight") {
        return false;
    }
    static constexpr std::string_view kNever[] = {
        "_norm.weight",
        "ffn_gate_inp.weight",
        "ffn_gate_tid2eid.weight",
        "altup",
        "laurel",
        "per_layer_model_proj",
        "ssm_conv1d",
        "shortconv.conv.weight",
        "indexer.k_proj.weight",
        "indexer.q_proj.weight",
        "time_mix_first.weight",
        "time_mix_w0.weight",
        "time_mix_w1.weight",
        "time_mix_w2.weight",
        "time_mix_v0.weight",
        "time_mix_v1.weight",
        "time_mix_v2.weight",
        "time_mix_a0.weight",
        "time_mix_a1.weight",
        "time_mix_a2.weight",
        "time_mix_g1.weight",
        "time_mix_g2.weight",
        "time_mix_decay_w1.weight",
        "time_mix_decay_w2.weight",
        "time_mix_lerp_fused.weight",
        "attn_rel_b.weight",
        ".position_embd",
        "sam.pos_embd",
        "sam.neck.",
        "sam.net_",
        ".rel_pos",
        ".patch_embd",
        ".patch_merger",
        "a.rvq.codebook",
        "mm.a.code_embd",
    };
    for (auto part : kNever) {
        if (contains(name, part)) {
            return false;
        }
    }
    return name != "position_embd.weight" && name != "token_types.weight";
}

// sscanf(name, "blk.%d.", &layer) == 1
std::optional<int> layerOf(std::string_view name) {
    if (name.substr(0, 4) != "blk.") {
        return std::nullopt;
    }
    int layer = 0;
    const char* first = name.data() + 4;
    const auto [end, ec] = std::from_chars(first, name.data() + name.size(), layer);
    if (ec != std::errc() || end == first) {
        return std::nullopt;
    }
    return layer;
}

bool isQuantizedType(GgmlType type) {
    return ggmlTypeInfo(type).blockSize > 1;
}

bool useMoreBits(int iLayer, int nLayers) {
    return iLayer < nLayers / 8 || iLayer >= 7 * nLayers / 8 || (iLayer - nLayers / 8) % 3 == 2;
}

// The counters of quantize_state_impl: rules for attn_v and the FFN tensors depend on how many
// such tensors came before.
struct MixtureState {
    int nAttentionV = 0;
    int iAttentionV = 0;
    int nFfn = 0; // n_ffn_down = n_ffn_gate = n_ffn_up = n_layer
    int iFfnDown = 0;
    int iFfnGate = 0;
    int iFfnUp = 0;
    bool tiedEmbeddings = true; // until output.weight is seen
};

struct Context {
    const ModelShape& model;
    const PresetOptions& options;
    LlamaFtype ftype;
    bool falcon;
};

// layer_info: with experts the FFN layer comes from the name, otherwise from the counter.
Result<int> ffnLayer(const Context& ctx, int counter, std::string_view name) {
    if (std::max(1, ctx.model.nExpert) > 1) {
        const auto layer = layerOf(name);
        if (!layer) {
            return makeError(ErrorCode::InvalidArgument,
                             "failed to determine the layer of tensor " + std::string(name));
        }
        if (*layer < 0 || *layer >= ctx.model.nLayer) {
            return makeError(ErrorCode::InvalidArgument, "bad layer " + std::to_string(*layer) +
                                                             " for tensor " + std::string(name));
        }
        return *layer;
    }
    return counter;
}

bool isOneOf(LlamaFtype f, std::initializer_list<LlamaFtype> list) {
    return std::find(list.begin(), list.end(), f) != list.end();
}

// llama_tensor_get_type_impl: the mixture rules. Kept branch for branch in llama.cpp's order so
// that a diff against upstream stays readable.
Result<GgmlType> mixtureType(const Context& ctx, MixtureState& qs, GgmlType newType,
                             const TensorDesc& t, Category category) {
    const LlamaFtype ftype = ctx.ftype;
    const ModelShape& hp = ctx.model;
    const int nGqa = hp.gqa();

    if (category == Category::Output || (qs.tiedEmbeddings && category == Category::TokenEmbd)) {
        if (ctx.options.outputTensorType) {
            newType = *ctx.options.outputTensorType;
        } else {
            const std::int64_t nx = t.dims.empty() ? 0 : t.dims[0];
            const std::int64_t qkK = ggmlTypeInfo(newType).blockSize;
            if (ftype == F::MXFP4_MOE) {
                newType = T::Q8_0;
            } else if (ctx.falcon || nx % qkK != 0) {
                newType = T::Q8_0;
            } else if (isOneOf(ftype, {F::IQ2_XXS, F::IQ2_XS, F::IQ3_XXS, F::IQ1_S, F::IQ2_S,
                                       F::IQ2_M, F::IQ1_M})) {
                newType = T::Q5_K;
            } else if (newType != T::Q8_0) {
                newType = T::Q6_K;
            }
        }
    } else if (ftype == F::MXFP4_MOE) {
        // Expert tensors (3-D) -> MXFP4, everything else -> Q8_0.
        newType = t.dims.size() > 2 && t.dims[2] > 1 ? T::MXFP4 : T::Q8_0;
    } else if (category == Category::TokenEmbd) {
        if (ctx.options.tokenEmbeddingType) {
            newType = *ctx.options.tokenEmbeddingType;
        } else if (isOneOf(ftype, {F::IQ2_XXS, F::IQ2_XS, F::IQ1_S, F::IQ1_M})) {
            newType = T::Q2_K;
        } else if (isOneOf(ftype, {F::IQ2_S, F::IQ2_M, F::IQ3_XXS})) {
            newType = T::IQ3_S;
        } else if (isOneOf(ftype, {F::TQ1_0, F::TQ2_0})) {
            newType = T::Q4_K;
        }
    } else if (isOneOf(ftype, {F::IQ2_XXS, F::IQ2_XS, F::IQ1_S, F::IQ2_S, F::IQ2_M, F::IQ1_M})) {
        const bool iq2sm = isOneOf(ftype, {F::IQ2_S, F::IQ2_M});
        if (isAttnVLike(category)) {
            if (nGqa >= 4 || hp.nExpert >= 4) {
                newType = T::Q4_K;
            } else {
                newType = iq2sm ? T::IQ3_S : T::Q2_K;
            }
            ++qs.iAttentionV;
        } else if (hp.nExpert == 8 && category == Category::AttentionK) {
            newType = T::Q4_K;
        } else if (category == Category::FfnDown) {
            if (qs.iFfnDown < qs.nFfn / 8) {
                newType = iq2sm ? T::IQ3_S : T::Q2_K;
            }
            ++qs.iFfnDown;
        } else if (category == Category::AttentionOutput) {
            if (hp.nExpert == 8) {
                newType = T::Q5_K;
            } else if (isOneOf(ftype, {F::IQ1_S, F::IQ1_M})) {
                newType = T::IQ2_XXS;
            } else if (iq2sm) {
                newType = T::IQ3_S;
            }
        }
    } else if (isAttnVLike(category)) {
        if (ftype == F::Q2_K) {
            newType = nGqa >= 4 ? T::Q4_K : T::Q3_K;
        } else if (ftype == F::Q2_K_S && nGqa >= 4) {
            newType = T::Q4_K;
        } else if (ftype == F::IQ3_XXS) {
            newType = nGqa >= 4 ? T::Q4_K : !ctx.options.hasImatrix ? T::IQ3_S : T::IQ3_XXS;
        } else if (isOneOf(ftype, {F::IQ3_XS, F::IQ3_S}) && nGqa >= 4) {
            newType = T::Q4_K;
        } else if (ftype == F::IQ3_M) {
            newType = T::Q4_K;
        } else if (ftype == F::Q3_K_M) {
            newType = qs.iAttentionV < 2 ? T::Q5_K : T::Q4_K;
        } else if (ftype == F::Q3_K_L) {
            newType = T::Q5_K;
        } else if (isOneOf(ftype, {F::IQ4_NL, F::IQ4_XS}) && nGqa >= 4) {
            newType = T::Q5_K;
        } else if (isOneOf(ftype, {F::Q4_K_M, F::Q5_K_M}) &&
                   useMoreBits(qs.iAttentionV, qs.nAttentionV)) {
            newType = T::Q6_K;
        } else if (ftype == F::Q4_K_S && qs.iAttentionV < 4) {
            newType = T::Q5_K;
        }
        // 70B: 8 heads share attn_v, so more bits there cost almost nothing.
        if (hp.is70B && (newType == T::Q3_K || newType == T::Q4_K)) {
            newType = T::Q5_K;
        }
        if (hp.nExpert == 8) {
            newType = T::Q8_0;
        }
        ++qs.iAttentionV;
    } else if (category == Category::AttentionK) {
        if (hp.nExpert == 8) {
            newType = T::Q8_0;
        } else if (ftype == F::IQ3_XS) {
            newType = T::IQ3_XXS;
        } else if (ftype == F::IQ3_XXS) {
            newType = T::IQ2_S;
        }
    } else if (category == Category::AttentionQ) {
        if (ftype == F::IQ3_XS) {
            newType = T::IQ3_XXS;
        } else if (ftype == F::IQ3_XXS) {
            newType = T::IQ2_S;
        }
    } else if (category == Category::FfnDown) {
        auto layer = ffnLayer(ctx, qs.iFfnDown, t.name);
        if (!layer) {
            return layer.error();
        }
        const int iLayer = *layer;
        const int nLayer = qs.nFfn;
        const bool imatrix = ctx.options.hasImatrix;
        if (ftype == F::Q2_K) {
            newType = T::Q3_K;
        } else if (ftype == F::Q2_K_S) {
            if (iLayer < nLayer / 8) {
                newType = T::Q4_K;
            }
        } else if (ftype == F::IQ3_XXS && !imatrix) {
            newType = iLayer < nLayer / 8 ? T::Q4_K : T::Q3_K;
        } else if (ftype == F::Q3_K_M) {
            newType = iLayer < nLayer / 16                         ? T::Q5_K
                      : !ctx.falcon || useMoreBits(iLayer, nLayer) ? T::Q4_K
                                                                   : T::Q3_K;
        } else if (ftype == F::IQ3_M &&
                   (iLayer < nLayer / 8 || (hp.nExpert == 8 && useMoreBits(iLayer, nLayer)))) {
            newType = T::Q4_K;
        } else if (ftype == F::Q3_K_L) {
            newType = ctx.falcon ? T::Q4_K : T::Q5_K;
        } else if (ftype == F::Q4_K_M) {
            if (ctx.falcon) {
                newType = iLayer < nLayer / 16          ? T::Q6_K
                          : useMoreBits(iLayer, nLayer) ? T::Q5_K
                                                        : T::Q4_K;
            } else if (useMoreBits(iLayer, nLayer)) {
                newType = T::Q6_K;
            }
        } else if (iLayer < nLayer / 8 && isOneOf(ftype, {F::IQ4_NL, F::IQ4_XS}) && !imatrix) {
            newType = T::Q5_K;
        } else if (ftype == F::Q5_K_M && useMoreBits(iLayer, nLayer)) {
            newType = T::Q6_K;
        } else if (ftype == F::Q4_K_S && !ctx.falcon && iLayer < nLayer / 8) {
            newType = T::Q5_K;
        } else if (isOneOf(ftype, {F::Q4_0, F::Q5_0}) && imatrix && iLayer < nLayer / 8) {
            // Guards the first ffn_down layers against Q4_0/Q5_0 going wrong (imatrix only, so
            // that a run without one stays as before).
            newType = ftype == F::Q4_0 ? T::Q4_1 : T::Q5_1;
        }
        ++qs.iFfnDown;
    } else if (category == Category::AttentionOutput) {
        if (!ctx.falcon) {
            if (hp.nExpert == 8) {
                if (isOneOf(ftype, {F::Q2_K, F::IQ3_XS, F::IQ3_XXS, F::Q3_K_S, F::Q3_K_M, F::IQ4_NL,
                                    F::Q4_K_S, F::Q4_K_M, F::IQ3_S, F::IQ3_M, F::IQ4_XS})) {
                    newType = T::Q5_K;
                }
            } else if (ftype == F::Q2_K) {
                newType = T::Q3_K;
            } else if (ftype == F::IQ3_XXS) {
                newType = T::IQ3_S;
            } else if (ftype == F::Q3_K_M) {
                newType = T::Q4_K;
            } else if (ftype == F::Q3_K_L) {
                newType = T::Q5_K;
            } else if (ftype == F::IQ3_M) {
                newType = T::Q4_K;
            }
        } else if (ftype == F::Q3_K_L) {
            newType = T::Q4_K;
        }
    } else if (category == Category::AttentionQkv) {
        // Unreachable in llama.cpp too (attn_qkv takes the attn_v branch); kept for parity.
        if (isOneOf(ftype, {F::Q3_K_M, F::Q3_K_L, F::IQ3_M})) {
            newType = T::Q4_K;
        } else if (ftype == F::Q4_K_M) {
            newType = T::Q5_K;
        } else if (ftype == F::Q5_K_M) {
            newType = T::Q6_K;
        }
    } else if (category == Category::FfnGate || category == Category::FfnUp) {
        int& counter = category == Category::FfnGate ? qs.iFfnGate : qs.iFfnUp;
        auto layer = ffnLayer(ctx, counter, t.name);
        if (!layer) {
            return layer.error();
        }
        const int nLayer = qs.nFfn;
        if (ftype == F::IQ3_XS && *layer >= nLayer / 8 && *layer < 7 * nLayer / 8) {
            newType = T::IQ3_XXS;
        }
        ++counter;
    }
    return newType;
}

// tensor_type_fallback: a type whose block does not divide the row length is replaced.
GgmlType shapeFallback(GgmlType target, std::int64_t ncols, bool& fellBack) {
    fellBack = false;
    if (ncols % ggmlTypeInfo(target).blockSize == 0) {
        return target;
    }
    fellBack = true;
    GgmlType result;
    switch (target) {
    case T::IQ1_S:
    case T::IQ1_M:
    case T::IQ2_XXS:
    case T::IQ2_XS:
    case T::IQ2_S:
    case T::IQ3_XXS:
    case T::IQ3_S:
    case T::IQ4_XS:
        result = T::IQ4_NL;
        break;
    case T::Q2_0:
    case T::Q2_K:
    case T::Q3_K:
    case T::TQ1_0:
    case T::TQ2_0:
        result = T::Q4_0;
        break;
    case T::Q4_K:
        result = T::Q5_0;
        break;
    case T::Q5_K:
        result = T::Q5_1;
        break;
    case T::Q6_K:
        result = T::Q8_0;
        break;
    default:
        result = T::F16; // llama.cpp throws "no tensor type fallback"; F16 is always valid
        break;
    }
    if (ncols % ggmlTypeInfo(result).blockSize != 0) {
        result = T::F16; // "must use F16 due to unusual shape"
    }
    return result;
}

bool llamaTensorOrder(const TensorDesc* a, const TensorDesc* b) {
    return llamaTensorNameLess(a->name, b->name);
}

using CompiledOverrides = std::vector<std::pair<std::regex, GgmlType>>;

Result<CompiledOverrides> compileOverrides(const PresetOptions& options) {
    CompiledOverrides overrides;
    for (const auto& o : options.tensorTypes) {
        try {
            overrides.emplace_back(std::regex(o.pattern), o.type);
        } catch (const std::regex_error& e) {
            return makeError(ErrorCode::InvalidArgument,
                             "invalid tensor type pattern '" + o.pattern + "': " + e.what());
        }
    }
    return overrides;
}

// llama_tensor_get_type: options first, then overrides, then the mixture, then the shape
// fallback.
Result<PlannedTensor> chooseType(const Context& ctx, MixtureState& qs, const LlamaPreset& preset,
                                 const CompiledOverrides& overrides, const TensorDesc& t) {
    const PresetOptions& options = ctx.options;
    if (!allowsQuantization(t, options)) {
        return PlannedTensor{t.name, t.sourceType, false};
    }
    const Category category = categoryOf(t.name);
    if (options.tokenEmbeddingType && category == Category::TokenEmbd) {
        return PlannedTensor{t.name, *options.tokenEmbeddingType, false};
    }
    if (options.outputTensorType && category == Category::Output) {
        return PlannedTensor{t.name, *options.outputTensorType, false};
    }
    GgmlType type = preset.defaultType;
    bool fellBack = false;
    if (isQuantizedType(type)) {
        bool manual = false;
        for (const auto& [regex, overrideType] : overrides) {
            if (std::regex_search(t.name, regex)) {
                type = overrideType;
                manual = true;
                break;
            }
        }
        if (!manual && !options.pure) {
            auto mixed = mixtureType(ctx, qs, type, t, category);
            if (!mixed) {
                return mixed.error();
            }
            type = *mixed;
        }
        type = shapeFallback(type, t.dims.empty() ? 0 : t.dims[0], fellBack);
    }
    return PlannedTensor{t.name, type, fellBack};
}

} // namespace

int ModelShape::gqa() const {
    const int kv = nHeadKv > 0 ? nHeadKv : nHead;
    return kv > 0 ? nHead / kv : 0;
}

std::span<const LlamaPreset> allLlamaPresets() {
    return kPresets;
}

const LlamaPreset* llamaPresetByName(std::string_view name) {
    static constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
        {"Q3_K", "Q3_K_M"}, {"Q4_K", "Q4_K_M"}, {"Q5_K", "Q5_K_M"}, {"COPY", "F32"}};
    for (const auto& [alias, target] : kAliases) {
        if (equalsIgnoreCase(name, alias)) {
            name = target;
        }
    }
    unsigned number = 0;
    const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), number);
    const bool numeric = ec == std::errc() && end == name.data() + name.size();
    for (const auto& p : kPresets) {
        if (numeric ? static_cast<unsigned>(p.ftype) == number : equalsIgnoreCase(p.name, name)) {
            return &p;
        }
    }
    return nullptr;
}

Result<TensorTypeOverride> parseTensorTypeOverride(std::string_view text) {
    const auto sep = text.find('=');
    if (sep == std::string_view::npos || sep == 0) {
        return makeError(ErrorCode::InvalidArgument,
                         "malformed tensor type '" + std::string(text) + "' (want REGEX=TYPE)");
    }
    std::string pattern(text.substr(0, sep));
    std::transform(pattern.begin(), pattern.end(), pattern.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto* info = ggmlTypeByName(text.substr(sep + 1));
    if (!info || info->isInteger) {
        return makeError(ErrorCode::InvalidArgument, "unknown type '" +
                                                         std::string(text.substr(sep + 1)) +
                                                         "' in '" + std::string(text) + "'");
    }
    return TensorTypeOverride{std::move(pattern), info->type};
}

bool llamaAllowsQuantization(const TensorDesc& tensor) {
    PresetOptions options;
    options.quantizeOutputTensor = true;
    return allowsQuantization(tensor, options);
}

bool llamaRequiresImatrix(std::string_view tensorName, GgmlType type, LlamaFtype ftype) {
    if (tensorName == "token_embd.weight" || tensorName == "per_layer_token_embd.weight" ||
        tensorName == "output.weight") {
        return false;
    }
    switch (type) {
    case T::IQ3_XXS:
    case T::IQ2_XXS:
    case T::IQ2_XS:
    case T::IQ2_S:
    case T::IQ1_M:
    case T::IQ1_S:
        return true;
    case T::Q2_K:
        return ftype == F::Q2_K_S; // only Q2_K_S files need it for Q2_K
    default:
        return false;
    }
}

bool llamaPresetRequiresImatrix(LlamaFtype ftype) {
    return isOneOf(ftype, {F::IQ2_XS, F::IQ2_XXS, F::IQ2_S, F::Q2_K_S, F::IQ1_S, F::IQ1_M});
}

const PlannedTensor* firstTensorNeedingImatrix(const QuantPlan& plan, LlamaFtype ftype) {
    for (const auto& t : plan.tensors()) {
        if (llamaRequiresImatrix(t.name, t.type, ftype)) {
            return &t;
        }
    }
    return nullptr;
}

Result<QuantPlan> buildLlamaPlan(const LlamaPreset& preset, std::span<const TensorDesc> tensors,
                                 const ModelShape& model, const PresetOptions& options) {
    auto overrides = compileOverrides(options);
    if (!overrides) {
        return overrides.error();
    }

    std::vector<const TensorDesc*> order;
    order.reserve(tensors.size());
    for (const auto& t : tensors) {
        order.push_back(&t);
    }
    std::stable_sort(order.begin(), order.end(), llamaTensorOrder);

    MixtureState qs;
    for (const auto* t : order) {
        const Category c = categoryOf(t->name);
        qs.nAttentionV += isAttnVLike(c) ? 1 : 0;
        if (c == Category::Output) {
            qs.tiedEmbeddings = false;
        }
    }
    qs.nFfn = model.nLayer;

    const Context ctx{model, options, preset.ftype, model.architecture == "falcon"};
    QuantPlan plan;
    for (const auto* t : order) {
        auto planned = chooseType(ctx, qs, preset, *overrides, *t);
        if (!planned) {
            return planned.error();
        }
        plan.set(planned->name, planned->type, planned->fellBack);
    }
    return plan;
}

Result<PlannedTensor> llamaTensorType(const LlamaPreset& preset, const TensorDesc& tensor,
                                      const ModelShape& model, const PresetOptions& options,
                                      bool tiedEmbeddings) {
    auto overrides = compileOverrides(options);
    if (!overrides) {
        return overrides.error();
    }
    MixtureState qs;
    const int layer = layerOf(tensor.name).value_or(0);
    qs.nAttentionV = model.nLayer;
    qs.iAttentionV = layer;
    qs.nFfn = model.nLayer;
    qs.iFfnDown = qs.iFfnGate = qs.iFfnUp = layer;
    qs.tiedEmbeddings = tiedEmbeddings;
    const Context ctx{model, options, preset.ftype, model.architecture == "falcon"};
    return chooseType(ctx, qs, preset, *overrides, tensor);
}

// llama_model_loader's weight_name_comparer: by layer (-1 for non-layer tensors), then name.
bool llamaTensorNameLess(std::string_view a, std::string_view b) {
    const int la = layerOf(a).value_or(-1);
    const int lb = layerOf(b).value_or(-1);
    if (la != lb) {
        return la < lb;
    }
    return a < b;
}

} // namespace qs::core
