#include "layer_rules.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <regex>

namespace qs::test {

namespace {

bool startsWith(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

// The text with comments and string and character literals blanked (newlines kept, so line
// numbers stay), so that a comment naming std::thread is not a thread.
std::string codeOnly(std::string_view text) {
    std::string out(text);
    enum class State { Code, LineComment, BlockComment, String, Char };
    State state = State::Code;
    for (std::size_t i = 0; i < out.size(); ++i) {
        const char c = out[i];
        const char next = i + 1 < out.size() ? out[i + 1] : '\0';
        switch (state) {
        case State::Code:
            if (c == '/' && next == '/') {
                state = State::LineComment;
            } else if (c == '/' && next == '*') {
                state = State::BlockComment;
                out[i] = ' ';
                out[++i] = ' ';
            } else if (c == '"' && i > 0 && out[i - 1] == 'R') {
                // A raw string: blank up to its closing )delimiter".
                const std::size_t open = out.find('(', i);
                const std::string close =
                    open == std::string::npos ? "" : ")" + out.substr(i + 1, open - i - 1) + "\"";
                const std::size_t end = close.empty() ? out.size() : out.find(close, open);
                const std::size_t stop =
                    end == std::string::npos ? out.size() : end + close.size() - 1;
                for (std::size_t k = i + 1; k < stop; ++k) {
                    if (out[k] != '\n') {
                        out[k] = ' ';
                    }
                }
                i = stop;
            } else if (c == '"') {
                state = State::String;
            } else if (c == '\'' &&
                       !(i > 0 && std::isxdigit(static_cast<unsigned char>(out[i - 1])) &&
                         std::isxdigit(static_cast<unsigned char>(next)))) {
                // (A quote between digits is a digit separator, 1'000'000.)
                state = State::Char;
            }
            if (state == State::LineComment) {
                out[i] = ' ';
            }
            break;
        case State::LineComment:
            if (c == '\n') {
                state = State::Code;
            } else {
                out[i] = ' ';
            }
            break;
        case State::BlockComment:
            if (c == '*' && next == '/') {
                state = State::Code;
                out[i] = ' ';
                out[++i] = ' ';
            } else if (c != '\n') {
                out[i] = ' ';
            }
            break;
        case State::String:
        case State::Char:
            if (c == '\\' && next != '\n' && next != '\0') {
                out[i] = ' ';
                out[++i] = ' ';
            } else if ((state == State::String && c == '"') ||
                       (state == State::Char && c == '\'') || c == '\n') {
                state = State::Code;
            } else {
                out[i] = ' ';
            }
            break;
        }
    }
    return out;
}

std::vector<std::string_view> splitLines(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            lines.push_back(text.substr(start));
            break;
        }
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

// The layer of a core path ("core/eval/x.h" -> "eval"); "" for a file directly in core/.
std::string layerOf(std::string_view corePath) {
    const std::string_view rest = corePath.substr(std::string_view("core/").size());
    const std::size_t slash = rest.find('/');
    return slash == std::string_view::npos ? std::string() : std::string(rest.substr(0, slash));
}

// Position in coreLayers(); -1 for the files directly in core/, nullopt for an unknown folder.
std::optional<int> rankOf(const std::string& layer) {
    if (layer.empty()) {
        return -1;
    }
    const auto& layers = coreLayers();
    const auto it = std::find(layers.begin(), layers.end(), layer);
    if (it == layers.end()) {
        return std::nullopt;
    }
    return static_cast<int>(it - layers.begin());
}

std::string layerName(const std::string& layer) {
    return layer.empty() ? std::string("core/ (top level)") : layer;
}

} // namespace

const std::vector<std::string>& coreLayers() {
    static const std::vector<std::string> layers = {
        "fs",   "jobs", "quant", "model",  "io",        "compute",
        "eval", "gptq", "plan",  "export", "workflows",
    };
    return layers;
}

std::string layerOrderText() {
    std::string text;
    for (const std::string& layer : coreLayers()) {
        text += (text.empty() ? "" : " < ") + layer;
    }
    return text;
}

std::string Violation::toString() const {
    return file + ":" + std::to_string(line) + ": " + what;
}

std::vector<Violation> checkCoreIncludes(std::string_view path, std::string_view text) {
    std::vector<Violation> found;
    if (!startsWith(path, "core/")) {
        return found;
    }
    const std::string from = layerOf(path);
    const std::optional<int> fromRank = rankOf(from);
    if (!fromRank) {
        found.push_back({std::string(path), 1,
                         "core/" + from +
                             " is not a layer; add it to coreLayers() in "
                             "tests/core/layer_rules.cpp and to docs/architecture.md"});
        return found;
    }
    static const std::regex include(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])");
    const std::string code = codeOnly(text);
    const std::vector<std::string_view> lines = splitLines(text);
    const std::vector<std::string_view> codeLines = splitLines(code);
    for (std::size_t i = 0; i < lines.size() && i < codeLines.size(); ++i) {
        // The path is a string literal, blanked in codeLines: read it from the line as written,
        // but only where the directive itself is code (not inside a block comment).
        if (codeLines[i].find('#') == std::string_view::npos) {
            continue;
        }
        std::match_results<std::string_view::const_iterator> m;
        if (!std::regex_search(lines[i].begin(), lines[i].end(), m, include)) {
            continue;
        }
        const int lineNo = static_cast<int>(i) + 1;
        const bool quoted = m[1].str() == "\"";
        const std::string target = m[2].str();
        const auto report = [&](std::string what) {
            found.push_back({std::string(path), lineNo, std::move(what)});
        };
        if (!quoted) {
            if (startsWith(target, "Q") || startsWith(target, "vulkan/")) {
                report("core includes <" + target + ">: core uses neither Qt nor Vulkan");
            }
            continue;
        }
        if (startsWith(target, "ui/") || startsWith(target, "vkcompute/") ||
            startsWith(target, "app/")) {
            report("core includes \"" + target + "\": core depends on no other module");
            continue;
        }
        if (target.find("../") != std::string::npos) {
            report("\"" + target +
                   "\": include other folders by their path from the repository "
                   "root (\"core/<layer>/...\"), so that the layer is visible");
            continue;
        }
        if (!startsWith(target, "core/")) {
            continue; // a file of the same folder, or a generated header
        }
        const std::string to = layerOf(target);
        const std::optional<int> toRank = rankOf(to);
        if (!toRank) {
            report("\"" + target + "\": core/" + to + " is not a layer");
        } else if (*toRank > *fromRank || (from.empty() && !to.empty())) {
            report(layerName(from) + " -> " + to + " (\"" + target +
                   "\") goes up the layer order " + layerOrderText() +
                   (from.empty() ? " (files directly in core/ include no layer)" : ""));
        }
    }
    return found;
}

std::vector<Violation> checkThreads(std::string_view path, std::string_view text) {
    std::vector<Violation> found;
    if (startsWith(path, "core/jobs/") || startsWith(path, "ui/jobs/")) {
        return found;
    }
    static const std::regex thread(
        R"(\b(std::thread|std::jthread|std::async|pthread_create|QThreadPool|QThread::create|QtConcurrent)\b)");
    const std::string code = codeOnly(text); // outlives the views into it
    const std::vector<std::string_view> lines = splitLines(code);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::match_results<std::string_view::const_iterator> m;
        if (std::regex_search(lines[i].begin(), lines[i].end(), m, thread)) {
            found.push_back({std::string(path), static_cast<int>(i) + 1,
                             m[1].str() + " outside core/jobs and ui/jobs: loops use "
                                          "qs::core::parallelFor and thread counts "
                                          "qs::core::effectiveThreads (core/jobs)"});
        }
    }
    return found;
}

} // namespace qs::test
