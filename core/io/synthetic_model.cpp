#include "core/io/synthetic_model.h"

#include "core/io/gguf_reader.h"
#include "core/model/architecture.h"
#include "core/paths.h"
#include "core/quant/half.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <span>

namespace qs::core {
namespace {

constexpr std::uint64_t kChunkBytes = 4u << 20;
constexpr std::size_t kTableSize = 1u << 16; // one 16-bit slice of a random word per sample
constexpr float kOutlierGain = 8.0f;

// SplitMix64: seeds the per-row generators from (seed, tensor, row).
std::uint64_t splitMix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

// wyrand: one multiply per 64 random bits, four samples per call.
struct WyRand {
    std::uint64_t state;
    std::uint64_t next() {
        state += 0xa0761d6478bd642full;
        const unsigned __int128 m =
            static_cast<unsigned __int128>(state) * (state ^ 0xe7037ed1a0b428dbull);
        return static_cast<std::uint64_t>(m >> 64) ^ static_cast<std::uint64_t>(m);
    }
};

// Quantiles of Student's t with 4 degrees of freedom (closed form), scaled to unit variance,
// at the midpoints of 65536 equal-probability bins: indexing with 16 random bits samples it.
const std::array<float, kTableSize>& unitStudentT4() {
    static const auto table = [] {
        auto t = std::make_unique<std::array<float, kTableSize>>();
        for (std::size_t i = 0; i < kTableSize; ++i) {
            const double p = (static_cast<double>(i) + 0.5) / kTableSize;
            const double alpha = 4.0 * p * (1.0 - p);
            const double q = std::cos(std::acos(std::sqrt(alpha)) / 3.0) / std::sqrt(alpha);
            const double x = 2.0 * std::sqrt(std::max(q - 1.0, 0.0));
            (*t)[i] = static_cast<float>((p < 0.5 ? -x : x) / std::sqrt(2.0));
        }
        return t;
    }();
    return *table;
}

std::uint32_t fileTypeFor(GgmlType t) {
    return t == GgmlType::F16 ? 1 : t == GgmlType::BF16 ? 32 : 0; // llama_ftype
}

// A sample table in the storage type (uint16_t holds F16/BF16 bits, uint32_t F32 bits), so
// that the hot loop is a lookup and a store.
template <typename Element>
std::vector<Element> storedTable(GgmlType type, float scale, bool logNormal) {
    const auto& unit = unitStudentT4();
    std::vector<Element> out(kTableSize);
    for (std::size_t i = 0; i < kTableSize; ++i) {
        const float v = logNormal ? std::exp(scale * unit[i]) : scale * unit[i];
        if constexpr (sizeof(Element) == 4) {
            std::memcpy(&out[i], &v, 4);
        } else {
            out[i] = type == GgmlType::F16 ? fp32ToFp16(v) : fp32ToBf16(v);
        }
    }
    return out;
}

template <typename Element>
void fillRow(Element* out, std::uint64_t n, const Element* table, const Element* outlierTable,
             const std::vector<std::uint32_t>& outliers, std::uint64_t rowSeed) {
    WyRand rng{rowSeed};
    std::uint64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const std::uint64_t r = rng.next();
        out[i] = table[r & 0xffff];
        out[i + 1] = table[(r >> 16) & 0xffff];
        out[i + 2] = table[(r >> 32) & 0xffff];
        out[i + 3] = table[r >> 48];
    }
    if (i < n) {
        std::uint64_t r = rng.next();
        for (; i < n; ++i, r >>= 16) {
            out[i] = table[r & 0xffff];
        }
    }
    for (const std::uint32_t c : outliers) {
        if (c < n) {
            out[c] = outlierTable[rng.next() & 0xffff];
        }
    }
}

struct TensorJob {
    GgufWriter& writer;
    const GgufTensorSpec& spec;
    std::uint64_t seed;
    const std::vector<std::uint32_t>& outliers;
    std::vector<std::uint64_t>& buffer;
    std::uint64_t& done;
    std::uint64_t total;
    ProgressSink& progress;
    const CancelToken& cancel;
    const std::string& outPath;
};

// Generates and writes one tensor, a chunk of rows at a time; row r is drawn from its own
// generator seeded by (tensor seed, r), so the bytes do not depend on the chunking.
template <typename Element>
Status writeTensor(TensorJob& job) {
    const GgufTensorSpec& spec = job.spec;
    const std::uint64_t cols = spec.dims[0];
    std::uint64_t rows = 1; // every row of every expert of a 3-D tensor
    for (std::size_t d = 1; d < spec.dims.size(); ++d) {
        rows *= spec.dims[d];
    }
    const bool isBias = spec.name.ends_with(".bias");
    const bool isNorm = spec.dims.size() == 1 && !isBias;
    // Norms: exp(0.1 t), median 1 with a heavy upper tail. Biases: 0.1 t. Matrices:
    // t / sqrt(fan-in).
    const float scale = isNorm || isBias ? 0.1f : 1.0f / std::sqrt(static_cast<float>(cols));
    const auto table = storedTable<Element>(spec.type, scale, isNorm);
    const auto outlierTable = storedTable<Element>(spec.type, scale * kOutlierGain, isNorm);
    const std::uint64_t rowBytes = cols * sizeof(Element);
    const std::uint64_t rowsPerChunk = std::max<std::uint64_t>(1, kChunkBytes / rowBytes);
    for (std::uint64_t first = 0; first < rows; first += rowsPerChunk) {
        if (job.cancel.isCancelled()) {
            return makeError(ErrorCode::Cancelled, job.outPath + ": synthesis cancelled");
        }
        const std::uint64_t count = std::min(rowsPerChunk, rows - first);
        job.buffer.resize((count * rowBytes + 7) / 8);
        auto* out = reinterpret_cast<Element*>(job.buffer.data());
        for (std::uint64_t r = 0; r < count; ++r) {
            fillRow(out + r * cols, cols, table.data(), outlierTable.data(), job.outliers,
                    splitMix(job.seed ^ (first + r)));
        }
        const auto bytes = std::as_bytes(std::span(job.buffer)).first(count * rowBytes);
        if (auto st = job.writer.write(bytes); !st) {
            return st;
        }
        job.done += bytes.size();
        job.progress.progress(job.done, job.total, "bytes", spec.name);
    }
    return {};
}

// `count` distinct columns below `n`, chosen by `seed`, sorted.
std::vector<std::uint32_t> pickColumns(std::uint64_t n, std::size_t count, std::uint64_t seed) {
    std::vector<std::uint32_t> cols;
    WyRand rng{seed};
    count = std::min<std::size_t>(count, n);
    while (cols.size() < count) {
        const auto c = static_cast<std::uint32_t>(rng.next() % n);
        if (std::find(cols.begin(), cols.end(), c) == cols.end()) {
            cols.push_back(c);
        }
    }
    std::sort(cols.begin(), cols.end());
    return cols;
}

std::size_t outlierCount(std::uint64_t columns) {
    return std::clamp<std::uint64_t>(columns / 512, 1, 16);
}

// The bundled stories260K vocabulary when no tokenizer source is given.
std::string defaultTokenizerSource() {
    const std::string path = bundledResourcesDir() + "/models/stories260K-f32.gguf";
    std::error_code ec;
    return std::filesystem::exists(path, ec) ? path : std::string();
}

struct Vocabulary {
    std::vector<std::string> tokens;
    std::vector<float> scores;
    std::vector<std::int32_t> types;
};

// <unk>, <s>, </s> and the 256 byte tokens, as llama.cpp's SentencePiece vocabularies have.
Vocabulary generatedVocabulary() {
    Vocabulary v;
    v.tokens = {"<unk>", "<s>", "</s>"};
    v.types = {2, 3, 3}; // UNKNOWN, CONTROL, CONTROL
    for (int b = 0; b < 256; ++b) {
        char text[8];
        std::snprintf(text, sizeof text, "<0x%02X>", b);
        v.tokens.emplace_back(text);
        v.types.push_back(6); // BYTE
    }
    v.scores.assign(v.tokens.size(), 0.0f);
    return v;
}

Result<Vocabulary> loadVocabulary(const std::string& source) {
    if (source.empty()) {
        return generatedVocabulary();
    }
    auto model = readGguf(source);
    if (!model) {
        return model.error();
    }
    const Metadata& md = model->metadata();
    const MetaValue* tokens = md.find("tokenizer.ggml.tokens");
    const MetaValue* scores = md.find("tokenizer.ggml.scores");
    const MetaValue* types = md.find("tokenizer.ggml.token_type");
    if (md.string("tokenizer.ggml.model") != "llama" || tokens == nullptr ||
        tokens->asArray() == nullptr || tokens->asArray()->elementType != MetaType::String) {
        return makeError(ErrorCode::Unsupported,
                         source + ": no SentencePiece (\"llama\") vocabulary to reuse");
    }
    Vocabulary v;
    v.tokens = tokens->asArray()->strings;
    const std::size_t n = v.tokens.size();
    for (std::size_t i = 0; i < n; ++i) {
        const auto* s = scores != nullptr ? scores->asArray() : nullptr;
        const auto* t = types != nullptr ? types->asArray() : nullptr;
        v.scores.push_back(s != nullptr ? static_cast<float>(s->number(i).value_or(0.0)) : 0.0f);
        v.types.push_back(t != nullptr ? static_cast<std::int32_t>(t->integer(i).value_or(1)) : 1);
    }
    return v;
}

} // namespace

std::optional<SyntheticShape> syntheticShapeByName(std::string_view name) {
    SyntheticShape s;
    if (name == "8b") {
        s = {32, 4096, 14336, 32, 8, 128256, 8192, 500000.0f, 1e-5f};
    } else if (name == "1b") {
        s = {16, 2048, 8192, 32, 8, 128256, 8192, 500000.0f, 1e-5f};
    } else if (name == "tiny") {
        s = {2, 64, 172, 8, 4, 512, 2048, 10000.0f, 1e-5f};
    } else if (name == "qwen2.5-7b") {
        s = {28, 3584, 18944, 28, 4, 152064, 32768, 1000000.0f, 1e-6f, "qwen2"};
    } else if (name == "qwen3-8b") {
        s = {36, 4096, 12288, 32, 8, 151936, 40960, 1000000.0f, 1e-6f, "qwen3", 128};
    } else if (name == "gemma3-12b") {
        s = {48, 3840, 15360, 16, 8, 262208, 131072, 1000000.0f, 1e-6f, "gemma3", 256, true, 1024};
    } else if (name == "phi4") {
        s = {40, 5120, 17920, 40, 10, 100352, 16384, 250000.0f, 1e-5f, "phi3"};
    } else if (name == "qwen3-30b-a3b") {
        s = {48,    2048,       6144, 32,    4, 151936, 40960, 1000000.0f,
             1e-6f, "qwen3moe", 128,  false, 0, 128,    8,     768};
    } else if (name == "mixtral-8x7b") {
        s = {32,    4096,    14336, 32,    8, 32000, 32768, 1000000.0f,
             1e-5f, "llama", 0,     false, 0, 8,     2,     14336};
    } else {
        return std::nullopt;
    }
    return s;
}

std::vector<std::string> syntheticShapeNames() {
    return {"8b",         "1b",   "tiny",          "qwen2.5-7b",  "qwen3-8b",
            "gemma3-12b", "phi4", "qwen3-30b-a3b", "mixtral-8x7b"};
}

namespace {

std::uint32_t headDimOf(const SyntheticShape& s) {
    return s.headDim > 0 ? s.headDim : s.dim / s.heads;
}

} // namespace

Status validateSyntheticShape(const SyntheticShape& s) {
    auto bad = [](const std::string& what) {
        return makeError(ErrorCode::InvalidArgument, "synthetic model: " + what);
    };
    const ArchitectureFamily* family = findArchitecture(s.architecture);
    if (!family) {
        return bad("architecture \"" + s.architecture + "\" is not one of " +
                   supportedArchitectureList());
    }
    if ((family->experts && s.experts == 0) || s.experts > 1024 || s.expertsUsed > s.experts ||
        (s.experts > 0 &&
         (s.expertsUsed == 0 || s.expertFfn == 0 || s.expertFfn > 262144 || family->fusedGateUp))) {
        return bad("experts must be 1..1024 with 1..experts used and an expert FFN length, on a "
                   "family without fused gate+up");
    }
    if (s.layers == 0 || s.layers > 1024) {
        return bad("layers must be 1..1024");
    }
    if (s.dim == 0 || s.dim > 65536 || s.ffn == 0 || s.ffn > 262144) {
        return bad("dim must be 1..65536 and ffn 1..262144");
    }
    if (s.vocab < 3 || s.vocab > (1u << 22)) {
        return bad("vocab must be 3..4194304");
    }
    if (s.heads == 0 || (s.headDim == 0 && s.dim % s.heads != 0) || headDimOf(s) % 2 != 0 ||
        headDimOf(s) > 1024) {
        return bad("heads must divide dim into an even head dimension (or set one up to 1024)");
    }
    if (s.kvHeads == 0 || s.heads % s.kvHeads != 0) {
        return bad("kv-heads must divide heads");
    }
    return {};
}

std::vector<GgufTensorSpec> syntheticTensors(const SyntheticShape& s, GgmlType type) {
    const ArchitectureFamily* family = findArchitecture(s.architecture);
    const ArchitectureFamily& f = family ? *family : *findArchitecture("llama");
    const std::uint64_t dim = s.dim;
    const std::uint64_t headDim = headDimOf(s);
    const std::uint64_t qDim = headDim * s.heads;
    const std::uint64_t kvDim = headDim * s.kvHeads;
    std::vector<GgufTensorSpec> t;
    t.push_back({"token_embd.weight", {dim, s.vocab}, type});
    for (std::uint32_t l = 0; l < s.layers; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        t.push_back({b + "attn_norm.weight", {dim}, GgmlType::F32});
        if (f.fusedQkv) {
            t.push_back({b + "attn_qkv.weight", {dim, qDim + 2 * kvDim}, type});
        } else {
            t.push_back({b + "attn_q.weight", {dim, qDim}, type});
            t.push_back({b + "attn_k.weight", {dim, kvDim}, type});
            t.push_back({b + "attn_v.weight", {dim, kvDim}, type});
        }
        if (f.qkvBias == Presence::Required) {
            t.push_back({b + "attn_q.bias", {qDim}, GgmlType::F32});
            t.push_back({b + "attn_k.bias", {kvDim}, GgmlType::F32});
            t.push_back({b + "attn_v.bias", {kvDim}, GgmlType::F32});
        }
        if (f.qkNorm) {
            t.push_back({b + "attn_q_norm.weight", {headDim}, GgmlType::F32});
            t.push_back({b + "attn_k_norm.weight", {headDim}, GgmlType::F32});
        }
        t.push_back({b + "attn_output.weight", {qDim, dim}, type});
        if (f.postNorms) {
            t.push_back({b + "post_attention_norm.weight", {dim}, GgmlType::F32});
        }
        t.push_back({b + "ffn_norm.weight", {dim}, GgmlType::F32});
        if (s.experts > 0) {
            const std::uint64_t n = s.experts;
            t.push_back({b + "ffn_gate_inp.weight", {dim, n}, type});
            t.push_back({b + "ffn_gate_exps.weight", {dim, s.expertFfn, n}, type});
            t.push_back({b + "ffn_down_exps.weight", {s.expertFfn, dim, n}, type});
            t.push_back({b + "ffn_up_exps.weight", {dim, s.expertFfn, n}, type});
        } else if (f.fusedGateUp) {
            t.push_back({b + "ffn_up.weight", {dim, 2 * std::uint64_t{s.ffn}}, type});
        } else {
            t.push_back({b + "ffn_gate.weight", {dim, s.ffn}, type});
            t.push_back({b + "ffn_up.weight", {dim, s.ffn}, type});
        }
        if (s.experts == 0) {
            t.push_back({b + "ffn_down.weight", {s.ffn, dim}, type});
        }
        if (f.postNorms) {
            t.push_back({b + "post_ffw_norm.weight", {dim}, GgmlType::F32});
        }
    }
    t.push_back({"output_norm.weight", {dim}, GgmlType::F32});
    if (!s.tiedOutput) {
        t.push_back({"output.weight", {dim, s.vocab}, type});
    }
    return t;
}

Result<Metadata> syntheticMetadata(const SyntheticOptions& o) {
    if (auto st = validateSyntheticShape(o.shape); !st) {
        return st.error();
    }
    const SyntheticShape& s = o.shape;
    auto vocab =
        loadVocabulary(o.tokenizerSource.empty() ? defaultTokenizerSource() : o.tokenizerSource);
    if (!vocab) {
        return vocab.error();
    }
    Vocabulary& v = *vocab;
    if (v.tokens.size() > s.vocab) {
        v.tokens.resize(s.vocab);
        v.scores.resize(s.vocab);
        v.types.resize(s.vocab);
    }
    // Padding as convert_hf_to_gguf.py pads SentencePiece vocabularies.
    for (std::size_t i = v.tokens.size(); i < s.vocab; ++i) {
        v.tokens.push_back("[PAD" + std::to_string(i) + "]");
        v.scores.push_back(-1000.0f);
        v.types.push_back(5); // UNUSED
    }
    Metadata md;
    auto u32 = [](std::uint32_t x) {
        return MetaValue(x);
    };
    const std::string p = s.architecture + ".";
    md.set("general.architecture", MetaValue(s.architecture));
    md.set("general.name", MetaValue(o.name));
    md.set(p + "block_count", u32(s.layers));
    md.set(p + "context_length", u32(s.contextLength));
    md.set(p + "embedding_length", u32(s.dim));
    md.set(p + "feed_forward_length", u32(s.ffn));
    md.set(p + "attention.head_count", u32(s.heads));
    md.set(p + "attention.head_count_kv", u32(s.kvHeads));
    md.set(p + "rope.freq_base", MetaValue(s.ropeBase));
    md.set(p + "attention.layer_norm_rms_epsilon", MetaValue(s.rmsEpsilon));
    md.set("general.file_type", u32(fileTypeFor(o.type)));
    md.set(p + "vocab_size", u32(s.vocab));
    md.set(p + "rope.dimension_count", u32(headDimOf(s)));
    if (s.headDim > 0) {
        md.set(p + "attention.key_length", u32(s.headDim));
        md.set(p + "attention.value_length", u32(s.headDim));
    }
    if (s.experts > 0) {
        md.set(p + "expert_count", u32(s.experts));
        md.set(p + "expert_used_count", u32(s.expertsUsed));
        md.set(p + "expert_feed_forward_length", u32(s.expertFfn));
    }
    if (s.slidingWindow > 0) {
        md.set(p + "attention.sliding_window", u32(s.slidingWindow));
        md.set(p + "rope.freq_base_swa", MetaValue(10000.0f));
    }
    md.set("quantscope.synthetic.seed", MetaValue(o.seed));
    md.set("tokenizer.ggml.model", MetaValue("llama"));
    md.set("tokenizer.ggml.tokens", MetaValue(MetaArray::ofStrings(std::move(v.tokens))));
    md.set("tokenizer.ggml.scores", MetaValue(MetaArray::ofFloat32(v.scores)));
    md.set("tokenizer.ggml.token_type", MetaValue(MetaArray::ofInt32(v.types)));
    md.set("tokenizer.ggml.bos_token_id", u32(1));
    md.set("tokenizer.ggml.eos_token_id", u32(2));
    md.set("tokenizer.ggml.unknown_token_id", u32(0));
    return md;
}

Status writeSyntheticModel(const std::string& outPath, const SyntheticOptions& o,
                           ProgressSink& progress, const CancelToken& cancel) {
    if (o.type != GgmlType::F16 && o.type != GgmlType::F32 && o.type != GgmlType::BF16) {
        return makeError(ErrorCode::InvalidArgument, "synthetic model: type must be F16, F32 "
                                                     "or BF16");
    }
    auto md = syntheticMetadata(o);
    if (!md) {
        return md.error();
    }
    std::vector<GgufTensorSpec> specs = syntheticTensors(o.shape, o.type);
    const std::vector<GgufTensorSpec> plan = specs;
    auto writer = GgufWriter::create(outPath, *md, std::move(specs));
    if (!writer) {
        return writer.error();
    }
    GgufWriter& w = **writer;
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < plan.size(); ++i) {
        total += w.tensorBytes(i);
    }
    // The residual stream's outlier channels, shared by every matrix that reads it.
    const std::uint64_t modelSeed = splitMix(o.seed);
    const auto residualOutliers =
        pickColumns(o.shape.dim, outlierCount(o.shape.dim), splitMix(modelSeed ^ 0x5eed));

    std::vector<std::uint64_t> buffer; // 8-byte aligned storage for any element type
    std::uint64_t done = 0;
    for (std::size_t ti = 0; ti < plan.size(); ++ti) {
        const GgufTensorSpec& spec = plan[ti];
        const std::uint64_t tensorSeed = splitMix(modelSeed + 0x100000001b3ull * (ti + 1));
        std::vector<std::uint32_t> outliers;
        const std::uint64_t cols = spec.dims[0];
        if (spec.dims.size() > 1 && spec.name != "token_embd.weight") {
            outliers = cols == o.shape.dim && spec.name.find("attn_output") == std::string::npos
                           ? residualOutliers
                           : pickColumns(cols, outlierCount(cols), tensorSeed);
        }
        TensorJob job{w,    spec,  tensorSeed, outliers, buffer,
                      done, total, progress,   cancel,   outPath};
        const Status st = spec.type == GgmlType::F32 ? writeTensor<std::uint32_t>(job)
                                                     : writeTensor<std::uint16_t>(job);
        if (!st) {
            return st;
        }
    }
    return w.finish();
}

} // namespace qs::core
