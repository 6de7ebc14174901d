#include "core/eval/tokenizer.h"

#include "core/eval/bpe_word_split.h"
#include "core/eval/unicode_classes.h"

#include <queue>

#include <algorithm>
#include <cstdio>

namespace qs::core {

namespace {

constexpr std::string_view kSpaceMark = "\xE2\x96\x81"; // U+2581, SentencePiece's space

// Length of the UTF-8 sequence that starts with `lead`; invalid lead bytes count as one byte,
// so malformed input still encodes (through byte fallback) instead of being dropped.
std::size_t utf8Length(unsigned char lead) {
    if (lead < 0x80) {
        return 1;
    }
    if ((lead & 0xE0) == 0xC0) {
        return 2;
    }
    if ((lead & 0xF0) == 0xE0) {
        return 3;
    }
    if ((lead & 0xF8) == 0xF0) {
        return 4;
    }
    return 1;
}

// One symbol of the merge list: a span of the normalized text, linked to its neighbours.
struct Symbol {
    std::size_t offset = 0;
    std::size_t length = 0; // 0 once merged into its left neighbour
    int prev = -1;
    int next = -1;
};

// A candidate merge of symbols[left] and its right neighbour. `size` is the merged length at
// the time the candidate was made; a candidate whose symbols changed since is stale.
struct Bigram {
    double score = 0.0;
    int left = 0;
    int right = 0;
    std::size_t size = 0;
};

// Highest score first; equal scores merge leftmost first (run.c and llama.cpp agree on this).
struct BigramOrder {
    bool operator()(const Bigram& a, const Bigram& b) const {
        return a.score < b.score || (a.score == b.score && a.left > b.left);
    }
};

// Appends the bytes a byte-level BPE piece stands for; a code point outside GPT-2's byte
// alphabet (an added token's text) is copied as it is.
void appendByteLevelPiece(std::string_view piece, std::string& text) {
    for (std::size_t i = 0; i < piece.size();) {
        const std::size_t len =
            std::min(utf8Length(static_cast<unsigned char>(piece[i])), piece.size() - i);
        const std::string_view symbol = piece.substr(i, len);
        const int byte = unicode::symbolByte(symbol);
        if (byte >= 0) {
            text.push_back(static_cast<char>(byte));
        } else {
            text.append(symbol);
        }
        i += len;
    }
}

} // namespace

Result<Tokenizer> Tokenizer::create(TokenizerSpec spec) {
    Tokenizer tok;
    const auto n = static_cast<std::int32_t>(spec.tokens.size());
    if (n == 0) {
        return makeError(ErrorCode::Format, "tokenizer: the vocabulary is empty");
    }
    for (std::int32_t id : {spec.bos, spec.eos, spec.unk}) {
        if (id < -1 || id >= n) {
            return makeError(ErrorCode::Format,
                             "tokenizer: special token id " + std::to_string(id) +
                                 " lies outside the vocabulary of " + std::to_string(n));
        }
    }
    tok.m_pieceToId.reserve(spec.tokens.size());
    tok.m_byteToken.fill(-1);
    for (std::int32_t id = 0; id < n; ++id) {
        const TokenEntry& entry = spec.tokens[static_cast<std::size_t>(id)];
        // The first of duplicate pieces wins, as in llama.cpp's token_to_id map.
        tok.m_pieceToId.emplace(entry.text, id);
        unsigned value = 0;
        char tail = 0;
        if (entry.text.size() == 6 &&
            std::sscanf(entry.text.c_str(), "<0x%2X>%c", &value, &tail) == 1 &&
            tok.m_byteToken[value] < 0) {
            tok.m_byteToken[value] = id;
        }
    }
    for (std::size_t rank = 0; rank < spec.merges.size(); ++rank) {
        const auto& [left, right] = spec.merges[rank];
        std::string key = left;
        key.push_back('\0');
        key += right;
        tok.m_mergeRank.emplace(std::move(key), static_cast<std::int32_t>(rank));
    }
    if (spec.kind == TokenizerKind::ByteLevelBpe) {
        if (spec.pre.split == BpeSplit::Gpt4o) {
            return makeError(ErrorCode::Unsupported,
                             "tokenizer: the byte-level pre-tokenizer " +
                                 std::string(spec.pre.ggufName) +
                                 " (GPT-4o's expression) is not implemented for tokenizing text");
        }
        for (std::int32_t id = 0; id < n; ++id) {
            const TokenEntry& entry = spec.tokens[static_cast<std::size_t>(id)];
            if (entry.type == TokenType::UserDefined && !entry.text.empty()) {
                tok.m_userDefinedByLength.push_back(id);
            }
        }
        std::stable_sort(tok.m_userDefinedByLength.begin(), tok.m_userDefinedByLength.end(),
                         [&](std::int32_t a, std::int32_t b) {
                             return spec.tokens[static_cast<std::size_t>(a)].text.size() >
                                    spec.tokens[static_cast<std::size_t>(b)].text.size();
                         });
    }
    tok.m_spec = std::move(spec);
    return tok;
}

bool Tokenizer::mergeScore(std::string_view a, std::string_view b, std::string& scratch,
                           double& score) const {
    scratch.assign(a);
    if (!m_mergeRank.empty()) {
        scratch.push_back('\0');
        scratch.append(b);
        const auto it = m_mergeRank.find(scratch);
        if (it == m_mergeRank.end()) {
            return false;
        }
        score = -static_cast<double>(it->second); // lower rank merges first
        return true;
    }
    scratch.append(b);
    const auto it = m_pieceToId.find(scratch);
    if (it == m_pieceToId.end()) {
        return false;
    }
    score = m_spec.tokens[static_cast<std::size_t>(it->second)].score;
    return true;
}

void Tokenizer::appendPiece(std::string_view piece, std::vector<std::int32_t>& out) const {
    if (const auto it = m_pieceToId.find(std::string(piece)); it != m_pieceToId.end()) {
        out.push_back(it->second);
        return;
    }
    if (m_spec.kind == TokenizerKind::ByteLevelBpe) {
        // llama.cpp looks up each byte of the piece's UTF-8 on its own and drops bytes that are
        // not tokens; with a complete byte alphabet only unmerged symbols outside it get here.
        for (const char c : piece) {
            if (const auto it = m_pieceToId.find(std::string(1, c)); it != m_pieceToId.end()) {
                out.push_back(it->second);
            }
        }
        return;
    }
    // Byte fallback: every byte of a piece outside the vocabulary becomes its <0xXX> token.
    for (const char c : piece) {
        const std::int32_t id = m_byteToken[static_cast<unsigned char>(c)];
        out.push_back(id >= 0 ? id : m_spec.unk);
    }
}

void Tokenizer::mergeAndAppend(std::string_view text, std::vector<std::int32_t>& out) const {
    // One symbol per code point.
    std::vector<Symbol> symbols;
    symbols.reserve(text.size());
    for (std::size_t offset = 0; offset < text.size();) {
        const std::size_t len =
            std::min(utf8Length(static_cast<unsigned char>(text[offset])), text.size() - offset);
        Symbol s;
        s.offset = offset;
        s.length = len;
        s.prev = static_cast<int>(symbols.size()) - 1;
        s.next = offset + len < text.size() ? static_cast<int>(symbols.size()) + 1 : -1;
        symbols.push_back(s);
        offset += len;
    }

    std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue;
    std::string scratch;
    auto view = [&](const Symbol& s) {
        return text.substr(s.offset, s.length);
    };
    auto tryAdd = [&](int left, int right) {
        if (left < 0 || right < 0) {
            return;
        }
        double score = 0.0;
        if (mergeScore(view(symbols[static_cast<std::size_t>(left)]),
                       view(symbols[static_cast<std::size_t>(right)]), scratch, score)) {
            queue.push(Bigram{score, left, right,
                              symbols[static_cast<std::size_t>(left)].length +
                                  symbols[static_cast<std::size_t>(right)].length});
        }
    };
    for (int i = 1; i < static_cast<int>(symbols.size()); ++i) {
        tryAdd(i - 1, i);
    }
    while (!queue.empty()) {
        const Bigram top = queue.top();
        queue.pop();
        Symbol& left = symbols[static_cast<std::size_t>(top.left)];
        Symbol& right = symbols[static_cast<std::size_t>(top.right)];
        if (left.length == 0 || right.length == 0 || left.length + right.length != top.size ||
            left.next != top.right) {
            continue; // stale: one side was merged elsewhere since this candidate was queued
        }
        left.length += right.length;
        right.length = 0;
        left.next = right.next;
        if (right.next >= 0) {
            symbols[static_cast<std::size_t>(right.next)].prev = top.left;
        }
        tryAdd(left.prev, top.left);
        tryAdd(top.left, left.next);
    }

    for (int i = 0; i >= 0 && i < static_cast<int>(symbols.size());
         i = symbols[static_cast<std::size_t>(i)].next) {
        appendPiece(view(symbols[static_cast<std::size_t>(i)]), out);
    }
}

void Tokenizer::encodeByteLevelWords(std::string_view text, std::vector<std::int32_t>& out) const {
    std::string symbols;
    for (const std::string& word : splitBpeWords(text, m_spec.pre.split)) {
        symbols.clear();
        for (const char c : word) {
            symbols += unicode::byteSymbol(static_cast<std::uint8_t>(c));
        }
        if (m_spec.pre.ignoreMerges) {
            if (const auto it = m_pieceToId.find(symbols); it != m_pieceToId.end()) {
                out.push_back(it->second);
                continue;
            }
        }
        mergeAndAppend(symbols, out);
    }
}

void Tokenizer::encodeByteLevel(std::string_view text, std::vector<std::int32_t>& out) const {
    // User-defined tokens are cut out of the text first, longest first, as llama.cpp's
    // tokenizer_st_partition does even without parse_special; the rest is pre-tokenized.
    struct Fragment {
        std::string_view text; // empty for a token
        std::int32_t token = -1;
    };
    std::vector<Fragment> fragments{Fragment{text, -1}};
    for (const std::int32_t id : m_userDefinedByLength) {
        const std::string& special = m_spec.tokens[static_cast<std::size_t>(id)].text;
        std::vector<Fragment> next;
        for (const Fragment& f : fragments) {
            if (f.token >= 0) {
                next.push_back(f);
                continue;
            }
            std::string_view rest = f.text;
            for (std::size_t at = rest.find(special); at != std::string_view::npos;
                 at = rest.find(special)) {
                if (at > 0) {
                    next.push_back(Fragment{rest.substr(0, at), -1});
                }
                next.push_back(Fragment{{}, id});
                rest.remove_prefix(at + special.size());
            }
            if (!rest.empty()) {
                next.push_back(Fragment{rest, -1});
            }
        }
        fragments = std::move(next);
    }
    for (const Fragment& f : fragments) {
        if (f.token >= 0) {
            out.push_back(f.token);
        } else {
            encodeByteLevelWords(f.text, out);
        }
    }
}

std::vector<std::int32_t> Tokenizer::encode(std::string_view text, bool addBos) const {
    std::vector<std::int32_t> out;
    if (addBos && m_spec.addBos && m_spec.bos >= 0) {
        out.push_back(m_spec.bos);
    }
    if (text.empty()) {
        return out;
    }
    if (m_spec.kind == TokenizerKind::ByteLevelBpe) {
        encodeByteLevel(text, out);
        return out;
    }
    // Normalize: dummy prefix, then every space becomes U+2581.
    std::string normalized;
    normalized.reserve(text.size() + text.size() / 4 + 3);
    if (m_spec.addSpacePrefix) {
        normalized.append(kSpaceMark);
    }
    for (const char c : text) {
        if (c == ' ') {
            normalized.append(kSpaceMark);
        } else {
            normalized.push_back(c);
        }
    }
    mergeAndAppend(normalized, out);
    return out;
}

std::string_view Tokenizer::piece(std::int32_t id) const {
    if (id < 0 || static_cast<std::size_t>(id) >= m_spec.tokens.size()) {
        return {};
    }
    return m_spec.tokens[static_cast<std::size_t>(id)].text;
}

std::string Tokenizer::decode(std::span<const std::int32_t> ids) const {
    std::string text;
    bool first = true;
    for (const std::int32_t id : ids) {
        if (id < 0 || static_cast<std::size_t>(id) >= m_spec.tokens.size()) {
            continue;
        }
        const TokenEntry& entry = m_spec.tokens[static_cast<std::size_t>(id)];
        if (entry.type == TokenType::Control || entry.type == TokenType::Unknown ||
            entry.type == TokenType::Unused) {
            continue;
        }
        if (entry.type == TokenType::Byte) {
            unsigned value = 0;
            if (std::sscanf(entry.text.c_str(), "<0x%2X>", &value) == 1) {
                text.push_back(static_cast<char>(value));
            }
            first = false;
            continue;
        }
        std::string_view p = entry.text;
        if (m_spec.kind == TokenizerKind::ByteLevelBpe) {
            appendByteLevelPiece(p, text);
            first = false;
            continue;
        }
        if (first && m_spec.addSpacePrefix && p.starts_with(kSpaceMark)) {
            p.remove_prefix(kSpaceMark.size());
        }
        first = false;
        for (std::size_t i = 0; i < p.size();) {
            if (p.substr(i).starts_with(kSpaceMark)) {
                text.push_back(' ');
                i += kSpaceMark.size();
            } else {
                text.push_back(p[i++]);
            }
        }
    }
    return text;
}

} // namespace qs::core
