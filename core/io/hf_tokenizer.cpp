#include "core/io/bpe_pre_tokenizer.h"
#include "core/io/hf_reader.h"
#include "core/logging.h"
#include "core/try.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace qs::core {

Result<nlohmann::json> readJsonFile(const std::string& path); // hf_reader.cpp

namespace {

// llama.cpp token types.
enum TokenType : std::int32_t {
    kNormal = 1,
    kUnknown = 2,
    kControl = 3,
    kUserDefined = 4,
    kUnused = 5,
    kByte = 6
};

bool isByteToken(const std::string& t) {
    return t.size() == 6 && t.starts_with("<0x") && t[5] == '>' &&
           std::isxdigit(static_cast<unsigned char>(t[3])) &&
           std::isxdigit(static_cast<unsigned char>(t[4]));
}

std::optional<std::uint32_t> tokenIdOf(const nlohmann::json& c, const char* key) {
    if (c.contains(key) && c[key].is_number_unsigned()) {
        return static_cast<std::uint32_t>(c[key].get<std::uint64_t>());
    }
    // Some configs give a list (e.g. several EOS ids); llama.cpp takes one.
    if (c.contains(key) && c[key].is_array() && !c[key].empty() && c[key][0].is_number_unsigned()) {
        return static_cast<std::uint32_t>(c[key][0].get<std::uint64_t>());
    }
    return std::nullopt;
}

Status parseTokenizer(const nlohmann::json& tj, const std::string& path, const HfArchitecture& arch,
                      const nlohmann::json& config, const nlohmann::json& tokenizerConfig,
                      Metadata& md) {
    const auto& model = tj.at("model");
    if (model.value("type", std::string()) != "BPE") {
        return makeError(ErrorCode::Unsupported, path + ": tokenizer model type '" +
                                                     model.value("type", std::string()) +
                                                     "' is not supported (BPE is)");
    }
    const bool spm = model.value("byte_fallback", false);
    const auto& vocab = model.at("vocab");
    // Ids beyond 2^24 are hostile; bounding them first keeps the vectors below small.
    constexpr std::uint64_t kMaxVocab = 1u << 24;
    std::size_t size = std::min<std::uint64_t>(arch.vocabSize, kMaxVocab);
    auto grow = [&](std::uint64_t id) {
        if (id >= kMaxVocab) {
            return false;
        }
        size = std::max<std::size_t>(size, id + 1);
        return true;
    };
    bool plausible = true;
    for (const auto& [text, id] : vocab.items()) {
        plausible = plausible && grow(id.get<std::uint64_t>());
    }
    if (tj.contains("added_tokens")) {
        for (const auto& t : tj["added_tokens"]) {
            plausible = plausible && grow(t.at("id").get<std::uint64_t>());
        }
    }
    if (!plausible) {
        return makeError(ErrorCode::Format, path + ": a token id is 2^24 or more");
    }
    std::vector<std::string> tokens(size);
    std::vector<std::int32_t> types(size, kUnused);
    std::vector<bool> present(size, false);
    for (const auto& [text, id] : vocab.items()) {
        const auto i = id.get<std::uint64_t>();
        tokens[i] = text;
        types[i] = spm && isByteToken(text) ? kByte : kNormal;
        present[i] = true;
    }
    const std::string unk = model.contains("unk_token") && model["unk_token"].is_string()
                                ? model["unk_token"].get<std::string>()
                                : std::string();
    if (tj.contains("added_tokens")) {
        for (const auto& t : tj["added_tokens"]) {
            const auto i = t.at("id").get<std::uint64_t>();
            tokens[i] = t.at("content").get<std::string>();
            types[i] = !t.value("special", false) ? kUserDefined
                       : tokens[i] == unk         ? kUnknown
                                                  : kControl;
            present[i] = true;
        }
    }
    for (std::size_t i = 0; i < size; ++i) {
        if (!present[i]) {
            tokens[i] = "[PAD" + std::to_string(i) + "]"; // as convert_hf_to_gguf pads
        }
    }

    md.set("tokenizer.ggml.model", MetaValue(std::string(spm ? "llama" : "gpt2")));
    if (!spm) {
        // The pre-tokenizer's expression names it; convert_hf_to_gguf hashes a tokenization
        // instead, which gives the same names for these expressions.
        std::string pre;
        if (const auto known = byteLevelPreTokenizerOf(tj)) {
            pre = known->ggufName;
        } else {
            // llama.cpp tokenizes Qwen2 and Qwen3 with the "qwen2" pre-tokenizer.
            const bool qwen = arch.ggufArchitecture == "qwen2" || arch.ggufArchitecture == "qwen3";
            pre = qwen ? "qwen2" : "llama-bpe";
            coreLog().warn("{}: byte-level BPE pre-tokenizer not recognized; assumed to be '{}' "
                           "(from the architecture)",
                           path, pre);
        }
        md.set("tokenizer.ggml.pre", MetaValue(pre));
    }
    md.set("tokenizer.ggml.tokens", MetaValue(MetaArray::ofStrings(tokens)));
    if (spm) {
        // tokenizer.json has no scores. SentencePiece BPE scores pieces by rank, so rebuild
        // them as -(rank among normal pieces in id order); for tok512-derived files this is
        // exactly -(id - 259). Only relative order matters to llama.cpp's merges.
        std::vector<float> scores(size, 0.0f);
        float rank = 0.0f;
        for (std::size_t i = 0; i < size; ++i) {
            if (types[i] == kNormal) {
                scores[i] = -rank;
                rank += 1.0f;
            }
        }
        md.set("tokenizer.ggml.scores", MetaValue(MetaArray::ofFloat32(scores)));
    }
    md.set("tokenizer.ggml.token_type", MetaValue(MetaArray::ofInt32(types)));
    if (!spm) {
        std::vector<std::string> merges;
        for (const auto& m : model.at("merges")) {
            // Two spellings exist: "a b" (older) and ["a", "b"] (tokenizers >= 0.20).
            if (m.is_string()) {
                merges.push_back(m.get<std::string>());
            } else {
                merges.push_back(m.at(0).get<std::string>() + " " + m.at(1).get<std::string>());
            }
        }
        md.set("tokenizer.ggml.merges", MetaValue(MetaArray::ofStrings(std::move(merges))));
    }
    auto idOf = [&](const std::string& text) -> std::optional<std::uint32_t> {
        for (std::size_t i = 0; i < size; ++i) {
            if (tokens[i] == text) {
                return static_cast<std::uint32_t>(i);
            }
        }
        return std::nullopt;
    };
    if (const auto id = tokenIdOf(config, "bos_token_id")) {
        md.set("tokenizer.ggml.bos_token_id", MetaValue(*id));
    }
    if (const auto id = tokenIdOf(config, "eos_token_id")) {
        md.set("tokenizer.ggml.eos_token_id", MetaValue(*id));
    }
    if (!unk.empty()) {
        if (const auto id = idOf(unk)) {
            md.set("tokenizer.ggml.unknown_token_id", MetaValue(*id));
        }
    }
    if (const auto id = tokenIdOf(config, "pad_token_id")) {
        md.set("tokenizer.ggml.padding_token_id", MetaValue(*id));
    }
    for (const char* key : {"add_bos_token", "add_eos_token"}) {
        if (tokenizerConfig.contains(key) && tokenizerConfig[key].is_boolean()) {
            md.set(std::string("tokenizer.ggml.") + key,
                   MetaValue(tokenizerConfig[key].get<bool>()));
        }
    }
    if (tokenizerConfig.contains("chat_template") && tokenizerConfig["chat_template"].is_string()) {
        md.set("tokenizer.chat_template",
               MetaValue(tokenizerConfig["chat_template"].get<std::string>()));
    }
    return {};
}

} // namespace

Status readHfTokenizer(const std::string& tokenizerPath, const HfArchitecture& arch,
                       const std::string& configPath, Metadata& out) {
    QS_TRY_ASSIGN(tokenizer, readJsonFile(tokenizerPath));
    QS_TRY_ASSIGN(config, readJsonFile(configPath));
    nlohmann::json tokenizerConfig = nlohmann::json::object();
    const auto tcPath =
        (std::filesystem::path(tokenizerPath).parent_path() / "tokenizer_config.json").string();
    if (std::filesystem::exists(tcPath)) {
        QS_TRY_ASSIGN(tc, readJsonFile(tcPath));
        tokenizerConfig = std::move(tc);
    }
    try {
        return parseTokenizer(tokenizer, tokenizerPath, arch, config, tokenizerConfig, out);
    } catch (const nlohmann::json::exception& e) {
        return makeError(ErrorCode::Format, tokenizerPath + ": " + e.what());
    }
}

} // namespace qs::core
