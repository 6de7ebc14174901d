#include "core/io/llama2c_reader.h"

#include "core/fs/byte_cursor.h"
#include "core/logging.h"
#include "core/try.h"

#include <array>
#include <cctype>
#include <filesystem>
#include <spdlog/spdlog.h>

namespace qs::core {
namespace {

constexpr std::uint64_t kHeaderBytes = 7 * sizeof(std::int32_t);
constexpr float kRmsEpsilon = 1e-5f; // run.c hard-codes it

struct Llama2cConfig {
    std::int32_t dim, hiddenDim, layers, heads, kvHeads, vocab, seqLen;
};

// Every size is bounded so that products below stay far from 64-bit overflow.
bool plausible(const Llama2cConfig& c) {
    constexpr std::int32_t kMax = 1 << 20;
    const auto inRange = [](std::int32_t v, std::int32_t hi) {
        return v > 0 && v <= hi;
    };
    return inRange(c.dim, kMax) && inRange(c.hiddenDim, kMax) && inRange(c.layers, 4096) &&
           inRange(c.heads, 4096) && inRange(c.kvHeads, 4096) && c.vocab != 0 &&
           c.vocab >= -(1 << 24) && c.vocab <= (1 << 24) && inRange(c.seqLen, kMax) &&
           c.dim % c.heads == 0 && c.heads % c.kvHeads == 0 && (c.dim / c.heads) % 2 == 0;
}

Result<Llama2cConfig> readConfig(ByteCursor& in) {
    std::array<std::int32_t, 7> v{};
    for (auto& x : v) {
        QS_TRY_ASSIGN(value, in.read<std::int32_t>("llama2.c header"));
        x = value;
    }
    Llama2cConfig c{v[0], v[1], v[2], v[3], v[4], v[5], v[6]};
    if (!plausible(c)) {
        return in.errorAt("llama2.c header (dim " + std::to_string(c.dim) + ", hidden " +
                              std::to_string(c.hiddenDim) + ", layers " + std::to_string(c.layers) +
                              ", heads " + std::to_string(c.heads) + "/" +
                              std::to_string(c.kvHeads) + ", vocab " + std::to_string(c.vocab) +
                              ", seq_len " + std::to_string(c.seqLen) + ") is not plausible",
                          0);
    }
    return c;
}

bool isByteToken(const std::string& t) {
    return t.size() == 6 && t.starts_with("<0x") && t[5] == '>' &&
           std::isxdigit(static_cast<unsigned char>(t[3])) &&
           std::isxdigit(static_cast<unsigned char>(t[4]));
}

std::string findTokenizer(const std::filesystem::path& model, std::uint32_t vocab) {
    const auto dir = model.parent_path();
    for (const auto& name :
         {std::string("tokenizer.bin"), "tok" + std::to_string(vocab) + ".bin"}) {
        if (std::filesystem::is_regular_file(dir / name)) {
            return (dir / name).string();
        }
    }
    return {};
}

} // namespace

bool looksLikeLlama2c(const std::string& path) {
    auto file = MappedFile::open(path);
    if (!file) {
        return false;
    }
    ByteCursor in((*file)->bytes(), path);
    return readConfig(in).ok();
}

Status readLlama2cTokenizer(const std::string& path, std::uint32_t vocabSize, Metadata& out) {
    QS_TRY_ASSIGN(file, MappedFile::open(path));
    ByteCursor in(file->bytes(), path);
    QS_TRY_ASSIGN(maxTokenLength, in.read<std::int32_t>("tokenizer max token length"));
    (void)maxTokenLength; // run.c sizes a buffer with it; lengths are checked per token here
    std::vector<std::string> tokens;
    std::vector<float> scores;
    std::vector<std::int32_t> types;
    tokens.reserve(vocabSize);
    for (std::uint32_t id = 0; id < vocabSize; ++id) {
        QS_TRY_ASSIGN(score, in.read<float>("token score"));
        const auto at = in.offset();
        QS_TRY_ASSIGN(length, in.read<std::int32_t>("token length"));
        if (length < 0 || static_cast<std::uint64_t>(length) > in.remaining()) {
            return in.errorAt("token " + std::to_string(id) + ": length " + std::to_string(length) +
                                  " runs past the end of the file",
                              at);
        }
        QS_TRY_ASSIGN(raw, in.bytes(static_cast<std::uint64_t>(length), "token text"));
        std::string text(reinterpret_cast<const char*>(raw.data()), raw.size());
        // Token types as llama.cpp's vocabulary expects: 1 normal, 2 unknown, 3 control, 6 byte.
        std::int32_t type = 1;
        if (id == 0) {
            text = "<unk>";
            type = 2;
        } else if (id == 1 || id == 2) {
            text = id == 1 ? "<s>" : "</s>"; // stored as "\n<s>\n" by llama2.c's exporter
            type = 3;
        } else if (isByteToken(text)) {
            type = 6;
        } else {
            // SentencePiece's word-boundary marker, stored as a plain space by llama2.c.
            std::string spm;
            for (char c : text) {
                spm += c == ' ' ? std::string("\xE2\x96\x81") : std::string(1, c);
            }
            text = std::move(spm);
        }
        tokens.push_back(std::move(text));
        scores.push_back(score);
        types.push_back(type);
    }
    out.set("tokenizer.ggml.model", MetaValue(std::string("llama")));
    out.set("tokenizer.ggml.tokens", MetaValue(MetaArray::ofStrings(std::move(tokens))));
    out.set("tokenizer.ggml.scores", MetaValue(MetaArray::ofFloat32(scores)));
    out.set("tokenizer.ggml.token_type", MetaValue(MetaArray::ofInt32(types)));
    out.set("tokenizer.ggml.unknown_token_id", MetaValue(std::uint32_t{0}));
    out.set("tokenizer.ggml.bos_token_id", MetaValue(std::uint32_t{1}));
    out.set("tokenizer.ggml.eos_token_id", MetaValue(std::uint32_t{2}));
    return {};
}

Result<Model> readLlama2c(const std::string& path, const std::string& tokenizerPath) {
    QS_TRY_ASSIGN(file, MappedFile::open(path));
    ByteCursor in(file->bytes(), path);
    QS_TRY_ASSIGN(c, readConfig(in));
    const bool sharedClassifier = c.vocab > 0;
    const auto vocab = static_cast<std::uint64_t>(c.vocab > 0 ? c.vocab : -c.vocab);
    const auto dim = static_cast<std::uint64_t>(c.dim);
    const auto hidden = static_cast<std::uint64_t>(c.hiddenDim);
    const auto layers = static_cast<std::uint64_t>(c.layers);
    const std::uint64_t headSize = dim / static_cast<std::uint64_t>(c.heads);
    const std::uint64_t kvDim = headSize * static_cast<std::uint64_t>(c.kvHeads);

    // Array offsets in run.c's order (memory_map_weights); sizes in floats.
    std::uint64_t cursor = kHeaderBytes;
    auto take = [&](std::uint64_t floats) {
        const std::uint64_t at = cursor;
        cursor += floats * sizeof(float);
        return at;
    };
    const auto embedding = take(vocab * dim);
    const auto rmsAtt = take(layers * dim);
    const auto wq = take(layers * dim * dim);
    const auto wk = take(layers * kvDim * dim);
    const auto wv = take(layers * kvDim * dim);
    const auto wo = take(layers * dim * dim);
    const auto rmsFfn = take(layers * dim);
    const auto w1 = take(layers * hidden * dim);
    const auto w2 = take(layers * dim * hidden);
    const auto w3 = take(layers * hidden * dim);
    const auto rmsFinal = take(dim);
    take(static_cast<std::uint64_t>(c.seqLen) * headSize / 2); // freq_cis_real (unused)
    take(static_cast<std::uint64_t>(c.seqLen) * headSize / 2); // freq_cis_imag (unused)
    const auto classifier = sharedClassifier ? embedding : take(vocab * dim);
    if (cursor > file->size()) {
        return makeError(ErrorCode::Format, path +
                                                ": llama2.c checkpoint is truncated: header "
                                                "implies " +
                                                std::to_string(cursor) + " bytes, file has " +
                                                std::to_string(file->size()));
    }

    std::vector<TensorInfo> tensors;
    auto add = [&](std::string name, std::vector<std::uint64_t> dims, std::uint64_t offset) {
        TensorInfo t;
        t.name = std::move(name);
        t.sourceName = t.name;
        t.dims = std::move(dims);
        t.byteSize = t.elementCount() * sizeof(float);
        t.offset = offset;
        tensors.push_back(std::move(t));
    };
    // GGUF dims are the reverse of run.c's row-major [out, in] shapes.
    add("token_embd.weight", {dim, vocab}, embedding);
    add("output_norm.weight", {dim}, rmsFinal);
    add("output.weight", {dim, vocab}, classifier);
    for (std::uint64_t l = 0; l < layers; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        add(p + "attn_q.weight", {dim, dim}, wq + l * dim * dim * 4);
        add(p + "attn_k.weight", {dim, kvDim}, wk + l * kvDim * dim * 4);
        add(p + "attn_v.weight", {dim, kvDim}, wv + l * kvDim * dim * 4);
        add(p + "attn_output.weight", {dim, dim}, wo + l * dim * dim * 4);
        add(p + "attn_norm.weight", {dim}, rmsAtt + l * dim * 4);
        add(p + "ffn_gate.weight", {dim, hidden}, w1 + l * hidden * dim * 4);
        add(p + "ffn_down.weight", {hidden, dim}, w2 + l * dim * hidden * 4);
        add(p + "ffn_up.weight", {dim, hidden}, w3 + l * hidden * dim * 4);
        add(p + "ffn_norm.weight", {dim}, rmsFfn + l * dim * 4);
    }

    Metadata md;
    md.set("general.architecture", MetaValue(std::string("llama")));
    md.set("general.name", MetaValue(std::filesystem::path(path).stem().string()));
    md.set("llama.context_length", MetaValue(static_cast<std::uint32_t>(c.seqLen)));
    md.set("llama.embedding_length", MetaValue(static_cast<std::uint32_t>(dim)));
    md.set("llama.feed_forward_length", MetaValue(static_cast<std::uint32_t>(hidden)));
    md.set("llama.attention.head_count", MetaValue(static_cast<std::uint32_t>(c.heads)));
    md.set("llama.attention.head_count_kv", MetaValue(static_cast<std::uint32_t>(c.kvHeads)));
    md.set("llama.block_count", MetaValue(static_cast<std::uint32_t>(layers)));
    md.set("llama.rope.dimension_count", MetaValue(static_cast<std::uint32_t>(headSize)));
    md.set("llama.attention.layer_norm_rms_epsilon", MetaValue(kRmsEpsilon));
    md.set("general.file_type", MetaValue(std::uint32_t{0})); // all F32

    const std::string tokenizer = tokenizerPath.empty()
                                      ? findTokenizer(path, static_cast<std::uint32_t>(vocab))
                                      : tokenizerPath;
    if (tokenizer.empty()) {
        coreLog().warn("{}: no tokenizer.bin found beside the checkpoint; the model has no "
                       "vocabulary",
                       path);
    } else if (auto s = readLlama2cTokenizer(tokenizer, static_cast<std::uint32_t>(vocab), md);
               !s) {
        return s.error();
    }
    return Model(ModelFormat::Llama2c, path, {file}, std::move(md), std::move(tensors));
}

} // namespace qs::core
