#include "core/io/hf_tokenizer_writer.h"

#include "core/fs/byte_cursor.h"
#include "core/io/bpe_pre_tokenizer.h"
#include "core/try.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

namespace qs::core {
namespace {

constexpr const char* kSpaceMark = "\xE2\x96\x81"; // U+2581, SentencePiece's space

// llama.cpp token types (tokenizer.ggml.token_type).
constexpr std::int64_t kNormal = 1;
constexpr std::int64_t kUnknown = 2;
constexpr std::int64_t kControl = 3;
constexpr std::int64_t kUserDefined = 4;
constexpr std::int64_t kUnused = 5;

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

// A tokenizer.json "vocab" object, token -> id in the order added, the first id of a repeated
// token kept. ordered_json finds a key by a linear search, so adding 150,000 tokens through it
// (Qwen, Llama 3) took tens of seconds; this appends to its storage after a hashed check.
class VocabularyObject {
public:
    void add(const std::string& token, std::int64_t id) {
        if (m_seen.insert(token).second) {
            static_cast<nlohmann::ordered_json::object_t::Container&>(m_object).emplace_back(token,
                                                                                             id);
        }
    }
    nlohmann::ordered_json take() { return nlohmann::ordered_json(std::move(m_object)); }

private:
    nlohmann::ordered_json::object_t m_object;
    std::unordered_set<std::string> m_seen;
};

nlohmann::ordered_json addedToken(std::int32_t id, const std::string& content, bool special) {
    return {{"id", id},        {"content", content},  {"single_word", false}, {"lstrip", false},
            {"rstrip", false}, {"normalized", false}, {"special", special}};
}

// The vocabulary keys both kinds of vocabulary share, checked.
struct GgufVocabulary {
    std::vector<std::string> tokens;
    std::vector<float> scores;       // 0 where the file has none
    std::vector<std::int64_t> types; // llama.cpp token types, 1 (normal) where absent
    std::int64_t bos = -1, eos = -1, unk = -1;
};

Result<GgufVocabulary> readVocabulary(const Metadata& md, std::int64_t defaultBos,
                                      std::int64_t defaultEos, std::int64_t defaultUnk) {
    const MetaValue* tokensValue = md.find("tokenizer.ggml.tokens");
    const MetaArray* tokenArray = tokensValue ? tokensValue->asArray() : nullptr;
    if (!tokenArray || tokenArray->elementType != MetaType::String) {
        return makeError(ErrorCode::Format, "tokenizer.ggml.tokens is missing or not strings");
    }
    GgufVocabulary v;
    v.tokens = tokenArray->strings;
    const MetaValue* scoresValue = md.find("tokenizer.ggml.scores");
    const MetaArray* scoreArray = scoresValue ? scoresValue->asArray() : nullptr;
    const MetaValue* typesValue = md.find("tokenizer.ggml.token_type");
    const MetaArray* typeArray = typesValue ? typesValue->asArray() : nullptr;
    if ((scoreArray && scoreArray->size() != v.tokens.size()) ||
        (typeArray && typeArray->size() != v.tokens.size())) {
        return makeError(ErrorCode::Format,
                         "tokenizer.ggml.scores/token_type do not match the token count");
    }
    for (const auto& t : v.tokens) {
        if (!isValidUtf8(t)) {
            return makeError(ErrorCode::Format, "a token of tokenizer.ggml.tokens is not UTF-8");
        }
    }
    v.scores.assign(v.tokens.size(), 0.0f);
    v.types.assign(v.tokens.size(), kNormal);
    for (std::size_t i = 0; i < v.tokens.size(); ++i) {
        if (scoreArray) {
            v.scores[i] = static_cast<float>(scoreArray->number(i).value_or(0.0));
        }
        if (typeArray) {
            v.types[i] = typeArray->integer(i).value_or(kNormal);
        }
    }
    auto idKey = [&](const char* key, std::int64_t fallback) {
        const std::int64_t id = md.integer(key).value_or(fallback);
        return id >= 0 && static_cast<std::size_t>(id) < v.tokens.size() ? id : -1;
    };
    v.bos = idKey("tokenizer.ggml.bos_token_id", defaultBos);
    v.eos = idKey("tokenizer.ggml.eos_token_id", defaultEos);
    v.unk = idKey("tokenizer.ggml.unknown_token_id", defaultUnk);
    return v;
}

nlohmann::ordered_json tokenText(const GgufVocabulary& v, std::int64_t id) {
    return id < 0 ? nlohmann::ordered_json()
                  : nlohmann::ordered_json(v.tokens[static_cast<std::size_t>(id)]);
}

// BOS (and EOS) around the text, as llama.cpp adds them.
nlohmann::ordered_json templateProcessing(const GgufVocabulary& v, bool addBos, bool addEos) {
    const auto& tokens = v.tokens;
    nlohmann::ordered_json single = nlohmann::ordered_json::array();
    nlohmann::ordered_json specials = nlohmann::ordered_json::object();
    auto special = [&](std::int64_t id, int typeId) {
        const std::string& text = tokens[static_cast<std::size_t>(id)];
        specials[text] = {{"id", text}, {"ids", {id}}, {"tokens", {text}}};
        return nlohmann::ordered_json{{"SpecialToken", {{"id", text}, {"type_id", typeId}}}};
    };
    const bool bos = addBos && v.bos >= 0;
    const bool eos = addEos && v.eos >= 0;
    if (bos) {
        single.push_back(special(v.bos, 0));
    }
    single.push_back({{"Sequence", {{"id", "A"}, {"type_id", 0}}}});
    if (eos) {
        single.push_back(special(v.eos, 0));
    }
    nlohmann::ordered_json pair = single;
    if (bos) {
        pair.push_back(special(v.bos, 1));
    }
    pair.push_back({{"Sequence", {{"id", "B"}, {"type_id", 1}}}});
    if (eos) {
        pair.push_back(special(v.eos, 1));
    }
    return {{"type", "TemplateProcessing"},
            {"single", single},
            {"pair", pair},
            {"special_tokens", specials}};
}

// tokenizer_config.json and special_tokens_map.json, the same for both kinds.
void writeConfigs(const Metadata& md, const GgufVocabulary& v, bool addBos, bool addEos, bool spm,
                  std::uint64_t contextLength, HfTokenizerFiles& files) {
    nlohmann::ordered_json config = {{"add_bos_token", addBos},
                                     {"add_eos_token", addEos},
                                     {"bos_token", tokenText(v, v.bos)},
                                     {"eos_token", tokenText(v, v.eos)},
                                     {"unk_token", tokenText(v, v.unk)},
                                     {"pad_token", nullptr},
                                     {"clean_up_tokenization_spaces", false}};
    if (spm) {
        config["legacy"] = false;
    }
    config["tokenizer_class"] = "PreTrainedTokenizerFast";
    if (contextLength > 0) {
        config["model_max_length"] = contextLength;
    }
    // The chat template convert_hf_to_gguf copied from tokenizer_config.json, given back.
    if (const std::string chat = md.string("tokenizer.chat_template"); !chat.empty()) {
        config["chat_template"] = chat;
    }
    nlohmann::ordered_json map = nlohmann::ordered_json::object();
    for (const auto& [key, id] : {std::pair{"bos_token", v.bos}, std::pair{"eos_token", v.eos},
                                  std::pair{"unk_token", v.unk}}) {
        if (id >= 0) {
            map[key] = v.tokens[static_cast<std::size_t>(id)];
        }
    }
    files.tokenizerConfig = config.dump(2) + "\n";
    files.specialTokensMap = map.dump(2) + "\n";
}

Result<HfTokenizerFiles> sentencePieceFiles(const Metadata& md, std::uint64_t contextLength) {
    QS_TRY_ASSIGN(v, readVocabulary(md, 1, 2, 0));
    const auto& tokens = v.tokens;
    const auto& types = v.types;
    // llama.cpp's defaults for SentencePiece vocabularies when the keys are absent.
    const bool addBos = md.integer("tokenizer.ggml.add_bos_token").value_or(1) != 0;
    const bool addEos = md.integer("tokenizer.ggml.add_eos_token").value_or(0) != 0;
    const bool addSpacePrefix = md.integer("tokenizer.ggml.add_space_prefix").value_or(1) != 0;

    VocabularyObject vocabulary;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        vocabulary.add(tokens[i], static_cast<std::int64_t>(i));
    }
    const nlohmann::ordered_json vocab = vocabulary.take();
    nlohmann::ordered_json merges = nlohmann::ordered_json::array();
    for (const Merge& m : spmMerges(tokens, v.scores)) {
        merges.push_back(
            {tokens[static_cast<std::size_t>(m.left)], tokens[static_cast<std::size_t>(m.right)]});
    }
    nlohmann::ordered_json added = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (types[i] == kControl || types[i] == kUnknown) {
            added.push_back(addedToken(static_cast<std::int32_t>(i), tokens[i], true));
        }
    }

    nlohmann::ordered_json normalizers = nlohmann::ordered_json::array();
    if (addSpacePrefix) {
        normalizers.push_back({{"type", "Prepend"}, {"prepend", kSpaceMark}});
    }
    normalizers.push_back(
        {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", kSpaceMark}});

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
        {"post_processor", templateProcessing(v, addBos, addEos)},
        {"decoder", {{"type", "Sequence"}, {"decoders", decoders}}},
        {"model",
         {{"type", "BPE"},
          {"dropout", nullptr},
          {"unk_token", tokenText(v, v.unk)},
          {"continuing_subword_prefix", nullptr},
          {"end_of_word_suffix", nullptr},
          {"fuse_unk", true},
          {"byte_fallback", true},
          {"ignore_merges", false},
          {"vocab", vocab},
          {"merges", merges}}}};
    HfTokenizerFiles files;
    files.tokenizerJson = tokenizer.dump(2) + "\n";
    writeConfigs(md, v, addBos, addEos, true, contextLength, files);
    return files;
}

Result<HfTokenizerFiles> byteLevelBpeFiles(const Metadata& md, std::uint64_t contextLength) {
    const std::string pre = md.string("tokenizer.ggml.pre");
    const std::optional<BpePreTokenizer> splitter = bpePreTokenizerFor(pre);
    if (!splitter) {
        // llama.cpp falls back to its 'default' splitting with a warning; a tokenizer.json
        // that splits differently from the model's own would tokenize wrongly, so none is
        // written rather than a guess.
        return makeError(ErrorCode::Unsupported,
                         pre.empty() ? std::string("tokenizer.ggml.pre is missing: the byte-level "
                                                   "BPE pre-tokenizer is unknown")
                                     : "byte-level BPE pre-tokenizer \"" + pre +
                                           "\" (tokenizer.ggml.pre) has no known tokenizer.json "
                                           "form (known: " +
                                           supportedBpePreTokenizers() + ")");
    }
    QS_TRY_ASSIGN(v, readVocabulary(md, -1, -1, -1));
    const auto& tokens = v.tokens;
    const MetaValue* mergesValue = md.find("tokenizer.ggml.merges");
    const MetaArray* mergeArray = mergesValue ? mergesValue->asArray() : nullptr;
    if (!mergeArray || mergeArray->elementType != MetaType::String) {
        return makeError(ErrorCode::Format, "tokenizer.ggml.merges is missing or not strings");
    }
    // llama.cpp's defaults for byte-level vocabularies: BOS only for some pre-tokenizers.
    const bool addBos =
        md.integer("tokenizer.ggml.add_bos_token").value_or(splitter->addBos ? 1 : 0) != 0;
    const bool addEos = md.integer("tokenizer.ggml.add_eos_token").value_or(0) != 0;

    // Normal (and byte) tokens are the BPE vocabulary; control, unknown and user-defined tokens
    // are added tokens only, as in the tokenizer.json convert_hf_to_gguf read them from; unused
    // ids (the padding it fills holes with) are left out.
    VocabularyObject vocabulary;
    nlohmann::ordered_json added = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const std::int64_t type = v.types[i];
        if (type == kControl || type == kUnknown || type == kUserDefined) {
            added.push_back(
                addedToken(static_cast<std::int32_t>(i), tokens[i], type != kUserDefined));
        } else if (type != kUnused) {
            vocabulary.add(tokens[i], static_cast<std::int64_t>(i));
        }
    }
    const nlohmann::ordered_json vocab = vocabulary.take();
    // "left right" strings, as GGUF stores them: the spelling every tokenizers version reads
    // (a byte-level token never contains a space: it is mapped to U+0120).
    nlohmann::ordered_json merges = nlohmann::ordered_json::array();
    for (const std::string& m : mergeArray->strings) {
        if (m.find(' ') == std::string::npos || !isValidUtf8(m)) {
            return makeError(ErrorCode::Format,
                             "tokenizer.ggml.merges holds \"" + m + "\", not \"left right\"");
        }
        merges.push_back(m);
    }

    nlohmann::ordered_json byteLevel = {{"type", "ByteLevel"},
                                        {"add_prefix_space", false},
                                        {"trim_offsets", true},
                                        {"use_regex", splitter->regex.empty()}};
    nlohmann::ordered_json preTokenizer = byteLevel;
    if (!splitter->regex.empty()) {
        preTokenizer = {{"type", "Sequence"},
                        {"pretokenizers",
                         {{{"type", "Split"},
                           {"pattern", {{"Regex", std::string(splitter->regex)}}},
                           {"behavior", "Isolated"},
                           {"invert", false}},
                          byteLevel}}};
    }
    nlohmann::ordered_json normalizer = nullptr;
    if (splitter->nfc) {
        normalizer = {{"type", "NFC"}};
    }
    nlohmann::ordered_json tokenizer = {{"version", "1.0"},
                                        {"truncation", nullptr},
                                        {"padding", nullptr},
                                        {"added_tokens", added},
                                        {"normalizer", normalizer},
                                        {"pre_tokenizer", preTokenizer},
                                        {"post_processor", templateProcessing(v, addBos, addEos)},
                                        {"decoder",
                                         {{"type", "ByteLevel"},
                                          {"add_prefix_space", true},
                                          {"trim_offsets", true},
                                          {"use_regex", true}}},
                                        {"model",
                                         {{"type", "BPE"},
                                          {"dropout", nullptr},
                                          {"unk_token", tokenText(v, v.unk)},
                                          {"continuing_subword_prefix", nullptr},
                                          {"end_of_word_suffix", nullptr},
                                          {"fuse_unk", false},
                                          {"byte_fallback", false},
                                          {"ignore_merges", splitter->ignoreMerges},
                                          {"vocab", vocab},
                                          {"merges", merges}}}};
    HfTokenizerFiles files;
    files.tokenizerJson = tokenizer.dump(2) + "\n";
    writeConfigs(md, v, addBos, addEos, false, contextLength, files);
    return files;
}

} // namespace

Result<HfTokenizerFiles> hfTokenizerFromGguf(const Metadata& md, std::uint64_t contextLength) {
    const std::string model = md.string("tokenizer.ggml.model");
    if (model == "llama") {
        return sentencePieceFiles(md, contextLength);
    }
    if (model == "gpt2") {
        return byteLevelBpeFiles(md, contextLength);
    }
    return makeError(ErrorCode::Unsupported,
                     "tokenizer files are written for SentencePiece (tokenizer.ggml.model "
                     "\"llama\") and byte-level BPE (\"gpt2\") vocabularies, not \"" +
                         model + "\"");
}

} // namespace qs::core
