#include "core/eval/tokenizer_load.h"

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
            return makeError(ErrorCode::Unsupported,
                             path + ": byte-level BPE (no byte_fallback) is not supported yet");
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
