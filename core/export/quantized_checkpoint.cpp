#include "core/export/quantized_checkpoint.h"

#include "core/io/hf_names.h"
#include "core/io/hf_tokenizer_writer.h"
#include "core/io/safetensors_writer.h"
#include "core/logging.h"
#include "core/model/model.h"
#include "core/quant/format_registry.h"
#include "core/quant/half.h"
#include "core/quant/packing.h"
#include "core/try.h"

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace qs::core {

namespace fs = std::filesystem;

Result<nlohmann::json> readJsonFile(const std::string& path); // core/io/hf_reader.cpp

namespace {

template <typename T>
std::vector<std::byte> toBytes(const std::vector<T>& v) {
    std::vector<std::byte> out(v.size() * sizeof(T));
    std::memcpy(out.data(), v.data(), out.size());
    return out;
}

std::vector<std::byte> toF16Bytes(const std::vector<float>& v) {
    std::vector<std::uint16_t> h(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
        h[i] = fp32ToFp16(v[i]);
    }
    return toBytes(h);
}

bool isQk(const std::string& ggufName) {
    return ggufName.ends_with(".attn_q.weight") || ggufName.ends_with(".attn_k.weight");
}

// Q/K biases had their rows permuted with the weights (convert_hf_to_gguf permutes q_proj.bias
// and k_proj.bias too): they go back to rotate-half order as well.
bool isQkBias(const std::string& ggufName) {
    return ggufName.ends_with(".attn_q.bias") || ggufName.ends_with(".attn_k.bias");
}

// Whether the model is a mixture of experts ({arch}.expert_count > 0).
bool hasExperts(const Model& source) {
    const LlamaHParams hp = source.hparams();
    return source.metadata().integer(hp.architecture + ".expert_count").value_or(0) > 0;
}

// The router's module name inside a layer ("mlp.gate", "block_sparse_moe.gate"): what
// modules_to_not_convert lists, as transformers matches it against module names.
std::string routerModule(const HfFamily& family) {
    std::string name = ggufToHfName(family, "blk.0.ffn_gate_inp.weight").value_or("");
    const std::string layer = "model.layers.0.";
    if (name.starts_with(layer) && name.ends_with(".weight")) {
        return name.substr(layer.size(), name.size() - layer.size() - 7);
    }
    return {};
}

// The HF module of each expert that calibration gave too few tokens (quantized with RTN), with
// its token count: "model.layers.1.mlp.experts.5 (3 tokens)".
std::vector<std::string> rtnExpertModules(const CalibratedQuantization& q, const HfFamily* family) {
    std::vector<std::string> out;
    std::set<std::pair<std::string, int>> seen;
    for (const LinearQuantReport& r : q.reports) {
        if (!r.rtnFallback) {
            continue;
        }
        const std::string layer = r.name.substr(0, r.name.find('.', 4)); // "blk.N"
        if (!seen.insert({layer, r.expert}).second) {
            continue;
        }
        std::string module = layer + " expert " + std::to_string(r.expert);
        if (family) {
            const std::string stacked = r.name.substr(0, r.name.find('#'));
            if (auto hf = hfExpertName(*family, stacked, r.expert)) {
                module = hf->substr(0, hf->rfind('.', hf->size() - 8)); // drop ".w1.weight"
            }
        }
        out.push_back(module + " (" + std::to_string(r.tokens) + " tokens)");
    }
    return out;
}

nlohmann::ordered_json quantizationConfig(const CalibratedQuantization& q,
                                          const QuantizedCheckpointOptions& o,
                                          const std::string& sourceName, const HfFamily* family) {
    nlohmann::ordered_json c;
    // The router of a mixture of experts is never quantized.
    nlohmann::ordered_json notConverted = nullptr;
    if (family && family->hasExperts()) {
        notConverted = nlohmann::ordered_json::array({routerModule(*family)});
    }
    const auto rtnExperts = rtnExpertModules(q, family);
    if (q.method == CalibratedMethod::Awq) {
        c["quant_method"] = "awq";
        c["zero_point"] = !q.options.sym;
        c["group_size"] = q.options.groupSize;
        c["bits"] = q.options.bits;
        c["version"] = "gemm";
        c["modules_to_not_convert"] = notConverted;
        if (!rtnExperts.empty()) {
            c["meta"] = {{"quantizer", {"quantscope"}},
                         {"rtn_experts", rtnExperts},
                         {"min_expert_tokens", q.minExpertTokens}};
        }
        return c;
    }
    c["quant_method"] = "gptq";
    c["bits"] = q.options.bits;
    c["group_size"] = q.options.groupSize;
    c["desc_act"] = q.options.descAct;
    c["sym"] = q.options.sym;
    c["damp_percent"] = q.options.dampPercent;
    c["static_groups"] = false;
    // Blocks are quantized in sequence; the linears inside one block share its inputs.
    c["true_sequential"] = false;
    c["lm_head"] = false;
    c["checkpoint_format"] = o.format;
    if (o.format == "gptq_v2") {
        // GPTQModel and vLLM read checkpoint_format, optimum (transformers) reads format; a v1
        // config without `format` already means v1 to all of them.
        c["format"] = o.format;
    }
    c["model_name_or_path"] = sourceName;
    c["model_file_base_name"] = "model";
    c["pack_dtype"] = "int32";
    c["meta"] = {{"quantizer", {"quantscope"}},
                 {"method", q.method == CalibratedMethod::Rtn ? "rtn" : "gptq"},
                 {"calibration_tokens", q.calibrationTokens}};
    if (!notConverted.is_null()) {
        c["modules_to_not_convert"] = notConverted;
    }
    if (!rtnExperts.empty()) {
        // Experts the router sent fewer than min_expert_tokens calibration tokens: RTN.
        c["meta"]["rtn_experts"] = rtnExperts;
        c["meta"]["min_expert_tokens"] = q.minExpertTokens;
    }
    return c;
}

Result<nlohmann::ordered_json> modelConfig(const Model& source) {
    if (source.format() == ModelFormat::Safetensors) {
        auto c = readJsonFile((fs::path(source.path()) / "config.json").string());
        if (!c) {
            return c.error();
        }
        // Keep the source's key order.
        return nlohmann::ordered_json::parse(c->dump());
    }
    const LlamaHParams hp = source.hparams();
    const HfFamily* family = hfFamilyByArchitecture(hp.architecture, hasExperts(source));
    if (!family) {
        return makeError(ErrorCode::Unsupported, source.path() + ": architecture \"" +
                                                     hp.architecture +
                                                     "\" has no Hugging Face class to export as (" +
                                                     supportedHfClasses() + ")");
    }
    const std::string p = hp.architecture + ".";
    nlohmann::ordered_json c;
    c["architectures"] = {std::string(family->hfClass)};
    c["model_type"] = std::string(family->modelType);
    c["hidden_size"] = hp.embeddingLength;
    c["intermediate_size"] = hp.feedForwardLength;
    c["num_hidden_layers"] = hp.blockCount;
    c["num_attention_heads"] = hp.headCount;
    c["num_key_value_heads"] = hp.headCountKv;
    const auto keyLength = source.metadata().integer(p + "attention.key_length");
    c["head_dim"] = keyLength ? static_cast<std::uint32_t>(*keyLength)
                              : hp.embeddingLength / std::max<std::uint32_t>(1, hp.headCount);
    const TensorInfo* embd = source.findTensor("token_embd.weight");
    c["vocab_size"] = hp.vocabSize != 0 ? static_cast<std::uint64_t>(hp.vocabSize)
                                        : (embd && embd->dims.size() == 2 ? embd->dims[1] : 0);
    c["max_position_embeddings"] = hp.contextLength;
    c["rms_norm_eps"] = hp.rmsEpsilon > 0 ? hp.rmsEpsilon : 1e-5f;
    c["rope_theta"] = hp.ropeFreqBase;
    const bool gemma = hp.architecture == "gemma3";
    c["hidden_act"] = gemma ? "gelu_pytorch_tanh" : "silu";
    c["tie_word_embeddings"] = source.tiedEmbeddings();
    c["attention_bias"] = source.findTensor("blk.0.attn_q.bias") != nullptr;
    c["mlp_bias"] = false;
    if (const auto window = source.metadata().integer(p + "attention.sliding_window")) {
        c["sliding_window"] = *window;
    }
    if (gemma) {
        c["hidden_activation"] = "gelu_pytorch_tanh";
        c["query_pre_attn_scalar"] = c["head_dim"];
        if (const auto swa = source.metadata().number(p + "rope.freq_base_swa")) {
            c["rope_local_base_freq"] = *swa;
        }
    }
    if (family->hasExperts()) {
        // convert_hf_to_gguf's keys read back (hf_reader).
        if (const auto n = source.metadata().integer(p + "expert_count")) {
            c[std::string(family->expertCountKey)] = *n;
        }
        if (const auto n = source.metadata().integer(p + "expert_used_count")) {
            c["num_experts_per_tok"] = *n;
        }
        if (const auto n = source.metadata().integer(p + "expert_feed_forward_length")) {
            c["moe_intermediate_size"] = *n;
            c["norm_topk_prob"] = true;
        }
    }
    if (auto v = source.metadata().integer("tokenizer.ggml.bos_token_id")) {
        c["bos_token_id"] = *v;
    }
    if (auto v = source.metadata().integer("tokenizer.ggml.eos_token_id")) {
        c["eos_token_id"] = *v;
    }
    return c;
}

// The packed tensors of one linear under HF name `hfName` ("....weight"): AutoAWQ GEMM's
// qweight/qzeros/scales, or AutoGPTQ's with g_idx.
Status appendPacked(std::vector<SafetensorsEntry>& entries, const QuantizedLinear& lin,
                    const std::string& hfName, bool awq, bool v2) {
    const std::string prefix = hfName.substr(0, hfName.size() - std::string(".weight").size());
    const auto in = static_cast<std::uint64_t>(lin.cols);
    const auto out = static_cast<std::uint64_t>(lin.rows);
    const auto groups = static_cast<std::uint64_t>(lin.groups());
    if (awq) {
        QS_TRY_ASSIGN(p, packAwq(lin));
        entries.push_back({prefix + ".qweight", "I32", {in, out / 8}, toBytes(p.qweight)});
        entries.push_back({prefix + ".qzeros", "I32", {groups, out / 8}, toBytes(p.qzeros)});
        entries.push_back({prefix + ".scales", "F16", {groups, out}, toBytes(p.scales)});
        return {};
    }
    QS_TRY_ASSIGN(p, packGptq(lin, v2));
    const auto bits = static_cast<std::uint64_t>(lin.bits);
    entries.push_back({prefix + ".qweight", "I32", {in * bits / 32, out}, toBytes(p.qweight)});
    entries.push_back({prefix + ".qzeros", "I32", {groups, out * bits / 32}, toBytes(p.qzeros)});
    entries.push_back({prefix + ".scales", "F16", {groups, out}, toBytes(p.scales)});
    entries.push_back({prefix + ".g_idx", "I32", {in}, toBytes(p.gIdx)});
    return {};
}

Status writeText(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
        return makeError(ErrorCode::Io, path.string() + ": write failed");
    }
    return {};
}

Status buildFolder(const Model& source, const CalibratedQuantization& q, const fs::path& dir,
                   const QuantizedCheckpointOptions& o, CancelToken& cancel,
                   ProgressSink& progress) {
    const bool awq = q.method == CalibratedMethod::Awq;
    const LlamaHParams hp = source.hparams();
    const HfFamily* family = hfFamilyByArchitecture(hp.architecture, hasExperts(source));
    if (!family) {
        return makeError(ErrorCode::Unsupported,
                         source.path() + ": architecture \"" + hp.architecture +
                             "\" has no Hugging Face layout (" + supportedHfClasses() + ")");
    }
    const bool permute = family->permuteQK;
    const bool v2 = o.format == "gptq_v2";
    std::vector<SafetensorsEntry> entries;
    const auto& tensors = source.tensors();
    std::uint64_t done = 0;
    for (const auto& t : tensors) {
        if (cancel.isCancelled()) {
            return makeError(ErrorCode::Cancelled, "checkpoint export cancelled");
        }
        progress.progress(done++, tensors.size(), "tensors", t.name);
        if (t.dims.size() == 3 && family->hasExperts()) {
            // A stacked expert tensor: one HF linear per expert (block_sparse_moe.experts.E.w1,
            // mlp.experts.E.gate_proj, ...), packed as calibrated or, if the quantization has
            // none for it, in F16.
            const std::uint64_t experts = t.dims[2];
            const std::uint64_t rows = t.dims[1];
            for (std::uint64_t e = 0; e < experts; ++e) {
                const auto hf = hfExpertName(*family, t.name, static_cast<int>(e));
                if (!hf) {
                    return makeError(ErrorCode::Unsupported, source.path() + ": tensor " + t.name +
                                                                 " has no Hugging Face name");
                }
                const auto it = q.linears.find(expertLinearKey(t.name, static_cast<int>(e)));
                if (it != q.linears.end()) {
                    QS_TRY(appendPacked(entries, it->second, *hf, awq, v2));
                    continue;
                }
                std::vector<std::byte> raw(t.byteSize / experts);
                QS_TRY(source.readGgmlRows(t, e * rows, rows, raw));
                std::vector<float> values(rows * t.dims[0]);
                QS_TRY(dequantizeRow(t.type, raw.data(), values.data(),
                                     static_cast<std::int64_t>(values.size())));
                entries.push_back({*hf, "F16", {rows, t.dims[0]}, toF16Bytes(values)});
            }
            continue;
        }
        std::string hfName =
            t.sourceName != t.name ? t.sourceName : ggufToHfName(*family, t.name).value_or("");
        if (hfName.empty()) {
            return makeError(ErrorCode::Unsupported,
                             source.path() + ": tensor " + t.name + " has no Hugging Face name");
        }
        const bool isK = t.name.ends_with(".attn_k.weight") || t.name.ends_with(".attn_k.bias");
        const int heads = isK ? static_cast<int>(hp.headCountKv) : static_cast<int>(hp.headCount);
        if (auto it = q.linears.find(t.name); it != q.linears.end()) {
            QuantizedLinear lin = it->second;
            if (permute && isQk(t.name)) {
                permuteRowsGgufToHf(lin, heads);
            }
            if (auto st = appendPacked(entries, lin, hfName, awq, v2); !st) {
                return makeError(st.error().code, t.name + ": " + st.error().message);
            }
            continue;
        }
        std::vector<float> values;
        if (auto it = q.foldedNorms.find(t.name); it != q.foldedNorms.end()) {
            values = it->second;
        } else {
            std::vector<std::byte> raw(t.byteSize);
            if (auto st = source.readTensorData(t, raw); !st) {
                return st;
            }
            values.resize(t.elementCount());
            if (auto st = dequantizeRow(t.type, raw.data(), values.data(),
                                        static_cast<std::int64_t>(values.size()));
                !st) {
                return makeError(st.error().code, t.name + ": " + st.error().message);
            }
            if (permute && ((isQk(t.name) && t.dims.size() == 2) ||
                            (isQkBias(t.name) && t.dims.size() == 1))) {
                const auto cols = t.dims.size() == 2 ? t.dims[0] : 1;
                const auto rows = static_cast<int>(t.dims.back());
                const auto map = ggufToHfRows(rows, heads);
                std::vector<float> hf(values.size());
                for (int r = 0; r < rows; ++r) {
                    std::memcpy(hf.data() + map[r] * cols, values.data() + r * cols,
                                cols * sizeof(float));
                }
                values.swap(hf);
            }
        }
        if (isShiftedNorm(*family, t.name)) {
            // Gemma keeps w where GGUF (and an AWQ-folded norm) hold 1 + w.
            for (float& v : values) {
                v -= 1.0f;
            }
        }
        std::vector<std::uint64_t> shape(t.dims.rbegin(), t.dims.rend());
        entries.push_back({hfName, "F16", shape, toF16Bytes(values)});
    }
    if (auto st = writeSafetensorsFolder(dir.string(), entries, o.maxShardBytes, cancel); !st) {
        return st;
    }

    const std::string sourceName = fs::path(source.path()).filename().string();
    auto config = modelConfig(source);
    if (!config) {
        return config.error();
    }
    const auto qc = quantizationConfig(q, o, sourceName, family);
    (*config)["torch_dtype"] = "float16";
    (*config)["quantization_config"] = qc;
    if (auto st = writeText(dir / "config.json", config->dump(2) + "\n"); !st) {
        return st;
    }
    nlohmann::ordered_json qcFile = qc;
    if (awq) {
        qcFile = {{"zero_point", !q.options.sym},
                  {"q_group_size", q.options.groupSize},
                  {"w_bit", q.options.bits},
                  {"version", "GEMM"}};
    }
    if (auto st = writeText(dir / "quantize_config.json", qcFile.dump(2) + "\n"); !st) {
        return st;
    }

    std::string tokenizerFolder = o.tokenizerFolder;
    if (tokenizerFolder.empty() && source.format() == ModelFormat::Safetensors) {
        tokenizerFolder = source.path();
    }
    std::vector<std::string> copied;
    if (!tokenizerFolder.empty()) {
        for (const char* name :
             {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
              "tokenizer.model", "generation_config.json"}) {
            const fs::path from = fs::path(tokenizerFolder) / name;
            if (fs::exists(from)) {
                std::error_code ec;
                fs::copy_file(from, dir / name, ec);
                if (ec) {
                    return makeError(ErrorCode::Io,
                                     from.string() + ": copy failed: " + ec.message());
                }
                // Read-only sources (a shared model store) must not make the output read-only.
                fs::permissions(dir / name, fs::perms::owner_write, fs::perm_options::add, ec);
                copied.push_back(name);
            }
        }
    } else if (source.format() == ModelFormat::Gguf) {
        // No original tokenizer files: made from the GGUF vocabulary, so that AutoTokenizer and
        // vLLM load the folder (SentencePiece and byte-level BPE vocabularies). A vocabulary
        // whose pre-tokenizer is unknown gets none rather than a guess, and a warning says why.
        auto files = hfTokenizerFromGguf(source.metadata(), source.hparams().contextLength);
        if (files) {
            for (const auto& [name, text] :
                 {std::pair{"tokenizer.json", &files->tokenizerJson},
                  std::pair{"tokenizer_config.json", &files->tokenizerConfig},
                  std::pair{"special_tokens_map.json", &files->specialTokensMap}}) {
                if (auto st = writeText(dir / name, *text); !st) {
                    return st;
                }
                copied.push_back(name);
            }
        } else {
            coreLog().warn("{}: no tokenizer files written ({}); copy them from the original "
                           "model or give a tokenizer folder",
                           source.path(), files.error().message);
        }
    }

    std::string card = "# " + sourceName + " (" + (awq ? "AWQ" : "GPTQ") + ")\n\n";
    card += "Quantized by Quantscope from `" + sourceName + "`.\n\n";
    card += "- method: " +
            std::string(awq ? "AWQ (activation-aware scales, clipping search)"
                        : q.method == CalibratedMethod::Rtn
                            ? "round-to-nearest (no calibration), GPTQ layout"
                            : "GPTQ") +
            "\n";
    card += "- bits: " + std::to_string(q.options.bits) +
            ", group size: " + std::to_string(q.options.groupSize) + ", " +
            (q.options.sym ? "symmetric" : "asymmetric") +
            (awq ? "" : std::string(", desc_act: ") + (q.options.descAct ? "true" : "false")) +
            "\n";
    card += "- checkpoint format: " + o.format + "\n";
    card += "- calibration tokens: " + std::to_string(q.calibrationTokens) + "\n";
    card += std::string("- not quantized (F16): embeddings, norms, lm_head") +
            (family->hasExperts() ? ", the experts' router (" + routerModule(*family) + ")" : "") +
            "\n";
    if (const auto rtn = rtnExpertModules(q, family); !rtn.empty()) {
        card += "- experts calibrated on fewer than " + std::to_string(q.minExpertTokens) +
                " routed tokens, quantized with round-to-nearest instead:";
        for (const auto& m : rtn) {
            card += " " + m + (&m == &rtn.back() ? "" : ",");
        }
        card += "\n";
    }
    if (copied.empty()) {
        card += "- tokenizer: none written (the source had no Hugging Face tokenizer files)\n";
    }
    if (!q.reports.empty()) {
        double sum = 0, sumRtn = 0;
        for (const auto& r : q.reports) {
            sum += r.error;
            sumRtn += r.rtnError;
        }
        char line[160];
        std::snprintf(line, sizeof(line),
                      "- mean relative layer-output error on calibration data: %.6f (RTN: %.6f)\n",
                      sum / q.reports.size(), sumRtn / q.reports.size());
        card += line;
    }
    return writeText(dir / "README.md", card);
}

} // namespace

std::string gptqCheckpointFormat(const std::string& requested, bool sym) {
    if (sym || requested != "gptq") {
        return requested;
    }
    coreLog().info("asymmetric GPTQ is written as gptq_v2, not gptq (v1): GPTQModel loads "
                   "asymmetric v1 checkpoints only when they name GPTQModel as their quantizer, "
                   "and v1 stores zero - 1, which cannot hold a zero point of 0");
    return "gptq_v2";
}

Status writeQuantizedCheckpoint(const Model& source, const CalibratedQuantization& quantization,
                                const std::string& outDir,
                                const QuantizedCheckpointOptions& options, CancelToken& cancel,
                                ProgressSink& progress) {
    const bool awq = quantization.method == CalibratedMethod::Awq;
    if (awq ? options.format != "gemm"
            : (options.format != "gptq" && options.format != "gptq_v2")) {
        return makeError(ErrorCode::InvalidArgument,
                         "checkpoint format '" + options.format + "' does not fit the method");
    }
    QuantizedCheckpointOptions written = options;
    if (!awq) {
        written.format = gptqCheckpointFormat(options.format, quantization.options.sym);
    }
    const fs::path out(outDir);
    std::error_code ec;
    if (fs::exists(out, ec)) {
        if (!fs::is_directory(out) || !fs::is_empty(out, ec)) {
            return makeError(ErrorCode::InvalidArgument,
                             outDir + ": already exists and is not an empty folder");
        }
    }
    const fs::path parent = out.has_parent_path() ? out.parent_path() : fs::path(".");
    const fs::path temp = parent / (out.filename().string() + ".tmp-" + std::to_string(::getpid()));
    fs::remove_all(temp, ec);
    if (!fs::create_directories(temp, ec)) {
        return makeError(ErrorCode::Io, temp.string() + ": cannot create folder: " + ec.message());
    }
    auto st = buildFolder(source, quantization, temp, written, cancel, progress);
    if (st) {
        fs::remove(out, ec); // an empty folder may stand in the way of the rename
        fs::rename(temp, out, ec);
        if (ec) {
            st = makeError(ErrorCode::Io,
                           outDir + ": cannot rename the finished folder: " + ec.message());
        }
    }
    if (!st) {
        fs::remove_all(temp, ec);
        return st;
    }
    return {};
}

} // namespace qs::core
