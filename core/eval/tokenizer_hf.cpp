#include "core/eval/tokenizer_load.h"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>

namespace qs::core {

namespace {

constexpr const char* kSpaceMark = "\xE2\x96\x81";

// True when the pipeline prepends U+2581 (normalizer Prepend, or Metaspace with a prefix).
bool hasDummyPrefix(const nlohmann::json& root) {
    bool found = false;
    auto visit = [&](const nlohmann::json& node, auto&& self) -> void {
        if (!node.is_object()) {
            return;
        }
        const std::string type = node.value("type", "");
        if (type == "Prepend" && node.value("prepend", "") == kSpaceMark) {
            found = true;
        }
        if (type == "Metaspace") {
            const std::string scheme = node.value("prepend_scheme", "always");
            found = found || node.value("add_prefix_space", scheme != "never");
        }
        for (const char* list : {"normalizers", "pretokenizers"}) {
            if (node.contains(list) && node[list].is_array()) {
                for (const auto& child : node[list]) {
                    self(child, self);
                }
            }
        }
    };
    if (root.contains("normalizer")) {
        visit(root["normalizer"], visit);
    }
    if (root.contains("pre_tokenizer")) {
        visit(root["pre_tokenizer"], visit);
    }
    return found;
}

// TemplateProcessing whose single-sequence template starts with a special token: that token
// is the BOS the tokenizer adds.
std::string templateBos(const nlohmann::json& root) {
    const auto& post = root.value("post_processor", nlohmann::json());
    if (!post.is_object() || post.value("type", "") != "TemplateProcessing" ||
        !post.contains("single") || !post["single"].is_array() || post["single"].empty()) {
        return {};
    }
    const auto& first = post["single"][0];
    if (first.contains("SpecialToken")) {
        return first["SpecialToken"].value("id", "");
    }
    return {};
}

// Vocabulary, added tokens and merges of a byte-level BPE tokenizer.json (Llama 3, Qwen2/3):
// added tokens may lie past the model's vocabulary; gaps become unused "[PADn]" tokens, as
// convert_hf_to_gguf fills them.
Result<Tokenizer> byteLevelTokenizer(const std::string& path, const nlohmann::json& root) {
    const std::optional<BpePreTokenizer> pre = byteLevelPreTokenizerOf(root);
    if (!pre) {
        return makeError(ErrorCode::Unsupported,
                         path + ": a byte-level BPE tokenizer whose pre-tokenizer is not one of "
                                "GPT-2's, Llama 3's or Qwen2's expressions is not supported");
    }
    const auto& model = root.at("model");
    const auto& vocab = model.at("vocab");
    const auto& added = root.value("added_tokens", nlohmann::json::array());
    std::int64_t count = 0;
    for (const auto& [text, idValue] : vocab.items()) {
        count = std::max(count, idValue.get<std::int64_t>() + 1);
    }
    for (const auto& token : added) {
        count = std::max(count, token.at("id").get<std::int64_t>() + 1);
    }
    if (count > (std::int64_t{1} << 24)) {
        return makeError(ErrorCode::Format,
                         path + ": token ids up to " + std::to_string(count) + " are implausible");
    }
    TokenizerSpec spec;
    spec.kind = TokenizerKind::ByteLevelBpe;
    spec.pre = *pre;
    spec.pre.ignoreMerges = model.value("ignore_merges", false);
    spec.tokens.resize(static_cast<std::size_t>(count));
    std::vector<bool> seen(spec.tokens.size(), false);
    auto place = [&](const std::string& text, std::int64_t id, TokenType type) -> Status {
        if (id < 0 || seen[static_cast<std::size_t>(id)]) {
            return makeError(ErrorCode::Format, path + ": token id " + std::to_string(id) + " (" +
                                                    text + ") is negative or given twice");
        }
        seen[static_cast<std::size_t>(id)] = true;
        spec.tokens[static_cast<std::size_t>(id)] = TokenEntry{text, 0.0f, type};
        return {};
    };
    for (const auto& [text, idValue] : vocab.items()) {
        if (Status st = place(text, idValue.get<std::int64_t>(), TokenType::Normal); !st.ok()) {
            return st.error();
        }
    }
    for (const auto& token : added) {
        const std::int64_t id = token.at("id").get<std::int64_t>();
        const std::string text = token.at("content").get<std::string>();
        const TokenType type =
            token.value("special", false) ? TokenType::Control : TokenType::UserDefined;
        if (id >= 0 && seen[static_cast<std::size_t>(id)] &&
            spec.tokens[static_cast<std::size_t>(id)].text == text) {
            spec.tokens[static_cast<std::size_t>(id)].type = type; // listed in both
            continue;
        }
        if (Status st = place(text, id, type); !st.ok()) {
            return st.error();
        }
    }
    for (std::size_t id = 0; id < spec.tokens.size(); ++id) {
        if (!seen[id]) {
            spec.tokens[id] =
                TokenEntry{"[PAD" + std::to_string(id) + "]", 0.0f, TokenType::Unused};
        }
    }
    for (const auto& merge : model.value("merges", nlohmann::json::array())) {
        if (merge.is_string()) {
            const auto text = merge.get<std::string>();
            const auto space = text.find(' ', 1);
            if (space == std::string::npos) {
                return makeError(ErrorCode::Format, path + ": malformed merge \"" + text + "\"");
            }
            spec.merges.emplace_back(text.substr(0, space), text.substr(space + 1));
        } else {
            spec.merges.emplace_back(merge.at(0).get<std::string>(),
                                     merge.at(1).get<std::string>());
        }
    }
    const std::string bosText = templateBos(root);
    spec.addBos = !bosText.empty();
    spec.bos = -1;
    spec.eos = -1;
    spec.unk = -1;
    for (std::size_t id = 0; id < spec.tokens.size(); ++id) {
        if (spec.addBos && spec.tokens[id].text == bosText) {
            spec.bos = static_cast<std::int32_t>(id);
        }
    }
    spec.addBos = spec.bos >= 0;
    spec.addSpacePrefix = false;
    return Tokenizer::create(std::move(spec));
}

} // namespace

Result<Tokenizer> loadHfTokenizerJson(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        return Error::fromErrno(errno, path, "open");
    }
    nlohmann::json root;
    try {
        root = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        return makeError(ErrorCode::Format, path + ": " + e.what());
    }
    try {
        const auto& model = root.at("model");
        if (model.value("type", "BPE") != "BPE") {
            return makeError(ErrorCode::Unsupported, path + ": tokenizer model " +
                                                         model.value("type", "") +
                                                         " is not supported (only BPE)");
        }
        if (!model.value("byte_fallback", false)) {
            return byteLevelTokenizer(path, root);
        }
        const auto& vocab = model.at("vocab");
        TokenizerSpec spec;
        spec.tokens.resize(vocab.size());
        std::vector<bool> seen(vocab.size(), false);
        for (const auto& [text, idValue] : vocab.items()) {
            const auto id = idValue.get<std::int64_t>();
            if (id < 0 || static_cast<std::size_t>(id) >= vocab.size() || seen[id]) {
                return makeError(ErrorCode::Format,
                                 path + ": vocabulary ids are not 0..n-1 (" + text + ")");
            }
            seen[id] = true;
            TokenEntry& entry = spec.tokens[static_cast<std::size_t>(id)];
            entry.text = text;
            if (text.size() == 6 && text.starts_with("<0x") && text[5] == '>') {
                entry.type = TokenType::Byte;
            }
        }
        for (const auto& merge : model.value("merges", nlohmann::json::array())) {
            if (merge.is_string()) {
                const auto text = merge.get<std::string>();
                const auto space = text.find(' ');
                if (space == std::string::npos) {
                    return makeError(ErrorCode::Format,
                                     path + ": malformed merge \"" + text + "\"");
                }
                spec.merges.emplace_back(text.substr(0, space), text.substr(space + 1));
            } else {
                spec.merges.emplace_back(merge.at(0).get<std::string>(),
                                         merge.at(1).get<std::string>());
            }
        }
        auto idOf = [&](const std::string& text) -> std::int32_t {
            if (text.empty() || !vocab.contains(text)) {
                return -1;
            }
            return vocab[text].get<std::int32_t>();
        };
        for (const auto& added : root.value("added_tokens", nlohmann::json::array())) {
            const auto id = added.at("id").get<std::int64_t>();
            if (id >= 0 && static_cast<std::size_t>(id) < spec.tokens.size() &&
                added.value("special", false)) {
                spec.tokens[static_cast<std::size_t>(id)].type = TokenType::Control;
            }
        }
        const std::string unkText = model.value("unk_token", nlohmann::json()).is_string()
                                        ? model["unk_token"].get<std::string>()
                                        : std::string();
        spec.unk = idOf(unkText);
        if (spec.unk >= 0) {
            spec.tokens[static_cast<std::size_t>(spec.unk)].type = TokenType::Unknown;
        }
        const std::string bosText = templateBos(root);
        spec.addBos = !bosText.empty();
        spec.bos = spec.addBos ? idOf(bosText) : idOf("<s>");
        spec.eos = idOf("</s>");
        spec.addSpacePrefix = hasDummyPrefix(root);
        return Tokenizer::create(std::move(spec));
    } catch (const nlohmann::json::exception& e) {
        return makeError(ErrorCode::Format, path + ": " + e.what());
    }
}

} // namespace qs::core
