#include "core/eval/tokenizer_load.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>

namespace qs::core {

namespace {

std::string spacesToMarks(const std::string& piece) {
    std::string out;
    out.reserve(piece.size());
    for (const char c : piece) {
        if (c == ' ') {
            out.append("\xE2\x96\x81");
        } else {
            out.push_back(c);
        }
    }
    return out;
}

} // namespace

Result<Tokenizer> loadLlama2cTokenizer(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return Error::fromErrno(errno, path, "open");
    }
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t pos = 0;
    auto readInt = [&](std::int32_t& v) {
        if (data.size() - pos < 4) {
            return false;
        }
        std::memcpy(&v, data.data() + pos, 4);
        pos += 4;
        return true;
    };
    std::int32_t maxTokenLength = 0;
    if (!readInt(maxTokenLength) || maxTokenLength <= 0) {
        return makeError(ErrorCode::Format, path + ": not a llama2.c tokenizer (bad header)");
    }
    TokenizerSpec spec;
    while (pos < data.size()) {
        float score = 0.0f;
        std::int32_t length = 0;
        if (data.size() - pos < 8) {
            return makeError(ErrorCode::Format,
                             path + ": truncated at byte " + std::to_string(pos));
        }
        std::memcpy(&score, data.data() + pos, 4);
        std::memcpy(&length, data.data() + pos + 4, 4);
        pos += 8;
        if (length < 0 || static_cast<std::size_t>(length) > data.size() - pos) {
            return makeError(ErrorCode::Format, path + ": token " +
                                                    std::to_string(spec.tokens.size()) +
                                                    " runs past the end of the file");
        }
        TokenEntry entry;
        entry.score = score;
        entry.text = spacesToMarks(data.substr(pos, static_cast<std::size_t>(length)));
        pos += static_cast<std::size_t>(length);
        spec.tokens.push_back(std::move(entry));
    }
    // run.c's fixed layout: 0 <unk>, 1 BOS, 2 EOS (stored decorated as "\n<s>\n").
    for (std::size_t id = 0; id < spec.tokens.size(); ++id) {
        TokenEntry& entry = spec.tokens[id];
        if (id == 0) {
            entry.type = TokenType::Unknown;
        } else if (id <= 2) {
            entry.type = TokenType::Control;
            entry.text = id == 1 ? "<s>" : "</s>";
        } else if (entry.text.size() == 6 && entry.text.starts_with("<0x") &&
                   entry.text[5] == '>') {
            entry.type = TokenType::Byte;
        }
    }
    if (spec.tokens.size() < 3) {
        return makeError(ErrorCode::Format, path + ": fewer than 3 tokens");
    }
    spec.bos = 1;
    spec.eos = 2;
    spec.unk = 0;
    return Tokenizer::create(std::move(spec));
}

Result<Tokenizer> loadTokenizerFile(const std::string& path) {
    if (path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0) {
        return loadHfTokenizerJson(path);
    }
    return loadLlama2cTokenizer(path);
}

} // namespace qs::core
