#include "core/io/hf_tokenizer_writer.h"

#include "core/fs/byte_cursor.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

namespace qs::core {
namespace {

constexpr const char* kSpaceMark = "\xE2\x96\x81"; // U+2581, SentencePiece's space

// llama.cpp token types (tokenizer.ggml.token_type).
constexpr std::int64_t kUnknown = 2;
constexpr std::int64_t kControl = 3;

// Byte offsets where a UTF-8 character starts, after the first (the split points of a piece).
std::vector<std::size_t> characterBoundaries(const std::string& s) {
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
            cuts.push_back(i);
        }
    }
    return cuts;
}

struct Merge {
    std::int32_t left, right; // token ids
    float score;              // the merged token's
};

// Every split of every token into two tokens, by the merged token's score (highest first); for
// one token its splits by (left id, right id), as transformers' SentencePieceExtractor orders.
std::vector<Merge> spmMerges(const std::vector<std::string>& tokens,
                             const std::vector<float>& scores) {
    std::unordered_map<std::string, std::int32_t> ids;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        ids.emplace(tokens[i], static_cast<std::int32_t>(i));
    }
    std::vector<Merge> merges;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        std::vector<Merge> local;
        for (std::size_t cut : characterBoundaries(tokens[i])) {
            const auto l = ids.find(tokens[i].substr(0, cut));
            const auto r = ids.find(tokens[i].substr(cut));
            if (l != ids.end() && r != ids.end()) {
                local.push_back({l->second, r->second, scores[i]});
            }
        }
        std::sort(local.begin(), local.end(), [](const Merge& a, const Merge& b) {
            return a.left != b.left ? a.left < b.left : a.right < b.right;
        });
        merges.insert(merges.end(), local.begin(), local.end());
    }
    std::stable_sort(merges.begin(), merges.end(),
                     [](const Merge& a, const Merge& b) { return a.score > b.score; });
    return merges;
}

nlohmann::ordered_json addedToken(std::int32_t id, const std::string& content) {
    return {{"id", id},        {"content", content},  {"single_word", false}, {"lstrip", false},
            {"rstrip", false}, {"normalized", false}, {"special", true}};
}

} // namespace

Result<HfTokenizerFiles> hfTokenizerFromGguf(const Metadata& md, std::uint64_t contextLength) {
    const std::string model = md.string("tokenizer.ggml.model");
    if (model != "llama") {
        return makeError(ErrorCode::Unsupported,
                         "tokenizer files are written for SentencePiece vocabularies only "
                         "(tokenizer.ggml.model \"llama\"), not \"" +
                             model + "\"");
    }
    const MetaValue* tokensValue = md.find("tokenizer.ggml.tokens");
    const MetaArray* tokenArray = tokensValue ? tokensValue->asArray() : nullptr;
    if (!tokenArray || tokenArray->elementType != MetaType::String) {
        return makeError(ErrorCode::Format, "tokenizer.ggml.tokens is missing or not strings");
    }
    const std::vector<std::string>& tokens = tokenArray->strings;
    const MetaValue* scoresValue = md.find("tokenizer.ggml.scores");
    const MetaArray* scoreArray = scoresValue ? scoresValue->asArray() : nullptr;
    const MetaValue* typesValue = md.find("tokenizer.ggml.token_type");
    const MetaArray* typeArray = typesValue ? typesValue->asArray() : nullptr;
    if ((scoreArray && scoreArray->size() != tokens.size()) ||
        (typeArray && typeArray->size() != tokens.size())) {
        return makeError(ErrorCode::Format,
                         "tokenizer.ggml.scores/token_type do not match the token count");
    }
    for (const auto& t : tokens) {
        if (!isValidUtf8(t)) {
            return makeError(ErrorCode::Format, "a token of tokenizer.ggml.tokens is not UTF-8");
        }
    }
    std::vector<float> scores(tokens.size(), 0.0f);
    std::vector<std::int64_t> types(tokens.size(), 1);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (scoreArray) {
            scores[i] = static_cast<float>(scoreArray->number(i).value_or(0.0));
        }
        if (typeArray) {
            types[i] = typeArray->integer(i).value_or(1);
        }
    }
    auto idKey = [&](const char* key, std::int64_t fallback) {
        const std::int64_t id = md.integer(key).value_or(fallback);
        return id >= 0 && static_cast<std::size_t>(id) < tokens.size() ? id : -1;
    };
    const std::int64_t bos = idKey("tokenizer.ggml.bos_token_id", 1);
    const std::int64_t eos = idKey("tokenizer.ggml.eos_token_id", 2);
    const std::int64_t unk = idKey("tokenizer.ggml.unknown_token_id", 0);
    // llama.cpp's defaults for SentencePiece vocabularies when the keys are absent.
    const bool addBos = md.integer("tokenizer.ggml.add_bos_token").value_or(1) != 0;
    const bool addEos = md.integer("tokenizer.ggml.add_eos_token").value_or(0) != 0;
    const bool addSpacePrefix = md.integer("tokenizer.ggml.add_space_prefix").value_or(1) != 0;
    auto text = [&](std::int64_t id) {
        return id < 0 ? nlohmann::ordered_json() : nlohmann::ordered_json(tokens[id]);
    };

    nlohmann::ordered_json vocab = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (!vocab.contains(tokens[i])) {
            vocab[tokens[i]] = static_cast<std::int64_t>(i);
        }
    }
    nlohmann::ordered_json merges = nlohmann::ordered_json::array();
    for (const Merge& m : spmMerges(tokens, scores)) {
        merges.push_back(
            {tokens[static_cast<std::size_t>(m.left)], tokens[static_cast<std::size_t>(m.right)]});
    }
    nlohmann::ordered_json added = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (types[i] == kControl || types[i] == kUnknown) {
            added.push_back(addedToken(static_cast<std::int32_t>(i), tokens[i]));
        }
    }

    nlohmann::ordered_json normalizers = nlohmann::ordered_json::array();
    if (addSpacePrefix) {
        normalizers.push_back({{"type", "Prepend"}, {"prepend", kSpaceMark}});
    }
    normalizers.push_back(
        {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", kSpaceMark}});

    // BOS (and EOS) around the text, as llama.cpp adds them.
    nlohmann::ordered_json single = nlohmann::ordered_json::array();
    nlohmann::ordered_json specials = nlohmann::ordered_json::object();
    auto special = [&](std::int64_t id) {
        specials[tokens[id]] = {{"id", tokens[id]}, {"ids", {id}}, {"tokens", {tokens[id]}}};
        return nlohmann::ordered_json{{"SpecialToken", {{"id", tokens[id]}, {"type_id", 0}}}};
    };
    if (addBos && bos >= 0) {
        single.push_back(special(bos));
    }
    single.push_back({{"Sequence", {{"id", "A"}, {"type_id", 0}}}});
    if (addEos && eos >= 0) {
        single.push_back(special(eos));
    }
    nlohmann::ordered_json pair = single;
    if (addBos && bos >= 0) {
        pair.push_back({{"SpecialToken", {{"id", tokens[bos]}, {"type_id", 1}}}});
    }
    pair.push_back({{"Sequence", {{"id", "B"}, {"type_id", 1}}}});
    if (addEos && eos >= 0) {
        pair.push_back({{"SpecialToken", {{"id", tokens[eos]}, {"type_id", 1}}}});
    }

    nlohmann::ordered_json decoders = nlohmann::ordered_json::array();
    decoders.push_back(
        {{"type", "Replace"}, {"pattern", {{"String", kSpaceMark}}}, {"content", " "}});
    decoders.push_back({{"type", "ByteFallback"}});
    decoders.push_back({{"type", "Fuse"}});
    if (addSpacePrefix) {
        decoders.push_back({{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}});
    }

    nlohmann::ordered_json tokenizer = {
        {"version", "1.0"},
        {"truncation", nullptr},
        {"padding", nullptr},
        {"added_tokens", added},
        {"normalizer", {{"type", "Sequence"}, {"normalizers", normalizers}}},
        {"pre_tokenizer", nullptr},
        {"post_processor",
         {{"type", "TemplateProcessing"},
          {"single", single},
          {"pair", pair},
          {"special_tokens", specials}}},
        {"decoder", {{"type", "Sequence"}, {"decoders", decoders}}},
        {"model",
         {{"type", "BPE"},
          {"dropout", nullptr},
          {"unk_token", text(unk)},
          {"continuing_subword_prefix", nullptr},
          {"end_of_word_suffix", nullptr},
          {"fuse_unk", true},
          {"byte_fallback", true},
          {"ignore_merges", false},
          {"vocab", vocab},
          {"merges", merges}}}};

    nlohmann::ordered_json config = {{"add_bos_token", addBos},
                                     {"add_eos_token", addEos},
                                     {"bos_token", text(bos)},
                                     {"eos_token", text(eos)},
                                     {"unk_token", text(unk)},
                                     {"pad_token", nullptr},
                                     {"clean_up_tokenization_spaces", false},
                                     {"legacy", false},
                                     {"tokenizer_class", "PreTrainedTokenizerFast"}};
    if (contextLength > 0) {
        config["model_max_length"] = contextLength;
    }
    nlohmann::ordered_json map = nlohmann::ordered_json::object();
    for (const auto& [key, id] :
         {std::pair{"bos_token", bos}, std::pair{"eos_token", eos}, std::pair{"unk_token", unk}}) {
        if (id >= 0) {
            map[key] = tokens[static_cast<std::size_t>(id)];
        }
    }
    return HfTokenizerFiles{tokenizer.dump(2) + "\n", config.dump(2) + "\n", map.dump(2) + "\n"};
}

} // namespace qs::core
