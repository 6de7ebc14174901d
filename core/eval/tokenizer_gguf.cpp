#include "core/eval/tokenizer_load.h"
#include "core/model/metadata.h"

namespace qs::core {

namespace {

// tokenizer.ggml.merges ("left right", split at the first space after the first byte, as
// llama.cpp splits them) and tokenizer.ggml.pre for a "gpt2" vocabulary.
Status readByteLevelBpe(const Metadata& md, TokenizerSpec& spec) {
    const std::string pre = md.string("tokenizer.ggml.pre");
    const std::optional<BpePreTokenizer> settings = bpePreTokenizerFor(pre);
    if (!settings) {
        return makeError(ErrorCode::Unsupported,
                         "byte-level BPE pre-tokenizer \"" + pre +
                             "\" (tokenizer.ggml.pre) is not supported; supported: " +
                             supportedBpePreTokenizers());
    }
    spec.kind = TokenizerKind::ByteLevelBpe;
    spec.pre = *settings;
    const MetaValue* mergesValue = md.find("tokenizer.ggml.merges");
    const MetaArray* merges = mergesValue ? mergesValue->asArray() : nullptr;
    if (!merges || merges->elementType != MetaType::String) {
        return makeError(ErrorCode::Format,
                         "tokenizer.ggml.merges is missing or not strings (a \"gpt2\" vocabulary "
                         "needs its merges)");
    }
    spec.merges.reserve(merges->strings.size());
    for (std::size_t i = 0; i < merges->strings.size(); ++i) {
        const std::string& merge = merges->strings[i];
        const std::size_t space = merge.find(' ', 1);
        if (space == std::string::npos) {
            return makeError(ErrorCode::Format, "tokenizer.ggml.merges[" + std::to_string(i) +
                                                    "] \"" + merge + "\" is not two pieces");
        }
        spec.merges.emplace_back(merge.substr(0, space), merge.substr(space + 1));
    }
    return {};
}

} // namespace

Result<Tokenizer> tokenizerFromMetadata(const Metadata& md) {
    const std::string model = md.string("tokenizer.ggml.model");
    if (model != "llama" && model != "gpt2") {
        return makeError(ErrorCode::Unsupported, "tokenizer model \"" + model +
                                                     "\" is not supported (\"llama\", \"gpt2\")");
    }
    const MetaValue* tokensValue = md.find("tokenizer.ggml.tokens");
    const MetaArray* tokens = tokensValue ? tokensValue->asArray() : nullptr;
    if (!tokens || tokens->elementType != MetaType::String) {
        return makeError(ErrorCode::Format, "tokenizer.ggml.tokens is missing or not strings");
    }
    const MetaValue* scoresValue = md.find("tokenizer.ggml.scores");
    const MetaArray* scores = scoresValue ? scoresValue->asArray() : nullptr;
    const MetaValue* typesValue = md.find("tokenizer.ggml.token_type");
    const MetaArray* types = typesValue ? typesValue->asArray() : nullptr;
    const std::size_t n = tokens->strings.size();
    if ((scores && scores->size() != n) || (types && types->size() != n)) {
        return makeError(ErrorCode::Format,
                         "tokenizer.ggml.scores/token_type do not match the token count " +
                             std::to_string(n));
    }
    TokenizerSpec spec;
    spec.tokens.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        TokenEntry& entry = spec.tokens[i];
        entry.text = tokens->strings[i];
        entry.score = scores ? static_cast<float>(scores->number(i).value_or(0.0)) : 0.0f;
        entry.type =
            types ? static_cast<TokenType>(types->integer(i).value_or(1)) : TokenType::Normal;
    }
    auto id = [&](const char* key, std::int64_t fallback) {
        return static_cast<std::int32_t>(md.integer(key).value_or(fallback));
    };
    if (model == "gpt2") {
        if (Status st = readByteLevelBpe(md, spec); !st.ok()) {
            return st.error();
        }
        // llama.cpp's defaults for BPE vocabularies: BOS/EOS id 11, no unknown token, BOS
        // added only where the pre-tokenizer says so; the keys override them.
        spec.bos = id("tokenizer.ggml.bos_token_id", 11);
        spec.eos = id("tokenizer.ggml.eos_token_id", 11);
        spec.unk = id("tokenizer.ggml.unknown_token_id", -1);
        spec.addBos = md.integer("tokenizer.ggml.add_bos_token").value_or(spec.pre.addBos) != 0;
        spec.addSpacePrefix = false;
        return Tokenizer::create(std::move(spec));
    }
    spec.bos = id("tokenizer.ggml.bos_token_id", 1);
    spec.eos = id("tokenizer.ggml.eos_token_id", 2);
    spec.unk = id("tokenizer.ggml.unknown_token_id", 0);
    // llama.cpp's defaults for SPM vocabularies when the keys are absent.
    spec.addBos = md.integer("tokenizer.ggml.add_bos_token").value_or(1) != 0;
    spec.addSpacePrefix = md.integer("tokenizer.ggml.add_space_prefix").value_or(1) != 0;
    return Tokenizer::create(std::move(spec));
}

} // namespace qs::core
