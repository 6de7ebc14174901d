#pragma once

#include "core/error.h"
#include "core/io/bpe_pre_tokenizer.h"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace qs::core {

// Token types with GGUF's ids (tokenizer.ggml.token_type, llama_token_type).
enum class TokenType : std::int32_t {
    Undefined = 0,
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
};

// The algorithm that turns text into pieces.
enum class TokenizerKind {
    // SentencePiece-style BPE (GGUF "llama", llama2.c, HF Llama fast tokenizers): spaces become
    // U+2581, a dummy prefix is added, code points merge pairwise by score (or merge rank) and
    // code points outside the vocabulary fall back to <0xXX> byte tokens.
    SentencePiece,
    // GPT-2 byte-level BPE (GGUF "gpt2": Llama 3, Qwen2/3, Phi-4, ...): the text is cut into
    // words by the pre-tokenizer, each word's bytes become GPT-2's byte symbols, and merges
    // apply in rank order within the word; no space marks, no byte tokens.
    ByteLevelBpe,
};

struct TokenEntry {
    std::string text; // as in the GGUF vocabulary: U+2581 for spaces, "<0x0A>" for bytes
    float score = 0.0f;
    TokenType type = TokenType::Normal;
};

// Everything a loader knows about a vocabulary; Tokenizer::create validates and indexes it.
struct TokenizerSpec {
    TokenizerKind kind = TokenizerKind::SentencePiece;
    std::vector<TokenEntry> tokens;
    // Optional BPE merges as (left piece, right piece) in rank order (HF tokenizer.json). When
    // empty, a pair merges when its concatenation is a token, higher score first (SentencePiece).
    std::vector<std::pair<std::string, std::string>> merges;
    std::int32_t bos = 1;
    std::int32_t eos = 2;
    std::int32_t unk = 0;
    bool addBos = true;
    bool addSpacePrefix = true;
    BpePreTokenizer pre; // ByteLevelBpe only
};

class Tokenizer {
public:
    static Result<Tokenizer> create(TokenizerSpec spec);

    // Token ids of `text`, BOS first when addBos (and the vocabulary asks for it). Special
    // token texts in the input are not parsed (llama.cpp's parse_special = false); for
    // byte-level BPE, user-defined tokens in the text are, as llama.cpp does regardless.
    std::vector<std::int32_t> encode(std::string_view text, bool addBos = true) const;
    // The text of `ids`: U+2581 back to spaces, byte tokens to their bytes, control tokens
    // dropped, and the dummy-prefix space of the first piece removed; byte-level BPE pieces
    // back to their bytes.
    std::string decode(std::span<const std::int32_t> ids) const;
    // The raw piece of one token ("▁the", "<0x0A>"); empty for out-of-range ids.
    std::string_view piece(std::int32_t id) const;

    std::size_t vocabSize() const { return m_spec.tokens.size(); }
    // The BOS a sequence starts with, or -1 when the vocabulary adds none (Qwen's): llama.cpp's
    // perplexity and imatrix tools put BOS at each chunk's start only when add_bos is set.
    std::int32_t bos() const { return m_spec.addBos ? m_spec.bos : -1; }
    std::int32_t eos() const { return m_spec.eos; }
    bool addsBos() const { return m_spec.addBos; }
    const TokenizerSpec& spec() const { return m_spec; }

private:
    Tokenizer() = default;
    // Score of merging the symbol texts a and b, or false when they do not merge.
    bool mergeScore(std::string_view a, std::string_view b, std::string& scratch,
                    double& score) const;
    void appendPiece(std::string_view piece, std::vector<std::int32_t>& out) const;
    // Merges the code points of `text` pairwise (mergeScore) and appends the resulting pieces.
    void mergeAndAppend(std::string_view text, std::vector<std::int32_t>& out) const;
    void encodeByteLevel(std::string_view text, std::vector<std::int32_t>& out) const;
    void encodeByteLevelWords(std::string_view text, std::vector<std::int32_t>& out) const;

    TokenizerSpec m_spec;
    std::unordered_map<std::string, std::int32_t> m_pieceToId;
    // "left\0right" -> merge rank (HF merges only).
    std::unordered_map<std::string, std::int32_t> m_mergeRank;
    std::array<std::int32_t, 256> m_byteToken{};
    // Byte-level BPE: user-defined tokens, longest text first (cut out of the text first).
    std::vector<std::int32_t> m_userDefinedByLength;
};

} // namespace qs::core
