#include "core/io/hf_reader.h"

#include "core/fs/mapped_file.h"
#include "core/io/quantized_import.h"
#include "core/io/safetensors_reader.h"
#include "core/logging.h"
#include "core/model/hparams_check.h"
#include "core/try.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <spdlog/spdlog.h>

namespace qs::core {

namespace fs = std::filesystem;

Result<nlohmann::json> readJsonFile(const std::string& path);

Result<nlohmann::json> readJsonFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return Error::fromErrno(errno, path, "open");
    }
    auto json = nlohmann::json::parse(in, nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
        return makeError(ErrorCode::Format, path + ": not a JSON object");
    }
    return json;
}

namespace {

std::optional<std::uint32_t> configU32(const nlohmann::json& c, const char* key) {
    if (c.contains(key) && c[key].is_number_unsigned()) {
        const auto v = c[key].get<std::uint64_t>();
        if (v <= UINT32_MAX) {
            return static_cast<std::uint32_t>(v);
        }
    }
    return std::nullopt;
}

// Order in which llama.cpp's converters write a layer's tensors; unknown names sort last.
int layerRank(const HfFamily& family, const std::string& ggufName) {
    const auto dot = ggufName.find('.', 4);
    const std::string_view rest = std::string_view(ggufName).substr(dot + 1);
    const auto names = family.layerNames;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (rest == names[i].second) {
            return static_cast<int>(i);
        }
    }
    // The stacked expert tensors follow the layer's other tensors.
    const auto experts = family.expertNames;
    for (std::size_t i = 0; i < experts.size(); ++i) {
        if (rest == experts[i].second) {
            return static_cast<int>(names.size() + i);
        }
    }
    return static_cast<int>(names.size() + experts.size());
}

int globalRank(const std::string& name) {
    if (name == "token_embd.weight") {
        return 0;
    }
    if (name == "output_norm.weight") {
        return 1;
    }
    return 2; // output.weight
}

// Shard files of a folder: the index's weight_map values (first-seen order), or the single file.
Result<std::vector<std::string>> shardFiles(const fs::path& dir) {
    const auto index = dir / "model.safetensors.index.json";
    if (fs::exists(index)) {
        QS_TRY_ASSIGN(json, readJsonFile(index.string()));
        if (!json.contains("weight_map") || !json["weight_map"].is_object()) {
            return makeError(ErrorCode::Format, index.string() + ": no weight_map object");
        }
        std::vector<std::string> files;
        std::set<std::string> seen;
        for (const auto& [tensor, file] : json["weight_map"].items()) {
            if (!file.is_string()) {
                return makeError(ErrorCode::Format, index.string() + ": weight_map entry '" +
                                                        tensor + "' is not a string");
            }
            const auto name = file.get<std::string>();
            // Shards must be plain names in this folder: no path tricks.
            if (name.empty() || name.find('/') != std::string::npos || name == "..") {
                return makeError(ErrorCode::Format,
                                 index.string() + ": shard name '" + name + "' is not a file name");
            }
            if (seen.insert(name).second) {
                files.push_back((dir / name).string());
            }
        }
        std::sort(files.begin(), files.end());
        return files;
    }
    const auto single = dir / "model.safetensors";
    if (fs::exists(single)) {
        return std::vector<std::string>{single.string()};
    }
    return makeError(ErrorCode::Format,
                     dir.string() + ": no model.safetensors or model.safetensors.index.json");
}

} // namespace

namespace {

Result<HfArchitecture> parseHfConfig(const nlohmann::json& c, const std::string& configPath,
                                     Metadata& md) {
    std::string archName;
    if (c.contains("architectures") && c["architectures"].is_array() &&
        !c["architectures"].empty() && c["architectures"][0].is_string()) {
        archName = c["architectures"][0].get<std::string>();
    }
    HfArchitecture arch;
    arch.family = hfFamilyByClass(archName);
    if (!arch.family) {
        return makeError(ErrorCode::Unsupported,
                         configPath + ": architecture '" + archName + "' is not supported (" +
                             supportedHfClasses() + " are)" +
                             (archName == "Gemma3ForConditionalGeneration"
                                  ? "; for Gemma 3's multimodal checkpoints convert the text "
                                    "model (Gemma3ForCausalLM)"
                                  : ""));
    }
    const HfFamily& family = *arch.family;
    arch.ggufArchitecture = std::string(family.ggufArchitecture);
    // Families with NeoX-style RoPE in llama.cpp keep Q/K in HF order.
    arch.permuteQK = family.permuteQK;
    const bool gemma = family.ggufArchitecture == "gemma3";
    const auto hidden = configU32(c, "hidden_size");
    const auto layers = configU32(c, "num_hidden_layers");
    const auto heads = configU32(c, "num_attention_heads");
    const auto ffn = configU32(c, "intermediate_size");
    if (!hidden || !layers || !heads || !ffn || *heads == 0 ||
        (!c.contains("head_dim") && *hidden % *heads != 0)) {
        return makeError(ErrorCode::Format,
                         configPath + ": hidden_size, num_hidden_layers, num_attention_heads and "
                                      "intermediate_size must be positive integers");
    }
    arch.headCount = *heads;
    // Gemma 3's converter defaults: 4 KV heads, heads of 256, rope base 1e6 (gemma3 config).
    arch.headCountKv = configU32(c, "num_key_value_heads").value_or(gemma ? 4 : *heads);
    if (arch.headCountKv == 0 || *heads % arch.headCountKv != 0) {
        return makeError(ErrorCode::Format, configPath + ": num_key_value_heads must divide "
                                                         "num_attention_heads");
    }
    arch.vocabSize = configU32(c, "vocab_size").value_or(0);
    arch.tiedEmbeddings = c.value("tie_word_embeddings", gemma);
    const std::uint32_t headDim = configU32(c, "head_dim").value_or(gemma ? 256 : *hidden / *heads);
    const std::string p = arch.ggufArchitecture + ".";

    md.set("general.architecture", MetaValue(arch.ggufArchitecture));
    md.set("general.name", MetaValue(fs::path(configPath).parent_path().filename().string()));
    md.set(p + "block_count", MetaValue(*layers));
    md.set(p + "context_length", MetaValue(configU32(c, "max_position_embeddings").value_or(2048)));
    md.set(p + "embedding_length", MetaValue(*hidden));
    md.set(p + "feed_forward_length", MetaValue(*ffn));
    md.set(p + "attention.head_count", MetaValue(*heads));
    md.set(p + "attention.head_count_kv", MetaValue(arch.headCountKv));
    md.set(p + "rope.freq_base",
           MetaValue(static_cast<float>(c.value("rope_theta", gemma ? 1000000.0 : 10000.0))));
    md.set(p + "attention.layer_norm_rms_epsilon",
           MetaValue(static_cast<float>(c.value("rms_norm_eps", 1e-6))));
    if (arch.vocabSize != 0) {
        md.set(p + "vocab_size", MetaValue(arch.vocabSize));
    }
    md.set(p + "rope.dimension_count", MetaValue(headDim));
    if (headDim != *hidden / *heads) {
        // convert_hf_to_gguf writes an explicit head size as key/value length.
        md.set(p + "attention.key_length", MetaValue(headDim));
        md.set(p + "attention.value_length", MetaValue(headDim));
    }
    if (family.hasExperts()) {
        // convert_hf_to_gguf: expert_count from num_local_experts / num_experts,
        // expert_used_count from num_experts_per_tok, Qwen's expert FFN from
        // moe_intermediate_size (Mixtral's experts are intermediate_size wide).
        const auto count = configU32(c, std::string(family.expertCountKey).c_str());
        const auto used = configU32(c, "num_experts_per_tok");
        if (!count || *count == 0 || !used || *used == 0 || *used > *count) {
            return makeError(ErrorCode::Format,
                             configPath + ": " + std::string(family.expertCountKey) +
                                 " and num_experts_per_tok must be positive integers, the second "
                                 "no larger than the first");
        }
        arch.expertCount = *count;
        md.set(p + "expert_count", MetaValue(*count));
        md.set(p + "expert_used_count", MetaValue(*used));
        if (c.contains("moe_intermediate_size")) {
            const auto expertFfn = configU32(c, "moe_intermediate_size");
            if (!expertFfn || *expertFfn == 0) {
                return makeError(ErrorCode::Format,
                                 configPath + ": moe_intermediate_size must be a positive integer");
            }
            md.set(p + "expert_feed_forward_length", MetaValue(*expertFfn));
        }
        // llama.cpp's qwen3moe graph always renormalizes the top-k weights; a checkpoint that
        // does not would evaluate differently from its own model.
        if (c.contains("norm_topk_prob") && c["norm_topk_prob"].is_boolean() &&
            !c["norm_topk_prob"].get<bool>()) {
            return makeError(ErrorCode::Unsupported,
                             configPath + ": norm_topk_prob is false; llama.cpp's " +
                                 arch.ggufArchitecture +
                                 " always renormalizes the chosen experts' weights");
        }
        // Dense layers among the sparse ones (Qwen's mlp_only_layers, decoder_sparse_step) have
        // no place in the GGUF layout.
        if ((c.contains("mlp_only_layers") && c["mlp_only_layers"].is_array() &&
             !c["mlp_only_layers"].empty()) ||
            configU32(c, "decoder_sparse_step").value_or(1) != 1) {
            return makeError(ErrorCode::Unsupported,
                             configPath + ": dense layers among the expert layers "
                                          "(mlp_only_layers, decoder_sparse_step) are not "
                                          "supported");
        }
    }
    if (gemma || family.ggufArchitecture == "phi3") {
        if (const auto window = configU32(c, "sliding_window"); window && *window > 0) {
            md.set(p + "attention.sliding_window", MetaValue(*window));
        }
    }
    if (gemma) {
        if (c.contains("rope_local_base_freq") && c["rope_local_base_freq"].is_number()) {
            md.set(p + "rope.freq_base_swa",
                   MetaValue(static_cast<float>(c["rope_local_base_freq"].get<double>())));
        }
        if (c.contains("final_logit_softcapping") && c["final_logit_softcapping"].is_number()) {
            md.set(p + "final_logit_softcapping",
                   MetaValue(static_cast<float>(c["final_logit_softcapping"].get<double>())));
        }
    }
    if (const auto original = configU32(c, "original_max_position_embeddings")) {
        md.set(p + "rope.scaling.original_context_length", MetaValue(*original));
    }
    if (c.contains("rope_scaling") && c["rope_scaling"].is_object()) {
        const auto& rs = c["rope_scaling"];
        const std::string type = rs.value("rope_type", rs.value("type", std::string()));
        if (type == "linear" && rs.contains("factor") && rs["factor"].is_number()) {
            md.set(p + "rope.scaling.type", MetaValue(std::string("linear")));
            md.set(p + "rope.scaling.factor", MetaValue(rs["factor"].get<float>()));
        } else if (type == "llama3") {
            // convert_hf_to_gguf's rope_freqs for Llama 3.1+: per pair, 1 for short
            // wavelengths, `factor` for long ones, a smooth blend between (f32 as in torch).
            const auto base = static_cast<float>(c.value("rope_theta", 10000.0));
            const auto factor = static_cast<float>(rs.value("factor", 8.0));
            const auto lowFactor = static_cast<float>(rs.value("low_freq_factor", 1.0));
            const auto highFactor = static_cast<float>(rs.value("high_freq_factor", 4.0));
            const double original = rs.value("original_max_position_embeddings", 8192.0);
            const double lowWavelen = original / lowFactor;
            const double highWavelen = original / highFactor;
            for (std::uint32_t i = 0; i < headDim; i += 2) {
                const float exponent = static_cast<float>(i) / static_cast<float>(headDim);
                const float freq = 1.0f / std::pow(base, exponent);
                const double wavelen = 2.0 * 3.141592653589793 / static_cast<double>(freq);
                double value = 1.0;
                if (wavelen > lowWavelen) {
                    value = factor;
                } else if (wavelen >= highWavelen) {
                    const double smooth =
                        (original / wavelen - lowFactor) / (highFactor - lowFactor);
                    value = 1.0 / ((1.0 - smooth) / factor + smooth);
                }
                arch.ropeFreqs.push_back(static_cast<float>(value));
            }
        } else if ((type == "longrope" || type == "su") && rs.contains("long_factor") &&
                   rs.contains("short_factor")) {
            arch.ropeFactorsLong = rs["long_factor"].get<std::vector<float>>();
            arch.ropeFactorsShort = rs["short_factor"].get<std::vector<float>>();
            if (arch.ropeFactorsLong.size() != headDim / 2 ||
                arch.ropeFactorsShort.size() != headDim / 2) {
                return makeError(ErrorCode::Format,
                                 configPath + ": rope_scaling long_factor and short_factor need " +
                                     std::to_string(headDim / 2) + " values (half the head size)");
            }
            // convert_hf_to_gguf's attention factor for the extended context.
            const double original = c.value("original_max_position_embeddings", 0.0);
            const double scale =
                original > 0 ? c.value("max_position_embeddings", 0.0) / original : 1.0;
            const double attnFactor =
                scale > 1.0 ? std::sqrt(1.0 + std::log(scale) / std::log(original)) : 1.0;
            md.set(p + "rope.scaling.attn_factor", MetaValue(static_cast<float>(attnFactor)));
        } else if (!type.empty() && type != "default") {
            coreLog().warn("{}: rope_scaling type '{}' is not carried into GGUF metadata",
                           configPath, type);
        }
    }
    return arch;
}

} // namespace

namespace {

// The experts of a mixture-of-experts checkpoint, one 2-D tensor per expert and linear, gathered
// over all shards and then stacked into GGUF's 3-D tensors: one piece per expert, expert 0 first
// (convert_hf_to_gguf's torch.stack(dim=0)), so nothing is copied.
class ExpertStacks {
public:
    Status add(const HfExpertTensor& e, const SafetensorsTensor& s, std::uint32_t source,
               const std::string& path) {
        auto& pieces = m_stacks[e.ggufName];
        if (pieces.count(e.expert)) {
            return makeError(ErrorCode::Format,
                             path + ": tensor '" + s.name + "' appears in more than one shard");
        }
        pieces[e.expert] = Piece{s, source, path};
        return {};
    }

    // Checks every stack against config.json (expert count, all experts present, one shape and
    // dtype) and appends the stacked tensors.
    Status stack(const HfArchitecture& arch, const std::string& configPath,
                 std::vector<TensorInfo>& tensors, std::set<std::string>& names) const {
        const HfFamily& family = *arch.family;
        const std::string countKey(family.expertCountKey);
        for (const auto& [ggufName, pieces] : m_stacks) {
            const auto last = std::prev(pieces.end());
            if (last->first >= static_cast<int>(arch.expertCount)) {
                return makeError(ErrorCode::Format, last->second.path + ": tensor '" +
                                                        last->second.tensor.name + "' is expert " +
                                                        std::to_string(last->first) + ", but " +
                                                        configPath + " has " + countKey + " = " +
                                                        std::to_string(arch.expertCount));
            }
            for (std::uint32_t e = 0; e < arch.expertCount; ++e) {
                if (!pieces.count(static_cast<int>(e))) {
                    return makeError(
                        ErrorCode::Format,
                        "tensor '" +
                            hfExpertName(family, ggufName, static_cast<int>(e)).value_or(ggufName) +
                            "' is in none of the shards, but " + configPath + " has " + countKey +
                            " = " + std::to_string(arch.expertCount) + " (found " +
                            std::to_string(pieces.size()) + " experts of " + ggufName + ")");
                }
            }
            const Piece& first = pieces.begin()->second;
            const auto type = ggmlTypeForDtype(first.tensor.dtype);
            if (!type) {
                return makeError(ErrorCode::Unsupported,
                                 first.path + ": tensor '" + first.tensor.name + "' has dtype " +
                                     first.tensor.dtype + ", which GGUF cannot store");
            }
            TensorInfo t;
            t.name = ggufName;
            t.sourceName = hfExpertName(family, ggufName, 0).value_or(ggufName);
            t.sourceName.replace(t.sourceName.find(family.expertPrefix) +
                                     family.expertPrefix.size(),
                                 1, "{0.." + std::to_string(arch.expertCount - 1) + "}");
            for (const auto& [expert, piece] : pieces) {
                if (piece.tensor.shape.size() != 2 || piece.tensor.shape != first.tensor.shape ||
                    piece.tensor.dtype != first.tensor.dtype) {
                    return makeError(ErrorCode::Format,
                                     piece.path + ": tensor '" + piece.tensor.name +
                                         "' differs in shape or dtype from '" + first.tensor.name +
                                         "' (experts are stacked into one tensor)");
                }
                t.parts.push_back(
                    {piece.source, piece.tensor.offset, piece.tensor.byteSize, piece.tensor.name});
                t.byteSize += piece.tensor.byteSize;
            }
            // HF [rows, cols] per expert; GGUF lists ne0 first: [cols, rows, experts].
            t.dims = {first.tensor.shape[1], first.tensor.shape[0], arch.expertCount};
            t.type = *type;
            t.source = first.source;
            t.offset = first.tensor.offset;
            names.insert(t.name);
            tensors.push_back(std::move(t));
        }
        // A layer without one of its stacked tensors: name the first piece it lacks.
        std::set<std::string> layers;
        for (const auto& [ggufName, pieces] : m_stacks) {
            layers.insert(ggufName.substr(0, ggufName.find('.', 4) + 1));
        }
        for (const auto& layer : layers) {
            for (const auto& [hf, gguf] : family.expertNames) {
                const std::string name = layer + std::string(gguf);
                if (!m_stacks.count(name)) {
                    return makeError(ErrorCode::Format,
                                     "tensor '" + hfExpertName(family, name, 0).value_or(name) +
                                         "' is in none of the shards (" + configPath + " has " +
                                         countKey + " = " + std::to_string(arch.expertCount) + ")");
                }
            }
        }
        return {};
    }

private:
    struct Piece {
        SafetensorsTensor tensor;
        std::uint32_t source = 0;
        std::string path;
    };
    std::map<std::string, std::map<int, Piece>> m_stacks; // GGUF name -> expert -> piece
};

} // namespace

Result<HfArchitecture> readHfConfig(const std::string& configPath, Metadata& md) {
    QS_TRY_ASSIGN(c, readJsonFile(configPath));
    // nlohmann throws on a value of the wrong JSON type (a string rope_theta, ...).
    try {
        return parseHfConfig(c, configPath, md);
    } catch (const nlohmann::json::exception& e) {
        return makeError(ErrorCode::Format, configPath + ": " + e.what());
    }
}

Result<Model> readHfFolder(const std::string& folder) {
    const fs::path dir(folder);
    const std::string configPath = (dir / "config.json").string();
    Metadata md;
    QS_TRY_ASSIGN(arch, readHfConfig(configPath, md));
    QS_TRY_ASSIGN(files, shardFiles(dir));
    // GPTQ / AWQ checkpoints: their linears are dequantized on load (quantized_import.h).
    std::string quantConfig;
    {
        QS_TRY_ASSIGN(configJson, readJsonFile(configPath));
        if (configJson.contains("quantization_config") &&
            configJson["quantization_config"].is_object()) {
            quantConfig = configJson["quantization_config"].dump();
        }
    }
    std::map<std::string, QuantizedLinearParts> quantized;
    ExpertStacks experts;

    std::vector<std::shared_ptr<const MappedFile>> sources;
    std::vector<TensorInfo> tensors;
    std::set<std::string> names;
    for (const auto& path : files) {
        QS_TRY_ASSIGN(st, readSafetensors(path));
        const auto source = static_cast<std::uint32_t>(sources.size());
        sources.push_back(st.file);
        for (const auto& s : st.tensors) {
            if (s.name.ends_with("rotary_emb.inv_freq")) {
                continue; // recomputed by every runtime; convert_hf_to_gguf drops it too
            }
            std::string qPrefix, qPart;
            if (!quantConfig.empty() && splitQuantizedName(s.name, qPrefix, qPart)) {
                quantized[qPrefix].parts[qPart] = {s, st.file};
                continue;
            }
            if (auto expert = hfExpertTensor(*arch.family, s.name)) {
                QS_TRY(experts.add(*expert, s, source, path));
                continue;
            }
            const auto gguf = hfToGgufName(*arch.family, s.name);
            if (!gguf) {
                return makeError(ErrorCode::Unsupported, path + ": tensor '" + s.name +
                                                             "' has no GGUF name in the " +
                                                             arch.ggufArchitecture + " layout");
            }
            const auto type = ggmlTypeForDtype(s.dtype);
            if (!type) {
                return makeError(ErrorCode::Unsupported, path + ": tensor '" + s.name +
                                                             "' has dtype " + s.dtype +
                                                             ", which GGUF cannot store");
            }
            if (!names.insert(*gguf).second) {
                return makeError(ErrorCode::Format,
                                 path + ": tensor '" + s.name + "' appears in more than one shard");
            }
            if (s.shape.empty() || s.shape.size() > 4) {
                return makeError(ErrorCode::Format, path + ": tensor '" + s.name + "' has " +
                                                        std::to_string(s.shape.size()) +
                                                        " dimensions");
            }
            TensorInfo t;
            t.name = *gguf;
            t.sourceName = s.name;
            t.dims.assign(s.shape.rbegin(), s.shape.rend()); // GGUF lists ne0 (innermost) first
            t.type = *type;
            t.byteSize = s.byteSize;
            t.source = source;
            t.offset = s.offset;
            t.normPlusOne = isShiftedNorm(*arch.family, t.name);
            if (arch.permuteQK) {
                // K uses the KV head count (convert_hf_to_gguf: n_head = n_head_kv if they differ).
                if (s.name.find("self_attn.q_proj.") != std::string::npos) {
                    t.permuteHeads = arch.headCount;
                } else if (s.name.find("self_attn.k_proj.") != std::string::npos) {
                    t.permuteHeads = arch.headCountKv;
                }
            }
            tensors.push_back(std::move(t));
        }
    }
    if (!quantized.empty()) {
        const auto before = tensors.size();
        std::vector<SafetensorsTensor> expertPieces;
        if (auto st = importQuantizedLinears(folder, quantConfig, arch, quantized, sources, tensors,
                                             expertPieces);
            !st) {
            return st.error();
        }
        // Dequantized experts live in the importer's mapping, the last source.
        const std::string mapping = folder + " (dequantized experts)";
        for (const SafetensorsTensor& piece : expertPieces) {
            QS_TRY(experts.add(*hfExpertTensor(*arch.family, piece.name), piece,
                               static_cast<std::uint32_t>(sources.size() - 1), mapping));
        }
        for (auto i = before; i < tensors.size(); ++i) {
            if (!names.insert(tensors[i].name).second) {
                return makeError(ErrorCode::Format,
                                 folder + ": tensor '" + tensors[i].sourceName + "' appears twice");
            }
        }
    }
    QS_TRY(experts.stack(arch, configPath, tensors, names));
    if (!arch.ropeFactorsLong.empty()) {
        // Tensors of the config's numbers, in memory, as convert_hf_to_gguf generates them.
        const std::uint64_t n = arch.ropeFactorsLong.size();
        const auto source = static_cast<std::uint32_t>(sources.size());
        auto mapped = MappedFile::anonymous(
            folder + " (rope factors)", 2 * n * sizeof(float),
            [&](std::span<std::byte> bytes) -> Status {
                std::memcpy(bytes.data(), arch.ropeFactorsLong.data(), n * sizeof(float));
                std::memcpy(bytes.data() + n * sizeof(float), arch.ropeFactorsShort.data(),
                            n * sizeof(float));
                return {};
            });
        if (!mapped) {
            return mapped.error();
        }
        sources.push_back(*mapped);
        const char* const factorNames[] = {"rope_factors_long.weight", "rope_factors_short.weight"};
        for (std::uint64_t k = 0; k < 2; ++k) {
            TensorInfo t;
            t.name = t.sourceName = factorNames[k];
            t.dims = {n};
            t.type = GgmlType::F32;
            t.byteSize = n * sizeof(float);
            t.source = source;
            t.offset = k * t.byteSize;
            names.insert(t.name);
            tensors.push_back(std::move(t));
        }
    }
    if (!arch.ropeFreqs.empty()) {
        const std::uint64_t n = arch.ropeFreqs.size();
        auto mapped = MappedFile::anonymous(
            folder + " (rope_freqs)", n * sizeof(float), [&](std::span<std::byte> bytes) -> Status {
                std::memcpy(bytes.data(), arch.ropeFreqs.data(), n * sizeof(float));
                return {};
            });
        if (!mapped) {
            return mapped.error();
        }
        TensorInfo t;
        t.name = t.sourceName = "rope_freqs.weight";
        t.dims = {n};
        t.type = GgmlType::F32;
        t.byteSize = n * sizeof(float);
        t.source = static_cast<std::uint32_t>(sources.size());
        sources.push_back(*mapped);
        names.insert(t.name);
        tensors.push_back(std::move(t));
    }
    if (!names.count("token_embd.weight")) {
        return makeError(ErrorCode::Format, folder + ": no model.embed_tokens.weight tensor");
    }
    if (!arch.tiedEmbeddings && !names.count("output.weight")) {
        coreLog().warn("{}: no lm_head.weight although tie_word_embeddings is false; llama.cpp "
                       "will use the token embedding",
                       folder);
    }
    // Canonical order: globals, then layers by index, each in llama.cpp's converter order.
    const HfFamily& family = *arch.family;
    std::stable_sort(tensors.begin(), tensors.end(), [&](const TensorInfo& a, const TensorInfo& b) {
        const auto la = tensorLayerIndex(a.name).value_or(-1);
        const auto lb = tensorLayerIndex(b.name).value_or(-1);
        if (la != lb) {
            return la < lb;
        }
        if (la < 0) {
            return globalRank(a.name) < globalRank(b.name);
        }
        return layerRank(family, a.name) < layerRank(family, b.name);
    });

    const auto tokenizer = dir / "tokenizer.json";
    if (fs::exists(tokenizer)) {
        if (auto s = readHfTokenizer(tokenizer.string(), arch, configPath, md); !s) {
            return s.error();
        }
    } else {
        coreLog().warn("{}: no tokenizer.json; the model has no vocabulary", folder);
    }
    // All-F32 / mostly-F16 / mostly-BF16 by the type of the first matrix.
    for (const auto& t : tensors) {
        if (t.dims.size() >= 2) {
            const std::uint32_t ftype = t.type == GgmlType::F16    ? 1
                                        : t.type == GgmlType::BF16 ? 32
                                                                   : 0;
            md.set("general.file_type", MetaValue(ftype));
            break;
        }
    }
    Model model(ModelFormat::Safetensors, folder, std::move(sources), std::move(md),
                std::move(tensors));
    // config.json is free text: a layer count or width it claims must match the tensors before
    // anything (inspect, convert, evaluation) is sized from it.
    if (auto s = checkHyperparameters(model, configPath); !s) {
        return s.error();
    }
    return model;
}

} // namespace qs::core
