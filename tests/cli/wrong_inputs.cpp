#include "wrong_inputs.h"

#include "core/export/quantize_model.h"
#include "core/io/gguf_reader.h"
#include "core/io/gguf_writer.h"
#include "core/io/safetensors_writer.h"
#include "core/io/synthetic_model.h"
#include "core/model/model.h"
#include "core/quant/half.h"

#include <bit>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace qs::test {
namespace {

using Bytes = std::vector<std::uint8_t>;
using core::GgmlType;

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();
// The token of '0' in the tiny model's vocabulary: byte tokens start at id 3.
constexpr int kDigitZeroId = 3 + '0';

void check(const core::Status& s, const std::string& what) {
    if (!s) {
        throw std::runtime_error(what + ": " + s.error().toString());
    }
}

Bytes readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

template <typename T>
void put(Bytes& b, T value) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(&value);
    b.insert(b.end(), p, p + sizeof(T));
}

Bytes text(const std::string& s) {
    return Bytes(s.begin(), s.end());
}

// The tiny model every case starts from: 2 blocks, 32 wide, FFN 64, 2 heads / 1 KV head, the
// first 64 tokens of stories260K (byte tokens, so a text of digits tokenizes).
std::string synth(const std::string& work, GgmlType type) {
    core::SyntheticOptions o;
    o.shape = {2, 32, 64, 2, 1, 64, 256};
    o.type = type;
    o.seed = 7;
    o.name = "wrong-inputs-base";
    const std::string path = work + "/tiny-" + std::string(core::ggmlTypeInfo(type).name) + ".gguf";
    core::NullProgressSink progress;
    core::CancelToken cancel;
    check(core::writeSyntheticModel(path, o, progress, cancel), "synth");
    return path;
}

// A GGUF model's bytes with one stored element replaced: `element` counts values of the
// tensor's type (plain types) or, for Q8_0, the block whose scale `d` is replaced.
Bytes patched(const std::string& path, const std::string& tensor, std::uint64_t element,
              float value) {
    Bytes bytes = readBytes(path);
    auto model = core::readGguf(path);
    check(model ? core::Status() : core::Status(model.error()), "read " + path);
    const core::TensorInfo* t = model->findTensor(tensor);
    if (!t) {
        throw std::runtime_error("no tensor " + tensor);
    }
    std::uint8_t* at = bytes.data() + t->offset;
    switch (t->type) {
    case GgmlType::F32:
        std::memcpy(at + element * 4, &value, 4);
        break;
    case GgmlType::F16: {
        const std::uint16_t h = core::fp32ToFp16(value);
        std::memcpy(at + element * 2, &h, 2);
        break;
    }
    case GgmlType::BF16: {
        const auto h = static_cast<std::uint16_t>(std::bit_cast<std::uint32_t>(value) >> 16);
        std::memcpy(at + element * 2, &h, 2);
        break;
    }
    case GgmlType::Q8_0: {
        const std::uint16_t h = core::fp32ToFp16(value);
        std::memcpy(at + element * core::ggmlTypeInfo(GgmlType::Q8_0).bytesPerBlock, &h, 2);
        break;
    }
    default:
        throw std::runtime_error("cannot patch " + tensor);
    }
    return bytes;
}

// The base model with every matrix stored as Q8_0 (norms stay F32).
std::string q8Model(const std::string& work, const std::string& f32Path) {
    auto model = core::readGguf(f32Path);
    check(model ? core::Status() : core::Status(model.error()), "read base");
    core::QuantPlan plan;
    for (const auto& t : model->tensors()) {
        if (t.dims.size() == 2) {
            plan.set(t.name, GgmlType::Q8_0);
        }
    }
    core::QuantizeOptions options;
    options.measureError = false;
    options.threads = 1;
    core::CancelToken cancel;
    core::NullProgressSink progress;
    const std::string out = work + "/tiny-Q8_0.gguf";
    auto r = core::quantizeModel(*model, plan, out, options, cancel, progress);
    check(r ? core::Status() : core::Status(r.error()), "quantize base");
    return out;
}

// An imatrix GGUF written value by value, so that it can hold what the project's own writer
// refuses. Entries: name, columns, matrices, sums, counts; `sumsType` F16 makes a wrong type.
struct RawEntry {
    std::string name;
    std::vector<float> sums;
    std::vector<float> counts;
    std::uint64_t columns = 0;
    bool countsTensor = true;
    GgmlType sumsType = GgmlType::F32;
};

Bytes imatrixGguf(const std::string& work, const std::vector<RawEntry>& entries,
                  const std::string& type = "imatrix") {
    core::Metadata md;
    md.set("general.type", core::MetaValue(type));
    md.set("imatrix.datasets", core::MetaValue(core::MetaArray::ofStrings({"digits.txt"})));
    md.set("imatrix.chunk_count", core::MetaValue(std::uint32_t{4}));
    md.set("imatrix.chunk_size", core::MetaValue(std::uint32_t{16}));
    std::vector<core::GgufTensorSpec> specs;
    for (const auto& e : entries) {
        const std::uint64_t matrices = e.counts.empty() ? 1 : e.counts.size();
        specs.push_back({e.name + ".in_sum2", {e.columns, matrices}, e.sumsType});
        if (e.countsTensor) {
            specs.push_back({e.name + ".counts", {1, matrices}, GgmlType::F32});
        }
    }
    const std::string path = work + "/imatrix.gguf";
    auto writer = core::GgufWriter::create(path, md, specs);
    check(writer ? core::Status() : core::Status(writer.error()), "imatrix writer");
    for (const auto& e : entries) {
        if (e.sumsType == GgmlType::F16) {
            std::vector<std::uint16_t> half;
            for (float v : e.sums) {
                half.push_back(core::fp32ToFp16(v));
            }
            check((*writer)->write(std::as_bytes(std::span(half))), "write");
        } else {
            check((*writer)->write(std::as_bytes(std::span(e.sums))), "write");
        }
        if (e.countsTensor) {
            check((*writer)->write(std::as_bytes(std::span(e.counts))), "write");
        }
    }
    check((*writer)->finish(), "finish");
    return readBytes(path);
}

// Entries for every quantized matrix of the tiny model, sums 1..n, each seen by 64 tokens.
std::vector<RawEntry> goodEntries(const core::Model& model) {
    std::vector<RawEntry> entries;
    for (const auto& t : model.tensors()) {
        if (t.dims.size() != 2 || t.name == "token_embd.weight" || t.name == "output.weight") {
            continue;
        }
        RawEntry e;
        e.name = t.name;
        e.columns = t.dims[0];
        for (std::uint64_t c = 0; c < e.columns; ++c) {
            e.sums.push_back(64.0f * (1.0f + static_cast<float>(c % 7)));
        }
        e.counts = {64.0f};
        entries.push_back(std::move(e));
    }
    return entries;
}

RawEntry& entryNamed(std::vector<RawEntry>& entries, const std::string& name) {
    for (auto& e : entries) {
        if (e.name == name) {
            return e;
        }
    }
    throw std::runtime_error("no entry " + name);
}

// Legacy .dat: count, then per entry name, ncall, nval, values; then chunks and dataset.
Bytes imatrixDat(const std::vector<std::pair<std::string, std::vector<float>>>& entries,
                 std::int32_t ncall) {
    Bytes b;
    put<std::int32_t>(b, static_cast<std::int32_t>(entries.size()));
    for (const auto& [name, values] : entries) {
        put<std::int32_t>(b, static_cast<std::int32_t>(name.size()));
        b.insert(b.end(), name.begin(), name.end());
        put<std::int32_t>(b, ncall);
        put<std::int32_t>(b, static_cast<std::int32_t>(values.size()));
        for (float v : values) {
            put(b, v);
        }
    }
    put<std::int32_t>(b, 4);
    const std::string dataset = "digits.txt";
    put<std::int32_t>(b, static_cast<std::int32_t>(dataset.size()));
    b.insert(b.end(), dataset.begin(), dataset.end());
    return b;
}

// A plan file naming tensors and types as given.
Bytes planJson(const std::vector<std::pair<std::string, std::string>>& tensors) {
    nlohmann::json j = {{"format", "quantscope-plan"},
                        {"version", 1},
                        {"model", "tiny-F32.gguf"},
                        {"source", "wrong-inputs corpus"}};
    j["tensors"] = nlohmann::json::array();
    for (const auto& [name, type] : tensors) {
        j["tensors"].push_back({{"name", name}, {"type", type}});
    }
    return text(j.dump(1) + "\n");
}

// The Hugging Face name of a tiny-model tensor (the llama layout of hf_reader.cpp).
std::string hfName(const std::string& gguf) {
    if (gguf == "token_embd.weight") {
        return "model.embed_tokens.weight";
    }
    if (gguf == "output_norm.weight") {
        return "model.norm.weight";
    }
    if (gguf == "output.weight") {
        return "lm_head.weight";
    }
    static const std::pair<const char*, const char*> kLayer[] = {
        {"attn_q.weight", "self_attn.q_proj.weight"},
        {"attn_k.weight", "self_attn.k_proj.weight"},
        {"attn_v.weight", "self_attn.v_proj.weight"},
        {"attn_output.weight", "self_attn.o_proj.weight"},
        {"attn_norm.weight", "input_layernorm.weight"},
        {"ffn_gate.weight", "mlp.gate_proj.weight"},
        {"ffn_up.weight", "mlp.up_proj.weight"},
        {"ffn_down.weight", "mlp.down_proj.weight"},
        {"ffn_norm.weight", "post_attention_layernorm.weight"}};
    const auto dot = gguf.find('.', 4);
    const std::string layer = gguf.substr(4, dot - 4);
    const std::string rest = gguf.substr(dot + 1);
    for (const auto& [from, to] : kLayer) {
        if (rest == from) {
            return "model.layers." + layer + "." + to;
        }
    }
    throw std::runtime_error("no HF name for " + gguf);
}

using StEntry = core::SafetensorsEntry;

template <typename T>
std::vector<std::byte> asBytes(const std::vector<T>& values) {
    const auto* p = reinterpret_cast<const std::byte*>(values.data());
    return {p, p + values.size() * sizeof(T)};
}

// One safetensors file, laid out by the project's own writer.
Bytes safetensorsFile(const std::vector<StEntry>& entries) {
    const auto header = core::serializeSafetensorsHeader(entries, 0, entries.size());
    const auto* h = reinterpret_cast<const std::uint8_t*>(header.data());
    Bytes b(h, h + header.size());
    for (const auto& e : entries) {
        const auto* p = reinterpret_cast<const std::uint8_t*>(e.data.data());
        b.insert(b.end(), p, p + e.data.size());
    }
    return b;
}

// The tiny F32 model's tensors under their HF names, except the one named `skip`.
std::vector<StEntry> hfTensors(const core::Model& model, const std::string& skip = {}) {
    std::vector<StEntry> entries;
    for (const auto& t : model.tensors()) {
        if (hfName(t.name) == skip) {
            continue;
        }
        std::vector<std::byte> stored(t.byteSize);
        check(model.readTensorData(t, stored), "read " + t.name);
        entries.push_back(
            {hfName(t.name), "F32", {t.dims.rbegin(), t.dims.rend()}, std::move(stored)});
    }
    return entries;
}

Bytes safetensors(const core::Model& model) {
    return safetensorsFile(hfTensors(model));
}

// blk.0's q_proj (32 in, 32 out) as a 4-bit GPTQ linear with one group of 32: all codes 8,
// zero 8, scale 0.01 (v1 stores zero - 1), g_idx all 0; `change` spoils one part.
std::vector<StEntry> gptqQProj(const std::function<void(std::vector<StEntry>&)>& change) {
    const std::string p = "model.layers.0.self_attn.q_proj.";
    std::vector<StEntry> parts = {
        {p + "qweight", "I32", {4, 32}, asBytes(std::vector<std::uint32_t>(4 * 32, 0x88888888u))},
        {p + "qzeros", "I32", {1, 4}, asBytes(std::vector<std::uint32_t>(4, 0x77777777u))},
        {p + "scales",
         "F16",
         {1, 32},
         asBytes(std::vector<std::uint16_t>(32, core::fp32ToFp16(0.01f)))},
        {p + "g_idx", "I32", {32}, asBytes(std::vector<std::int32_t>(32, 0))}};
    change(parts);
    return parts;
}

nlohmann::json hfConfig() {
    return {{"architectures", {"LlamaForCausalLM"}},
            {"hidden_size", 32},
            {"intermediate_size", 64},
            {"num_hidden_layers", 2},
            {"num_attention_heads", 2},
            {"num_key_value_heads", 1},
            {"vocab_size", 64},
            {"max_position_embeddings", 256},
            {"rms_norm_eps", 1e-5},
            {"rope_theta", 10000.0},
            {"tie_word_embeddings", false}};
}

} // namespace

std::vector<WrongInput> wrongInputs(const std::string& work) {
    const std::string f32Path = synth(work, GgmlType::F32);
    const std::string f16Path = synth(work, GgmlType::F16);
    const std::string bf16Path = synth(work, GgmlType::BF16);
    const std::string q8Path = q8Model(work, f32Path);
    auto base = core::readGguf(f32Path);
    check(base ? core::Status() : core::Status(base.error()), "read base");

    const std::string kBase = "common/tiny-f32.gguf";
    const std::string kDigits = "common/digits.txt";
    std::string digits;
    for (int i = 0; i < 400; ++i) {
        digits += std::string(3, static_cast<char>('0' + i % 10)) + " ";
    }
    const Bytes baseBytes = readBytes(f32Path);
    const Bytes digitBytes = text(digits + "\n");
    auto withBase = [&](WrongInput c) {
        c.files[kBase] = baseBytes;
        return c;
    };
    auto quantize = [](const std::string& model, const std::string& preset,
                       std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"quantize"};
        args.insert(args.end(), extra.begin(), extra.end());
        args.insert(args.end(), {"{data}/" + model, "{out}", preset});
        return args;
    };
    auto eval = [](const std::string& model, const std::string& textPath) {
        return std::vector<std::string>{
            "eval", "{data}/" + model, "--text", "{data}/" + textPath, "--ctx",
            "16",   "--chunks",        "2",      "--no-speed"};
    };
    std::vector<WrongInput> cases;

    // --- Weights: values no quantizer may turn into a file -------------------------------
    // blk.1.ffn_up is [32, 64]: element 1000 is row 31, column 8.
    const Bytes nanUp = patched(f32Path, "blk.1.ffn_up.weight", 1000, kNan);
    cases.push_back({"weights-f32-nan",
                     {{"weights-f32-nan/model.gguf", nanUp}},
                     quantize("weights-f32-nan/model.gguf", "Q8_0"),
                     1,
                     "tensor blk.1.ffn_up.weight row 31 column 8 is nan"});
    cases.push_back({"weights-f32-nan-k-quant-preset",
                     {{"weights-f32-nan/model.gguf", nanUp}},
                     quantize("weights-f32-nan/model.gguf", "Q4_0"),
                     1,
                     "row 31 column 8 is nan"});
    cases.push_back(
        {"weights-f32-posinf",
         {{"weights-f32-posinf/model.gguf", patched(f32Path, "blk.0.attn_q.weight", 33, kInf)}},
         quantize("weights-f32-posinf/model.gguf", "Q8_0"),
         1,
         "tensor blk.0.attn_q.weight row 1 column 1 is +inf"});
    cases.push_back({"weights-f32-neginf-embedding",
                     {{"weights-f32-neginf-embedding/model.gguf",
                       patched(f32Path, "token_embd.weight", 70, -kInf)}},
                     quantize("weights-f32-neginf-embedding/model.gguf", "Q8_0"),
                     1,
                     "tensor token_embd.weight row 2 column 6 is -inf"});
    cases.push_back(
        {"weights-f32-nan-in-copied-norm",
         {{"weights-f32-nan-norm/model.gguf", patched(f32Path, "blk.0.attn_norm.weight", 5, kNan)}},
         quantize("weights-f32-nan-norm/model.gguf", "Q8_0"),
         1,
         "tensor blk.0.attn_norm.weight row 0 column 5 holds value nan"});
    const Bytes hugeGate = patched(f32Path, "blk.0.ffn_gate.weight", 40, 1e30f);
    cases.push_back({"weights-f32-huge-q8_0-scale-overflows",
                     {{"weights-f32-huge/model.gguf", hugeGate}},
                     quantize("weights-f32-huge/model.gguf", "Q8_0"),
                     1,
                     "tensor blk.0.ffn_gate.weight row 1 column 0: quantizing to Q8_0 gives +inf "
                     "in the scale d"});
    cases.push_back({"weights-f32-huge-to-f16",
                     {{"weights-f32-huge/model.gguf", hugeGate}},
                     quantize("weights-f32-huge/model.gguf", "F16"),
                     1,
                     "tensor blk.0.ffn_gate.weight row 1 column 8: quantizing to F16 gives value "
                     "+inf"});
    cases.push_back({"weights-f32-max-float-q4_0",
                     {{"weights-f32-max/model.gguf", patched(f32Path, "blk.1.attn_output.weight", 3,
                                                             std::numeric_limits<float>::max())}},
                     quantize("weights-f32-max/model.gguf", "Q4_0"),
                     1,
                     "quantizing to Q4_0 gives"});
    cases.push_back(
        {"weights-f16-inf",
         {{"weights-f16-inf/model.gguf", patched(f16Path, "blk.1.attn_v.weight", 17, kInf)}},
         quantize("weights-f16-inf/model.gguf", "Q8_0"),
         1,
         "tensor blk.1.attn_v.weight row 0 column 17 is +inf"});
    cases.push_back(
        {"weights-bf16-nan",
         {{"weights-bf16-nan/model.gguf", patched(bf16Path, "blk.0.ffn_down.weight", 64, kNan)}},
         quantize("weights-bf16-nan/model.gguf", "Q8_0"),
         1,
         "tensor blk.0.ffn_down.weight row 1 column 0 is nan"});
    const Bytes q8NanScale = patched(q8Path, "blk.0.ffn_down.weight", 3, kNan);
    cases.push_back({"weights-q8_0-nan-scale-requantized",
                     {{"weights-q8_0-nan-scale/model.gguf", q8NanScale}},
                     quantize("weights-q8_0-nan-scale/model.gguf", "Q4_0"),
                     1,
                     "tensor blk.0.ffn_down.weight row 1 column 32 is nan"});
    cases.push_back(
        {"weights-q8_0-inf-scale-copied",
         {{"weights-q8_0-inf-scale/model.gguf", patched(q8Path, "blk.1.attn_q.weight", 1, kInf)}},
         quantize("weights-q8_0-inf-scale/model.gguf", "Q8_0"),
         1,
         "tensor blk.1.attn_q.weight row 1 column 0 holds +inf in the scale d"});
    cases.push_back({"eval-f32-nan",
                     {{"weights-f32-nan/model.gguf", nanUp}, {kDigits, digitBytes}},
                     eval("weights-f32-nan/model.gguf", kDigits),
                     1,
                     "chunk 1 of 2: non-finite activation (nan) in the output of block 1"});
    cases.push_back(
        {"eval-f16-inf",
         {{"weights-f16-inf/model.gguf", patched(f16Path, "blk.1.attn_v.weight", 17, kInf)},
          {kDigits, digitBytes}},
         eval("weights-f16-inf/model.gguf", kDigits),
         1,
         "non-finite activation"});
    cases.push_back({"eval-f32-nan-embedding",
                     {{"weights-f32-nan-embedding/model.gguf",
                       patched(f32Path, "token_embd.weight", 32 * kDigitZeroId + 4, kNan)},
                      {kDigits, digitBytes}},
                     eval("weights-f32-nan-embedding/model.gguf", kDigits),
                     1,
                     "non-finite activation (nan) in the token embedding"});
    cases.push_back({"inspect-check-nan",
                     {{"weights-f32-nan/model.gguf", nanUp}},
                     {"inspect", "--check", "{data}/weights-f32-nan/model.gguf"},
                     1,
                     "tensor blk.1.ffn_up.weight: 1 value(s) llama.cpp would reject; the first at "
                     "row 31 column 8 (value nan)"});
    cases.push_back({"inspect-check-q8_0-scale",
                     {{"weights-q8_0-nan-scale/model.gguf", q8NanScale}},
                     {"inspect", "--check", "{data}/weights-q8_0-nan-scale/model.gguf"},
                     1,
                     "tensor blk.0.ffn_down.weight: 1 block(s) llama.cpp would reject"});

    // --- Importance matrices ---------------------------------------------------------------
    const auto imatrixCase = [&](const std::string& name, const Bytes& file,
                                 const std::string& message, int exitCode = 1,
                                 const std::string& ext = "gguf") {
        const std::string path = name + "/imatrix." + ext;
        return withBase({name,
                         {{path, file}},
                         quantize(kBase, "Q4_0", {"--imatrix", "{data}/" + path}),
                         exitCode,
                         message});
    };
    const auto good = goodEntries(*base);
    auto variant = [&](const std::string& tensor, auto change) {
        auto entries = good;
        change(entryNamed(entries, tensor));
        return imatrixGguf(work, entries);
    };
    cases.push_back(imatrixCase(
        "imatrix-sum-nan", variant("blk.1.attn_q.weight", [](RawEntry& e) { e.sums[3] = kNan; }),
        "entry blk.1.attn_q.weight: column 3 is nan; llama-quantize refuses non-finite"));
    cases.push_back(imatrixCase(
        "imatrix-sum-inf", variant("blk.0.ffn_down.weight", [](RawEntry& e) { e.sums[60] = kInf; }),
        "entry blk.0.ffn_down.weight: column 60 is +inf"));
    cases.push_back(imatrixCase("imatrix-sum-negative",
                                variant("blk.0.attn_v.weight", [](RawEntry& e) { e.sums[0] = -1; }),
                                "entry blk.0.attn_v.weight: column 0 is -1; a sum of squared "
                                "activations cannot be negative"));
    cases.push_back(
        imatrixCase("imatrix-count-nan",
                    variant("blk.1.ffn_gate.weight", [](RawEntry& e) { e.counts[0] = kNan; }),
                    "entry blk.1.ffn_gate.weight: the token count is nan"));
    cases.push_back(
        imatrixCase("imatrix-count-negative",
                    variant("blk.1.ffn_up.weight", [](RawEntry& e) { e.counts[0] = -5; }),
                    "entry blk.1.ffn_up.weight: the token count is -5"));
    cases.push_back(imatrixCase("imatrix-weight-overflows",
                                variant("blk.0.attn_k.weight",
                                        [](RawEntry& e) {
                                            e.sums[2] = 1e30f;
                                            e.counts[0] = 1e-30f;
                                        }),
                                "entry blk.0.attn_k.weight: column 2 gives the weight +inf"));
    cases.push_back(imatrixCase("imatrix-wrong-length",
                                variant("blk.0.attn_output.weight",
                                        [](RawEntry& e) {
                                            e.columns = 16;
                                            e.sums.resize(16);
                                        }),
                                "entry blk.0.attn_output.weight has 16 values, but tensor "
                                "blk.0.attn_output.weight of"));
    cases.push_back(
        imatrixCase("imatrix-two-counts-one-matrix",
                    variant("blk.0.attn_q.weight", [](RawEntry& e) { e.countsTensor = false; }),
                    "entry blk.0.attn_q.weight lacks its counts tensor"));
    cases.push_back(
        imatrixCase("imatrix-sums-not-f32",
                    variant("blk.0.attn_q.weight", [](RawEntry& e) { e.sumsType = GgmlType::F16; }),
                    "tensor blk.0.attn_q.weight.in_sum2 is not F32"));
    cases.push_back(imatrixCase("imatrix-not-an-imatrix", imatrixGguf(work, good, "model"),
                                "not an importance matrix (general.type is 'model'"));
    {
        auto entries = good;
        RawEntry extra = entries.front();
        extra.name = "blk.7.attn_q.weight";
        entries.push_back(extra);
        cases.push_back(imatrixCase("imatrix-entry-for-missing-tensor", imatrixGguf(work, entries),
                                    "1 entry names a tensor that", 0));
    }
    {
        auto entries = good;
        RawEntry embd;
        embd.name = "token_embd.weight";
        embd.columns = 8;
        embd.sums.assign(8, 1.0f);
        embd.counts = {1.0f};
        entries.push_back(embd);
        cases.push_back(imatrixCase("imatrix-token-embd-wrong-length-ignored",
                                    imatrixGguf(work, entries),
                                    "the entry is ignored, as llama-quantize ignores it", 0));
    }
    cases.push_back(
        imatrixCase("imatrix-zero-count-with-sums",
                    variant("blk.1.attn_v.weight", [](RawEntry& e) { e.counts[0] = 0; }),
                    "entry blk.1.attn_v.weight: non-zero sums with a count of 0; "
                    "weights of 1 are used",
                    0));
    {
        std::vector<std::pair<std::string, std::vector<float>>> dat;
        for (const auto& e : good) {
            dat.emplace_back(e.name, e.sums);
        }
        auto nanDat = dat;
        nanDat[2].second[5] = kNan;
        cases.push_back(imatrixCase("imatrix-dat-nan", imatrixDat(nanDat, 64),
                                    "entry " + nanDat[2].first + ": column 5 is nan", 1, "dat"));
        cases.push_back(imatrixCase("imatrix-dat-negative-ncall", imatrixDat(dat, -3),
                                    "the call count is -3; a count cannot be negative", 1, "dat"));
        auto shortDat = dat;
        shortDat[0].second.resize(8);
        cases.push_back(imatrixCase("imatrix-dat-wrong-length", imatrixDat(shortDat, 64),
                                    "entry " + shortDat[0].first + " has 8 values", 1, "dat"));
        Bytes truncated = imatrixDat(dat, 64);
        truncated.resize(truncated.size() / 2);
        cases.push_back(imatrixCase("imatrix-dat-truncated", truncated,
                                    "truncated or malformed imatrix", 1, "dat"));
    }

    // --- Plans ---------------------------------------------------------------------------------
    const auto planCase = [&](const std::string& name, const Bytes& plan,
                              const std::string& message) {
        const std::string path = name + "/plan.json";
        return withBase({name,
                         {{path, plan}},
                         {"quantize", "--plan", "{data}/" + path, "{data}/" + kBase, "{out}"},
                         1,
                         message});
    };
    cases.push_back(
        planCase("plan-unknown-type", planJson({{"blk.0.attn_q.weight", "Q9_K"}}), "Q9_K"));
    cases.push_back(
        planCase("plan-unknown-tensor",
                 planJson({{"blk.0.attn_q.weight", "Q8_0"}, {"blk.9.attn_q.weight", "Q8_0"}}),
                 "blk.9.attn_q.weight"));
    cases.push_back(planCase("plan-type-does-not-fit-rows",
                             planJson({{"blk.0.attn_q.weight", "Q4_K"}}),
                             "blk.0.attn_q.weight: rows of 32 values are not a multiple of Q4_K's "
                             "block of 256"));
    cases.push_back(planCase("plan-read-only-type", planJson({{"blk.0.attn_q.weight", "Q8_K"}}),
                             "cannot quantize to Q8_K"));
    cases.push_back(planCase(
        "plan-not-json", text("{\"format\": \"quantscope-plan\", \"tensors\": [\n"), "plan.json"));
    cases.push_back(planCase("plan-wrong-format", text("[1, 2, 3]\n"), "plan.json"));

    // --- Hugging Face configs that disagree with their tensors -------------------------------
    const Bytes weights = safetensors(*base);
    const auto hfCase = [&](const std::string& name, const nlohmann::json& config,
                            const std::string& message, const std::string& command = "inspect") {
        WrongInput c{name,
                     {{name + "/config.json", text(config.dump(1) + "\n")},
                      {name + "/model.safetensors", weights}},
                     {},
                     1,
                     message};
        if (command == "inspect") {
            c.args = {"inspect", "{data}/" + name};
        } else if (command == "convert") {
            c.args = {"convert", "{data}/" + name, "{out}"};
        } else {
            c.files[kDigits] = digitBytes;
            c.args = eval(name, kDigits);
        }
        return c;
    };
    auto config = [&](const char* key, nlohmann::json value) {
        auto c = hfConfig();
        c[key] = std::move(value);
        return c;
    };
    const std::string layersMsg = "config.json: llama.block_count is 1000000000, but the tensors "
                                  "describe 2 layers";
    cases.push_back(hfCase("hf-layers-1e9", config("num_hidden_layers", 1000000000), layersMsg));
    cases.push_back(hfCase("hf-layers-1e9-convert", config("num_hidden_layers", 1000000000),
                           layersMsg, "convert"));
    cases.push_back(
        hfCase("hf-layers-1e9-eval", config("num_hidden_layers", 1000000000), layersMsg, "eval"));
    cases.push_back(hfCase("hf-layers-too-few", config("num_hidden_layers", 1),
                           "llama.block_count is 1, but the tensors describe 2 layers"));
    cases.push_back(hfCase("hf-hidden-size", config("hidden_size", 64),
                           "llama.embedding_length is 64, but token_embd.weight has rows of 32"));
    cases.push_back(hfCase("hf-kv-heads", config("num_key_value_heads", 2),
                           "llama.attention.head_count_kv is 2, but blk.0.attn_k.weight has 16 "
                           "rows"));
    cases.push_back(
        hfCase("hf-intermediate-size", config("intermediate_size", 100),
               "llama.feed_forward_length is 100, but blk.0.ffn_up.weight has 64 rows"));
    cases.push_back(hfCase("hf-vocab-size", config("vocab_size", 32000),
                           "llama.vocab_size is 32000, but token_embd.weight has 64 rows"));
    cases.push_back(hfCase("hf-head-dim", config("head_dim", 64),
                           "llama.attention.head_count is 2, but blk.0.attn_q.weight has 32 rows"));

    // --- GPTQ / AWQ checkpoints whose packed parts do not fit -------------------------------
    const auto quantizedCase = [&](const std::string& name, const std::string& method,
                                   const std::function<void(std::vector<StEntry>&)>& change,
                                   const std::string& message) {
        auto config = hfConfig();
        config["quantization_config"] = {{"quant_method", method},
                                         {"bits", 4},
                                         {"group_size", 32},
                                         {"desc_act", false},
                                         {"sym", true}};
        if (method == "awq") {
            config["quantization_config"]["version"] = "gemm";
        }
        auto entries = hfTensors(*base, "model.layers.0.self_attn.q_proj.weight");
        for (auto& part : gptqQProj(change)) {
            entries.push_back(std::move(part));
        }
        return WrongInput{name,
                          {{name + "/config.json", text(config.dump(1) + "\n")},
                           {name + "/model.safetensors", safetensorsFile(entries)}},
                          {"inspect", "{data}/" + name},
                          1,
                          message};
    };
    const auto part = [](std::vector<StEntry>& parts, const std::string& suffix) -> StEntry& {
        for (auto& p : parts) {
            if (p.name.ends_with(suffix)) {
                return p;
            }
        }
        throw std::runtime_error("no part " + suffix);
    };
    cases.push_back(quantizedCase(
        "gptq-g_idx-out-of-range", "gptq",
        [&](auto& parts) {
            std::vector<std::int32_t> g(32, 0);
            g[5] = 4;
            part(parts, "g_idx").data = asBytes(g);
        },
        "g_idx"));
    cases.push_back(quantizedCase(
        "gptq-scales-groups-mismatch", "gptq",
        [&](auto& parts) {
            auto& sc = part(parts, "scales");
            sc.shape = {2, 32};
            sc.data = asBytes(std::vector<std::uint16_t>(64, core::fp32ToFp16(0.01f)));
        },
        "self_attn.q_proj"));
    cases.push_back(quantizedCase(
        "gptq-qzeros-width-mismatch", "gptq",
        [&](auto& parts) {
            auto& qz = part(parts, "qzeros");
            qz.shape = {1, 3};
            qz.data = asBytes(std::vector<std::uint32_t>(3, 0x77777777u));
        },
        "self_attn.q_proj"));
    cases.push_back(quantizedCase(
        "gptq-scales-wrong-dtype", "gptq",
        [&](auto& parts) {
            auto& sc = part(parts, "scales");
            sc.dtype = "F32";
            sc.data = asBytes(std::vector<float>(32, 0.01f));
        },
        "scales has dtype F32"));
    cases.push_back(quantizedCase(
        "awq-gptq-layout-given-as-awq", "awq", [](auto&) {}, "self_attn.q_proj"));

    // --- Evaluation texts ------------------------------------------------------------------
    const auto textCase = [&](const std::string& name, const Bytes& content,
                              const std::string& message) {
        return withBase(
            {name, {{name + "/text.txt", content}}, eval(kBase, name + "/text.txt"), 1, message});
    };
    cases.push_back(textCase("text-empty", {}, "tokens"));
    cases.push_back(textCase("text-too-short", text("123 456\n"), "needs at least 32"));
    {
        Bytes binary(4096);
        for (std::size_t i = 0; i < binary.size(); ++i) {
            binary[i] = static_cast<std::uint8_t>((i * 2654435761u) >> 13);
        }
        cases.push_back(textCase("text-binary", binary, "UTF-8"));
    }
    {
        // One line of 64 KiB: no error, only the line's tokens (a check that nothing assumes
        // short lines).
        std::string line;
        while (line.size() < 65536) {
            line += "0123456789 ";
        }
        WrongInput c = textCase("text-one-huge-line", text(line), "PPL");
        c.exitCode = 0;
        cases.push_back(c);
    }
    return cases;
}

} // namespace qs::test
