#include "core/eval/tokenizer_load.h"
#include "core/model/metadata.h"

namespace qs::core {

Result<Tokenizer> tokenizerFromMetadata(const Metadata& md) {
    const std::string model = md.string("tokenizer.ggml.model");
    if (model != "llama") {
        return makeError(ErrorCode::Unsupported,
                         "tokenizer model \"" + model + "\" is not supported (only \"llama\")");
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
    spec.bos = id("tokenizer.ggml.bos_token_id", 1);
    spec.eos = id("tokenizer.ggml.eos_token_id", 2);
    spec.unk = id("tokenizer.ggml.unknown_token_id", 0);
    // llama.cpp's defaults for SPM vocabularies when the keys are absent.
    spec.addBos = md.integer("tokenizer.ggml.add_bos_token").value_or(1) != 0;
    spec.addSpacePrefix = md.integer("tokenizer.ggml.add_space_prefix").value_or(1) != 0;
    return Tokenizer::create(std::move(spec));
}

} // namespace qs::core
