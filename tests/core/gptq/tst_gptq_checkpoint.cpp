// Issue 8: calibrated GPTQ / AWQ on shakespeare-3M (CI-sized calibration), the checkpoint folder
// (config fields, sharding, temp-then-rename), and the round trip: the tensors read back by an
// independent unpacking written here from formats.md 5.1/5.2/6.2 and through openModel() give
// the same integers, scales and zeros.
#include "core/eval/eval_model.h"
#include "core/eval/llama_context.h"
#include "core/eval/text_input.h"
#include "core/eval/tokenizer_load.h"
#include "core/export/quantized_checkpoint.h"
#include "core/gptq/calibrate.h"
#include "core/io/gguf_writer.h"
#include "core/io/hf_names.h"
#include "core/io/hf_reader.h"
#include "core/io/hf_tokenizer_writer.h"
#include "core/io/model_reader.h"
#include "core/logging.h"
#include "core/model/model.h"
#include "core/quant/format_registry.h"
#include "core/quant/half.h"
#include "core/quant/packing.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>
#include <spdlog/sinks/ostream_sink.h>
#include <sstream>

using namespace qs::core;
namespace fs = std::filesystem;

namespace {

const std::string kModel = QS_RESOURCES_DIR "/models/shakespeare-3M-f16.gguf";
const std::string kCalib = QS_TEST_DATA_DIR "/gptq/tinyshakespeare-20k.txt";
const std::string kTokenizer = QS_TEST_DATA_DIR "/gptq/tokenizer";

// A minimal safetensors reader written from the format's description (8-byte little-endian
// header size, JSON header, data offsets relative to the data start).
struct RawTensor {
    std::string dtype;
    std::vector<std::uint64_t> shape;
    std::vector<std::byte> data;
};

std::map<std::string, RawTensor> readAllTensors(const fs::path& dir) {
    std::vector<fs::path> files;
    if (fs::exists(dir / "model.safetensors.index.json")) {
        std::ifstream in(dir / "model.safetensors.index.json");
        const auto index = nlohmann::json::parse(in);
        std::set<std::string> names;
        for (const auto& [tensor, file] : index["weight_map"].items()) {
            names.insert(file.get<std::string>());
        }
        for (const auto& n : names) {
            files.push_back(dir / n);
        }
    } else {
        files.push_back(dir / "model.safetensors");
    }
    std::map<std::string, RawTensor> out;
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        std::uint64_t n = 0;
        in.read(reinterpret_cast<char*>(&n), 8);
        std::string header(n, '\0');
        in.read(header.data(), static_cast<std::streamsize>(n));
        const auto json = nlohmann::json::parse(header);
        for (const auto& [name, v] : json.items()) {
            if (name == "__metadata__") {
                continue;
            }
            RawTensor t;
            t.dtype = v["dtype"].get<std::string>();
            t.shape = v["shape"].get<std::vector<std::uint64_t>>();
            const auto b = v["data_offsets"][0].get<std::uint64_t>();
            const auto e = v["data_offsets"][1].get<std::uint64_t>();
            t.data.resize(e - b);
            in.seekg(static_cast<std::streamoff>(8 + n + b));
            in.read(reinterpret_cast<char*>(t.data.data()), static_cast<std::streamsize>(e - b));
            out[name] = std::move(t);
        }
    }
    return out;
}

template <typename T>
T at(const RawTensor& t, std::size_t i) {
    T v;
    std::memcpy(&v, t.data.data() + i * sizeof(T), sizeof(T));
    return v;
}

// HF row of GGUF row r for a head count (formats.md 1.7).
int hfRow(int r, int rows, int heads) {
    const int d = rows / heads;
    return (r / d) * d + (r % d % 2) * (d / 2) + (r % d) / 2;
}

std::string hfPrefix(const std::string& gguf) {
    auto hf = ggufToHfName(*hfFamilyByArchitecture("llama"), gguf);
    return hf ? hf->substr(0, hf->size() - 7) : std::string();
}

// Core's log records while it lives; initLogging drops the sink again (on any return).
class LogCapture {
public:
    LogCapture()
        : m_sink(std::make_shared<spdlog::sinks::ostream_sink_mt>(m_text)) {
        m_sink->set_pattern("%v");
        initLogging(Verbosity::Normal);
        addLogSink(m_sink);
    }
    ~LogCapture() { initLogging(Verbosity::Normal); }
    std::string text() {
        m_sink->flush();
        return m_text.str();
    }

private:
    std::ostringstream m_text;
    std::shared_ptr<spdlog::sinks::ostream_sink_mt> m_sink;
};

struct Fixture {
    Model model;
    std::vector<std::int32_t> tokens;
    std::int32_t bos = 1;
    int heads = 0, kvHeads = 0;
};

Fixture& fixture() {
    static Fixture* f = [] {
        auto m = openModel(kModel);
        if (!m) {
            qFatal("%s", m.error().message.c_str());
        }
        auto* fx = new Fixture{std::move(*m), {}, 1, 0, 0};
        auto em = makeEvalModel(fx->model);
        auto text = readEvalText(kCalib);
        if (!em || !em->tokenizer || !text) {
            qFatal("cannot load the tokenizer or the calibration text");
        }
        fx->tokens = em->tokenizer->encode(*text, false);
        fx->bos = em->tokenizer->bos();
        fx->heads = static_cast<int>(fx->model.hparams().headCount);
        fx->kvHeads = static_cast<int>(fx->model.hparams().headCountKv);
        return fx;
    }();
    return *f;
}

CalibrationOptions ciCalibration() {
    CalibrationOptions c;
    c.nsamples = 8;
    c.seqlen = 128;
    return c;
}

int betterCount(const CalibratedQuantization& q) {
    int n = 0;
    for (const auto& r : q.reports) {
        n += r.error < r.rtnError ? 1 : 0;
    }
    return n;
}

// The GGUF-order integers of a linear, unpacked independently from the GPTQ tensors.
void checkGptqTensors(const std::map<std::string, RawTensor>& st, const std::string& gguf,
                      const QuantizedLinear& expect, bool v2, int heads) {
    const std::string p = hfPrefix(gguf);
    QVERIFY2(st.count(p + ".qweight") && st.count(p + ".qzeros") && st.count(p + ".scales") &&
                 st.count(p + ".g_idx"),
             p.c_str());
    const auto& qw = st.at(p + ".qweight");
    const auto& qz = st.at(p + ".qzeros");
    const auto& sc = st.at(p + ".scales");
    const auto& gi = st.at(p + ".g_idx");
    const int bits = expect.bits, in = expect.cols, out = expect.rows;
    const int groups = expect.groups();
    QCOMPARE(qw.dtype, std::string("I32"));
    QCOMPARE(qw.shape, (std::vector<std::uint64_t>{static_cast<std::uint64_t>(in * bits / 32),
                                                   static_cast<std::uint64_t>(out)}));
    QCOMPARE(qz.shape, (std::vector<std::uint64_t>{static_cast<std::uint64_t>(groups),
                                                   static_cast<std::uint64_t>(out * bits / 32)}));
    QCOMPARE(sc.dtype, std::string("F16"));
    QCOMPARE(gi.shape, (std::vector<std::uint64_t>{static_cast<std::uint64_t>(in)}));
    const bool qk =
        gguf.find("attn_q.") != std::string::npos || gguf.find("attn_k.") != std::string::npos;
    // Bit b of column j's stream is bit b%32 of word b/32 (LSB first, all of 2/3/4/8 bits).
    auto field = [&](const RawTensor& t, std::size_t stride, std::size_t col, std::size_t index) {
        std::uint32_t v = 0;
        for (int b = 0; b < bits; ++b) {
            const std::size_t bit = index * bits + b;
            const auto word = at<std::uint32_t>(t, (bit / 32) * stride + col);
            v |= ((word >> (bit % 32)) & 1u) << b;
        }
        return static_cast<int>(v);
    };
    for (int r = 0; r < out; ++r) {
        const int hr = qk ? hfRow(r, out, heads) : r;
        for (int i = 0; i < in; i += 3) {
            QCOMPARE(field(qw, out, hr, i),
                     static_cast<int>(expect.q[static_cast<std::size_t>(r) * in + i]));
        }
        for (int g = 0; g < groups; ++g) {
            // qzeros row g is one stream along the output dim.
            const int stored = [&] {
                std::uint32_t v = 0;
                for (int b = 0; b < bits; ++b) {
                    const std::size_t bit = static_cast<std::size_t>(hr) * bits + b;
                    const auto word = at<std::uint32_t>(
                        qz, static_cast<std::size_t>(g) * (out * bits / 32) + bit / 32);
                    v |= ((word >> (bit % 32)) & 1u) << b;
                }
                return static_cast<int>(v);
            }();
            QCOMPARE(stored + (v2 ? 0 : 1), expect.zeros[static_cast<std::size_t>(g) * out + r]);
            QCOMPARE(fp16ToFp32(at<std::uint16_t>(sc, static_cast<std::size_t>(g) * out + hr)),
                     expect.scales[static_cast<std::size_t>(g) * out + r]);
        }
    }
    for (int i = 0; i < in; ++i) {
        QCOMPARE(at<std::int32_t>(gi, i), expect.gIdx[i]);
    }
}

// openModel() on the folder dequantizes every linear; rows come back in GGUF order.
void checkImported(const std::string& dir, const CalibratedQuantization& q) {
    auto back = openModel(dir);
    QVERIFY2(back, back ? "" : back.error().message.c_str());
    for (const auto& [name, lin] : q.linears) {
        const TensorInfo* t = back->findTensor(name);
        QVERIFY2(t, name.c_str());
        QCOMPARE(t->type, GgmlType::F16);
        std::vector<std::byte> raw(t->byteSize);
        QVERIFY(back->readTensorData(*t, raw));
        const auto dq = lin.dequantize();
        for (std::size_t i = 0; i < dq.size(); i += 7) {
            std::uint16_t h;
            std::memcpy(&h, raw.data() + i * 2, 2);
            QCOMPARE(h, fp32ToFp16(dq[i]));
        }
    }
    auto em = makeEvalModel(*back);
    QVERIFY2(em, em ? "" : em.error().message.c_str());
    QVERIFY(em->tokenizer.has_value());
    LlamaContext ctx(em->weights, 32, 1);
    std::vector<std::int32_t> toks = {1, 50, 60, 70};
    std::vector<float> logits;
    QVERIFY(ctx.evaluate(toks, 3, logits));
    for (float v : logits) {
        QVERIFY(std::isfinite(v));
    }
}

// How ExLlamaV2 reads one GPTQ linear, replayed on the CPU from its source (turboderp/exllamav2:
// module.py load_weight, ext.py make_q_matrix, exllamav2_ext/ext_qmatrix.cpp make_q_matrix,
// cuda/q_matrix.cu QMatrix and reconstruct_gptq_kernel, config.py checkpoint_format): the
// weights it computes, [out][in] in the file's (HF) row order, or the check that stops it.
struct ExllamaV2Linear {
    std::string refusal;        // empty when it loads
    int derivedGroupSize = 0;   // the group size it derives (it reads none from the config)
    bool actOrderPath = false;  // g_idx present and not all zero: rows sorted by group first
    std::vector<float> weights; // [out][in]
};

ExllamaV2Linear exllamaV2Read(const std::map<std::string, RawTensor>& st, const std::string& key,
                              bool offsetQzeros, int inFeatures, int outFeatures) {
    ExllamaV2Linear r;
    // load_weight: GPTQ when <key>.qweight exists; it loads qweight, qzeros, scales, g_idx and
    // bias, drops an all-zero bias, and converts scales to half.
    if (!st.count(key + ".qweight") || !st.count(key + ".qzeros") || !st.count(key + ".scales")) {
        r.refusal = "no qweight/qzeros/scales";
        return r;
    }
    const auto& qw = st.at(key + ".qweight");
    const auto& qz = st.at(key + ".qzeros");
    const auto& sc = st.at(key + ".scales");
    const RawTensor* gi = st.count(key + ".g_idx") ? &st.at(key + ".g_idx") : nullptr;
    if (st.count(key + ".bias")) {
        const auto& b = st.at(key + ".bias");
        if (std::any_of(b.data.begin(), b.data.end(),
                        [](std::byte x) { return x != std::byte{0}; })) {
            // Llama's linears have no bias: ExLlamaV2Linear.load asserts "has bias but bias is
            // not expected".
            r.refusal = "bias not expected";
            return r;
        }
    }
    // ext_qmatrix.cpp: dtype checks (scales already converted to half by load_weight).
    if (qw.dtype != "I32" || qz.dtype != "I32" || (gi && gi->dtype != "I32") ||
        (sc.dtype != "F16" && sc.dtype != "F32" && sc.dtype != "BF16")) {
        r.refusal = "dtype";
        return r;
    }
    if (qw.shape.size() != 2 || qz.shape.size() != 2 || sc.shape.size() != 2) {
        r.refusal = "rank";
        return r;
    }
    // TORCH_CHECK_SHAPES(q_weight, 1, gptq_qzeros, 1, 8) and (q_weight, 1, gptq_scales, 1, 1):
    // the layout of 4-bit GPTQ, eight zeros per int32 along the outputs.
    if (qz.shape[1] * 8 != qw.shape[1]) {
        r.refusal = "qzeros width x 8 != qweight width (4-bit packing assumed)";
        return r;
    }
    if (sc.shape[1] != qw.shape[1]) {
        r.refusal = "scales width != qweight width";
        return r;
    }
    const auto width = static_cast<int>(qw.shape[1]);
    const auto height = static_cast<int>(qw.shape[0] * 8); // eight 4-bit rows per int32
    const auto groups = static_cast<int>(qz.shape[0]);
    // gemm_half_q_half: the input must have `height` features and the output `width`, which is
    // the module's out_features padded to a multiple of 32 (ExLlamaV2Linear pad32).
    const int paddedOut = outFeatures + (-outFeatures % 32 + 32) % 32;
    if (height != inFeatures) {
        r.refusal = "qweight rows x 8 != in_features";
        return r;
    }
    if (width != paddedOut) {
        r.refusal = "qweight width != out_features padded to 32";
        return r;
    }
    // QMatrix: the smallest power of two that covers height with `groups` groups.
    int groupSize = 1;
    while (groupSize * groups < height) {
        groupSize *= 2;
    }
    r.derivedGroupSize = groupSize;
    // make_q_matrix (Python): a gptq_v2 config (config.py: quantization_config ->
    // checkpoint_format) subtracts 0x11111111 from every qzeros word, int32 arithmetic.
    std::vector<std::uint32_t> zeroWords(qz.data.size() / 4);
    std::memcpy(zeroWords.data(), qz.data.data(), qz.data.size());
    if (offsetQzeros) {
        for (auto& w : zeroWords) {
            w -= 0x11111111u;
        }
    }
    // g_idx not all zero: make_sequential sorts the rows by group (stable counting sort); the
    // sorted row k then takes group k / groupSize.
    std::vector<int> rowOfPosition(static_cast<std::size_t>(height));
    std::iota(rowOfPosition.begin(), rowOfPosition.end(), 0);
    if (gi) {
        std::vector<std::int32_t> g(static_cast<std::size_t>(height));
        std::memcpy(g.data(), gi->data.data(), std::min(gi->data.size(), g.size() * 4));
        r.actOrderPath = std::any_of(g.begin(), g.end(), [](std::int32_t v) { return v != 0; });
        if (r.actOrderPath) {
            std::stable_sort(rowOfPosition.begin(), rowOfPosition.end(),
                             [&](int a, int b) { return g[a] < g[b]; });
        }
    }
    r.weights.assign(static_cast<std::size_t>(outFeatures) * inFeatures, 0.0f);
    for (int k = 0; k < height; ++k) {
        const int row = rowOfPosition[static_cast<std::size_t>(k)];
        const int group = k / groupSize;
        for (int n = 0; n < outFeatures; ++n) {
            const auto word = at<std::uint32_t>(qw, static_cast<std::size_t>(row / 8) * width + n);
            const int q = static_cast<int>((word >> (4 * (row % 8))) & 15u);
            const std::uint32_t zw =
                zeroWords[static_cast<std::size_t>(group) * (width / 8) + n / 8];
            // dequant_4bit_8_prep_zero(zeros + 1): v1's stored zero is the true zero - 1.
            const int zero = static_cast<int>((zw >> (4 * (n % 8))) & 15u) + 1;
            const float scale =
                sc.dtype == "F16"
                    ? fp16ToFp32(at<std::uint16_t>(sc, static_cast<std::size_t>(group) * width + n))
                    : at<float>(sc, static_cast<std::size_t>(group) * width + n);
            r.weights[static_cast<std::size_t>(n) * inFeatures + row] =
                scale * static_cast<float>(q - zero);
        }
    }
    return r;
}

// ExLlamaV2 on a whole folder of ours: config.json's fields it reads, the keys it expects, and
// every quantized linear decoded as it decodes them, compared with what we quantized.
struct ExllamaV2Folder {
    std::vector<std::string> problems;          // config or keys it stops at
    std::map<std::string, std::string> refused; // GGUF name -> the check that stops the load
    std::set<std::string> misdecoded;           // loads, but its weights differ from ours
    int actOrderLinears = 0;                    // read through the g_idx (sorting) path
};

ExllamaV2Folder exllamaV2ReadFolder(const std::string& dir, const CalibratedQuantization& q,
                                    int heads, int kvHeads) {
    ExllamaV2Folder f;
    std::ifstream in(fs::path(dir) / "config.json");
    const auto config = nlohmann::json::parse(in);
    // config.py: exactly one architecture (ExLlamaV2ArchParams), and the one quantization field
    // it reads: checkpoint_format; bits, group_size, sym and desc_act are not read.
    if (config["architectures"].size() != 1 ||
        config["architectures"][0].get<std::string>() != "LlamaForCausalLM") {
        f.problems.push_back("architectures");
        return f;
    }
    const bool offset =
        config["quantization_config"].value("checkpoint_format", std::string()) == "gptq_v2";
    const auto st = readAllTensors(dir);
    // config.py's expect_keys for Llama, each found with a .qweight, .weight or bare suffix.
    const int layers = config["num_hidden_layers"].get<int>();
    std::vector<std::string> expected = {"model.embed_tokens", "model.norm", "lm_head"};
    for (int l = 0; l < layers; ++l) {
        for (const char* k : {"input_layernorm", "post_attention_layernorm", "self_attn.q_proj",
                              "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                              "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"}) {
            expected.push_back("model.layers." + std::to_string(l) + "." + k);
        }
    }
    for (const auto& prefix : expected) {
        if (!st.count(prefix + ".qweight") && !st.count(prefix + ".weight") && !st.count(prefix)) {
            f.problems.push_back("missing " + prefix);
        }
    }
    for (const auto& [name, lin] : q.linears) {
        const auto r = exllamaV2Read(st, hfPrefix(name), offset, lin.cols, lin.rows);
        if (!r.refusal.empty()) {
            f.refused[name] = r.refusal;
            continue;
        }
        f.actOrderLinears += r.actOrderPath ? 1 : 0;
        // It derives the group size; for ours (powers of two, or one group) it is the real one.
        const int realGroup = lin.groupSize > 0 ? lin.groupSize : lin.cols;
        const bool qk =
            name.find("attn_q.") != std::string::npos || name.find("attn_k.") != std::string::npos;
        const int h = name.find("attn_k") != std::string::npos ? kvHeads : heads;
        const auto want = lin.dequantize(); // GGUF row order
        bool same = r.derivedGroupSize >= realGroup && r.derivedGroupSize < 2 * realGroup;
        for (int row = 0; row < lin.rows && same; ++row) {
            const int hr = qk ? hfRow(row, lin.rows, h) : row;
            for (int c = 0; c < lin.cols; ++c) {
                if (r.weights[static_cast<std::size_t>(hr) * lin.cols + c] !=
                    want[static_cast<std::size_t>(row) * lin.cols + c]) {
                    same = false;
                    break;
                }
            }
        }
        if (!same) {
            f.misdecoded.insert(name);
        }
    }
    return f;
}

// GPT-2's byte-to-character table (bytes_to_unicode): printable Latin-1 bytes stand for
// themselves, the others for U+0100 upwards in byte order. Written here from its definition.
std::string byteLevelChar(int byte) {
    auto printable = [](int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    };
    int code = byte;
    if (!printable(byte)) {
        code = 256;
        for (int b = 0; b < byte; ++b) {
            code += printable(b) ? 0 : 1;
        }
    }
    std::string utf8;
    if (code < 0x80) {
        utf8 += static_cast<char>(code);
    } else {
        utf8 += static_cast<char>(0xC0 | (code >> 6));
        utf8 += static_cast<char>(0x80 | (code & 0x3F));
    }
    return utf8;
}

// A Llama-3-style byte-level BPE tokenizer.json (vocabulary of `size` ids: the 256 byte
// characters, merged letter pairs, then four added tokens), written as the original files are.
nlohmann::ordered_json llama3StyleTokenizer(int size) {
    nlohmann::ordered_json vocab = nlohmann::ordered_json::object();
    for (int b = 0; b < 256; ++b) {
        vocab[byteLevelChar(b)] = b;
    }
    nlohmann::ordered_json merges = nlohmann::ordered_json::array();
    const int added = 4;
    for (int i = 0; 256 + i < size - added; ++i) {
        const std::string l(1, static_cast<char>('a' + i / 16));
        const std::string r(1, static_cast<char>('a' + i % 16));
        merges.push_back(l + " " + r);
        vocab[l + r] = 256 + i;
    }
    nlohmann::ordered_json addedTokens = nlohmann::ordered_json::array();
    const char* names[added] = {"<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>", "<tool>"};
    for (int i = 0; i < added; ++i) {
        addedTokens.push_back({{"id", size - added + i},
                               {"content", names[i]},
                               {"single_word", false},
                               {"lstrip", false},
                               {"rstrip", false},
                               {"normalized", false},
                               {"special", i < 3}});
    }
    // Llama 3's pre-tokenizer, as in its tokenizer.json.
    const std::string split =
        R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
    return {{"version", "1.0"},
            {"added_tokens", addedTokens},
            {"normalizer", nullptr},
            {"pre_tokenizer",
             {{"type", "Sequence"},
              {"pretokenizers",
               {{{"type", "Split"},
                 {"pattern", {{"Regex", split}}},
                 {"behavior", "Isolated"},
                 {"invert", false}},
                {{"type", "ByteLevel"},
                 {"add_prefix_space", false},
                 {"trim_offsets", true},
                 {"use_regex", false}}}}}},
            {"model",
             {{"type", "BPE"},
              {"dropout", nullptr},
              {"unk_token", nullptr},
              {"fuse_unk", false},
              {"byte_fallback", false},
              {"ignore_merges", true},
              {"vocab", vocab},
              {"merges", merges}}}};
}

} // namespace

class TestGptqCheckpoint : public QObject {
    Q_OBJECT

private slots:
    void gptq4bitRoundTrip() {
        auto& f = fixture();
        GptqOptions o;
        o.bits = 4;
        o.groupSize = 128;
        o.minZeroOne = true;
        CancelToken cancel;
        std::vector<std::string> steps;
        CallbackProgressSink progress([&](std::uint64_t, std::uint64_t, const std::string&,
                                          const std::string& what) { steps.push_back(what); });
        auto q = quantizeCalibrated(f.model, f.tokens, f.bos, CalibratedMethod::Gptq, o,
                                    ciCalibration(), cancel, progress);
        QVERIFY2(q, q ? "" : q.error().message.c_str());
        QCOMPARE(q->linears.size(), std::size_t(28));
        QVERIFY(std::find(steps.begin(), steps.end(), "layer 3/4, ffn_down") != steps.end());
        qInfo("GPTQ 4-bit g128 beats RTN in %d/28 linears", betterCount(*q));
        QVERIFY(betterCount(*q) >= 26); // >= 90 %

        QTemporaryDir tmp;
        const std::string dir = tmp.filePath("gptq4").toStdString();
        QuantizedCheckpointOptions wo;
        wo.tokenizerFolder = kTokenizer;
        NullProgressSink none;
        QVERIFY(writeQuantizedCheckpoint(f.model, *q, dir, wo, cancel, none));
        for (const char* file : {"model.safetensors", "config.json", "quantize_config.json",
                                 "README.md", "tokenizer.json", "tokenizer_config.json"}) {
            QVERIFY2(fs::exists(fs::path(dir) / file), file);
        }
        std::ifstream cin(fs::path(dir) / "config.json");
        const auto config = nlohmann::json::parse(cin);
        const auto& qc = config["quantization_config"];
        QCOMPARE(qc["quant_method"].get<std::string>(), std::string("gptq"));
        QCOMPARE(qc["bits"].get<int>(), 4);
        QCOMPARE(qc["group_size"].get<int>(), 128);
        QCOMPARE(qc["desc_act"].get<bool>(), false);
        QCOMPARE(qc["sym"].get<bool>(), true);
        QCOMPARE(qc["damp_percent"].get<double>(), 0.01);
        QCOMPARE(qc["checkpoint_format"].get<std::string>(), std::string("gptq"));
        QCOMPARE(config["architectures"][0].get<std::string>(), std::string("LlamaForCausalLM"));
        QCOMPARE(config["num_key_value_heads"].get<int>(), f.kvHeads);

        const auto st = readAllTensors(dir);
        QCOMPARE(st.at("model.embed_tokens.weight").dtype, std::string("F16"));
        QVERIFY(!st.count("model.layers.0.self_attn.q_proj.weight"));
        for (const auto& [name, lin] : q->linears) {
            checkGptqTensors(st, name, lin, false,
                             name.find("attn_k") != std::string::npos ? f.kvHeads : f.heads);
        }
        // Symmetric 4-bit v1: every qzeros word is 0x77777777.
        QCOMPARE(at<std::uint32_t>(st.at("model.layers.2.mlp.down_proj.qzeros"), 0), 0x77777777u);
        checkImported(dir, *q);
    }

    void gptq3bitDescActV2Sharded() {
        auto& f = fixture();
        GptqOptions o;
        o.bits = 3;
        o.groupSize = 128;
        o.descAct = true;
        o.sym = false;
        CancelToken cancel;
        NullProgressSink none;
        auto q = quantizeCalibrated(f.model, f.tokens, f.bos, CalibratedMethod::Gptq, o,
                                    ciCalibration(), cancel, none);
        QVERIFY2(q, q ? "" : q.error().message.c_str());
        qInfo("GPTQ 3-bit g128 desc_act beats RTN in %d/28 linears", betterCount(*q));
        QVERIFY(betterCount(*q) >= 26);
        QTemporaryDir tmp;
        const std::string dir = tmp.filePath("gptq3").toStdString();
        QuantizedCheckpointOptions wo;
        wo.format = "gptq_v2";
        wo.tokenizerFolder = kTokenizer;
        wo.maxShardBytes = 1'000'000;
        QVERIFY(writeQuantizedCheckpoint(f.model, *q, dir, wo, cancel, none));
        QVERIFY(fs::exists(fs::path(dir) / "model.safetensors.index.json"));
        QVERIFY(!fs::exists(fs::path(dir) / "model.safetensors"));
        int shards = 0;
        for (const auto& e : fs::directory_iterator(dir)) {
            const auto n = e.path().filename().string();
            shards += n.starts_with("model-0000") && n.ends_with(".safetensors") ? 1 : 0;
        }
        QVERIFY2(shards >= 2, "a 1 MB shard limit must split the ~3 MB checkpoint");
        const auto st = readAllTensors(dir);
        for (const auto& [name, lin] : q->linears) {
            checkGptqTensors(st, name, lin, true,
                             name.find("attn_k") != std::string::npos ? f.kvHeads : f.heads);
        }
        checkImported(dir, *q);
    }

    void awqRoundTrip() {
        auto& f = fixture();
        GptqOptions o;
        o.bits = 4;
        o.groupSize = 128;
        o.sym = false;
        CancelToken cancel;
        NullProgressSink none;
        auto q = quantizeCalibrated(f.model, f.tokens, f.bos, CalibratedMethod::Awq, o,
                                    ciCalibration(), cancel, none);
        QVERIFY2(q, q ? "" : q.error().message.c_str());
        qInfo("AWQ 4-bit g128 beats RTN in %d/28 linears", betterCount(*q));
        QVERIFY(betterCount(*q) >= 26); // >= 90 %
        QCOMPARE(q->foldedNorms.size(), std::size_t(8));
        QTemporaryDir tmp;
        const std::string dir = tmp.filePath("awq").toStdString();
        QuantizedCheckpointOptions wo;
        wo.format = "gemm";
        wo.tokenizerFolder = kTokenizer;
        QVERIFY(writeQuantizedCheckpoint(f.model, *q, dir, wo, cancel, none));
        std::ifstream cin(fs::path(dir) / "config.json");
        const auto config = nlohmann::json::parse(cin);
        QCOMPARE(config["quantization_config"]["quant_method"].get<std::string>(),
                 std::string("awq"));
        QCOMPARE(config["quantization_config"]["version"].get<std::string>(), std::string("gemm"));
        QCOMPARE(config["quantization_config"]["zero_point"].get<bool>(), true);
        const auto st = readAllTensors(dir);
        const int order[8] = {0, 2, 4, 6, 1, 3, 5, 7};
        for (const auto& [name, lin] : q->linears) {
            const std::string p = hfPrefix(name);
            const auto& qw = st.at(p + ".qweight");
            const auto& qz = st.at(p + ".qzeros");
            QCOMPARE(qw.shape,
                     (std::vector<std::uint64_t>{static_cast<std::uint64_t>(lin.cols),
                                                 static_cast<std::uint64_t>(lin.rows / 8)}));
            const bool qk = name.find("attn_q.") != std::string::npos ||
                            name.find("attn_k.") != std::string::npos;
            const int heads = name.find("attn_k") != std::string::npos ? f.kvHeads : f.heads;
            for (int r = 0; r < lin.rows; ++r) {
                const int hr = qk ? hfRow(r, lin.rows, heads) : r;
                const int c = hr / 8;
                int k = 0;
                while (order[k] != hr % 8) {
                    ++k;
                }
                for (int i = 0; i < lin.cols; i += 5) {
                    const auto w =
                        at<std::uint32_t>(qw, static_cast<std::size_t>(i) * (lin.rows / 8) + c);
                    QCOMPARE(static_cast<int>((w >> (4 * k)) & 15u),
                             static_cast<int>(lin.q[static_cast<std::size_t>(r) * lin.cols + i]));
                }
                const auto z = at<std::uint32_t>(qz, c);
                QCOMPARE(static_cast<int>((z >> (4 * k)) & 15u), lin.zeros[r]);
            }
        }
        checkImported(dir, *q);
    }

    // Issue 22: asymmetric GPTQ asked for as v1 is written as gptq_v2 (with a log line saying
    // why), its config naming the format in checkpoint_format and format (optimum reads the
    // latter) and not claiming GPTQModel as its quantizer; symmetric output stays v1.
    void asymmetricIsWrittenAsV2() {
        auto& f = fixture();
        CalibrationOptions tiny;
        tiny.nsamples = 1;
        tiny.seqlen = 16;
        CancelToken cancel;
        NullProgressSink none;
        GptqOptions asym;
        asym.sym = false;
        auto q = quantizeCalibrated(f.model, f.tokens, f.bos, CalibratedMethod::Rtn, asym, tiny,
                                    cancel, none);
        QVERIFY2(q, q ? "" : q.error().message.c_str());

        LogCapture log;
        QTemporaryDir tmp;
        const std::string dir = tmp.filePath("asym").toStdString();
        QuantizedCheckpointOptions wo; // format "gptq", as the CLI's default
        QCOMPARE(wo.format, std::string("gptq"));
        wo.tokenizerFolder = kTokenizer;
        QVERIFY(writeQuantizedCheckpoint(f.model, *q, dir, wo, cancel, none));
        const std::string logged = log.text();
        QVERIFY2(logged.find("asymmetric GPTQ is written as gptq_v2") != std::string::npos,
                 logged.c_str());

        for (const char* file : {"config.json", "quantize_config.json"}) {
            std::ifstream in(fs::path(dir) / file);
            const auto json = nlohmann::json::parse(in);
            const auto& qc =
                std::string(file) == "config.json" ? json["quantization_config"] : json;
            QCOMPARE(qc["sym"].get<bool>(), false);
            QCOMPARE(qc["checkpoint_format"].get<std::string>(), std::string("gptq_v2"));
            QCOMPARE(qc["format"].get<std::string>(), std::string("gptq_v2"));
            for (const auto& name : qc["meta"]["quantizer"]) {
                QVERIFY(!name.get<std::string>().starts_with("gptqmodel"));
            }
        }
        std::ifstream card(fs::path(dir) / "README.md");
        const std::string cardText((std::istreambuf_iterator<char>(card)),
                                   std::istreambuf_iterator<char>());
        QVERIFY(cardText.find("checkpoint format: gptq_v2") != std::string::npos);
        // Zeros stored as they are (v2): no "zero - 1".
        const auto st = readAllTensors(dir);
        for (const auto& [name, lin] : q->linears) {
            checkGptqTensors(st, name, lin, true,
                             name.find("attn_k") != std::string::npos ? f.kvHeads : f.heads);
        }
        checkImported(dir, *q);

        // Symmetric: v1, and no `format` key (a v1 config without it means v1 everywhere).
        auto sym = quantizeCalibrated(f.model, f.tokens, f.bos, CalibratedMethod::Rtn,
                                      GptqOptions{}, tiny, cancel, none);
        QVERIFY(sym);
        const std::string symDir = tmp.filePath("sym").toStdString();
        QVERIFY(writeQuantizedCheckpoint(f.model, *sym, symDir, wo, cancel, none));
        std::ifstream in(fs::path(symDir) / "config.json");
        const auto qc = nlohmann::json::parse(in)["quantization_config"];
        QCOMPARE(qc["checkpoint_format"].get<std::string>(), std::string("gptq"));
        QVERIFY(!qc.contains("format"));
        // Symmetric v2 when asked: both keys.
        const std::string symV2Dir = tmp.filePath("sym-v2").toStdString();
        wo.format = "gptq_v2";
        QVERIFY(writeQuantizedCheckpoint(f.model, *sym, symV2Dir, wo, cancel, none));
        std::ifstream inV2(fs::path(symV2Dir) / "config.json");
        const auto qcV2 = nlohmann::json::parse(inV2)["quantization_config"];
        QCOMPARE(qcV2["checkpoint_format"].get<std::string>(), std::string("gptq_v2"));
        QCOMPARE(qcV2["format"].get<std::string>(), std::string("gptq_v2"));
    }

    // Issue 22: a llama model with Q/K biases (convert_hf_to_gguf permutes q_proj.bias and
    // k_proj.bias with the weights) gets its biases back in Hugging Face row order, and
    // attention_bias set; importing the folder restores the GGUF order.
    void qkBiasesGoBackToHfOrder() {
        auto& f = fixture();
        QTemporaryDir tmp;
        const std::string biased = tmp.filePath("biased.gguf").toStdString();
        const auto& hp = f.model.hparams();
        const std::uint64_t headDim = hp.embeddingLength / hp.headCount;
        // Every tensor of the model, then a Q and a K bias per layer whose values name their
        // GGUF row: 300 * layer + row, negative for K (exact in the checkpoint's F16).
        std::vector<GgufTensorSpec> specs;
        for (const auto& t : f.model.tensors()) {
            specs.push_back({t.name, t.dims, t.type});
        }
        auto biasValues = [&](std::uint32_t layer, bool k) {
            const std::uint64_t rows = (k ? hp.headCountKv : hp.headCount) * headDim;
            std::vector<float> v(rows);
            for (std::uint64_t r = 0; r < rows; ++r) {
                v[r] = (k ? -1.0f : 1.0f) * static_cast<float>(300 * layer + r);
            }
            return v;
        };
        for (std::uint32_t l = 0; l < hp.blockCount; ++l) {
            for (bool k : {false, true}) {
                const std::string name =
                    "blk." + std::to_string(l) + (k ? ".attn_k.bias" : ".attn_q.bias");
                specs.push_back(
                    {name, {static_cast<std::uint64_t>(biasValues(l, k).size())}, GgmlType::F32});
            }
        }
        {
            auto writer = GgufWriter::create(biased, f.model.metadata(), specs);
            QVERIFY(writer.ok());
            for (const auto& t : f.model.tensors()) {
                std::vector<std::byte> raw(t.byteSize);
                QVERIFY(f.model.readTensorData(t, raw).ok());
                QVERIFY((*writer)->write(raw).ok());
            }
            for (std::uint32_t l = 0; l < hp.blockCount; ++l) {
                for (bool k : {false, true}) {
                    const auto v = biasValues(l, k);
                    QVERIFY((*writer)
                                ->write(std::as_bytes(std::span<const float>(v.data(), v.size())))
                                .ok());
                }
            }
            QVERIFY((*writer)->finish().ok());
        }
        auto model = openModel(biased);
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());
        CalibrationOptions tiny;
        tiny.nsamples = 1;
        tiny.seqlen = 16;
        CancelToken cancel;
        NullProgressSink none;
        auto q = quantizeCalibrated(*model, f.tokens, f.bos, CalibratedMethod::Rtn, GptqOptions{},
                                    tiny, cancel, none);
        QVERIFY2(q, q ? "" : q.error().message.c_str());
        const std::string dir = tmp.filePath("ckpt").toStdString();
        QuantizedCheckpointOptions wo;
        wo.tokenizerFolder = kTokenizer;
        QVERIFY(writeQuantizedCheckpoint(*model, *q, dir, wo, cancel, none));
        std::ifstream in(fs::path(dir) / "config.json");
        QCOMPARE(nlohmann::json::parse(in)["attention_bias"].get<bool>(), true);

        // GGUF row h*d + 2j + c holds HF row h*d + c*d/2 + j (rotate-half vs interleaved).
        const auto st = readAllTensors(dir);
        for (std::uint32_t l = 0; l < hp.blockCount; ++l) {
            for (bool k : {false, true}) {
                const std::string hf = "model.layers." + std::to_string(l) +
                                       (k ? ".self_attn.k_proj.bias" : ".self_attn.q_proj.bias");
                const auto it = st.find(hf);
                QVERIFY2(it != st.end(), hf.c_str());
                const auto gguf = biasValues(l, k);
                QCOMPARE(it->second.data.size(), gguf.size() * sizeof(std::uint16_t));
                for (std::uint64_t r = 0; r < gguf.size(); ++r) {
                    const std::uint64_t head = r / headDim, within = r % headDim;
                    const std::uint64_t hfRow =
                        head * headDim + (within % 2) * (headDim / 2) + within / 2;
                    std::uint16_t h;
                    std::memcpy(&h, it->second.data.data() + 2 * hfRow, 2);
                    QCOMPARE(fp16ToFp32(h), gguf[r]);
                }
            }
        }
        // Imported back: GGUF order again.
        auto back = openModel(dir);
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message.c_str());
        for (std::uint32_t l = 0; l < hp.blockCount; ++l) {
            const auto* t = back->findTensor("blk." + std::to_string(l) + ".attn_k.bias");
            QVERIFY(t);
            std::vector<std::byte> raw(t->byteSize);
            QVERIFY(back->readTensorData(*t, raw).ok());
            std::vector<float> values(t->elementCount());
            QVERIFY(dequantizeRow(t->type, raw.data(), values.data(),
                                  static_cast<std::int64_t>(values.size()))
                        .ok());
            QCOMPARE(values, biasValues(l, true));
        }
    }

    // Issue 22: a folder made from a GGUF without tokenizer files gets them from the GGUF's
    // SentencePiece vocabulary; read back as a tokenizer.json they encode text exactly as the
    // GGUF's own tokenizer (llama.cpp's algorithm) does, and decode it back.
    void tokenizerFilesFromTheGgufVocabulary() {
        auto& f = fixture();
        CalibrationOptions tiny;
        tiny.nsamples = 1;
        tiny.seqlen = 16;
        CancelToken cancel;
        NullProgressSink none;
        auto q = quantizeCalibrated(f.model, f.tokens, f.bos, CalibratedMethod::Rtn, GptqOptions{},
                                    tiny, cancel, none);
        QVERIFY(q);
        QTemporaryDir tmp;
        const std::string dir = tmp.filePath("ckpt").toStdString();
        QVERIFY(writeQuantizedCheckpoint(f.model, *q, dir, {}, cancel, none));
        for (const char* file :
             {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"}) {
            QVERIFY2(fs::exists(fs::path(dir) / file), file);
        }
        std::ifstream config(fs::path(dir) / "tokenizer_config.json");
        const auto tc = nlohmann::json::parse(config);
        QCOMPARE(tc["bos_token"].get<std::string>(), std::string("<s>"));
        QCOMPARE(tc["add_bos_token"].get<bool>(), true);

        auto gguf = tokenizerFromMetadata(f.model.metadata());
        QVERIFY(gguf.ok());
        auto hf = loadHfTokenizerJson((fs::path(dir) / "tokenizer.json").string());
        QVERIFY2(hf.ok(), hf.ok() ? "" : hf.error().message.c_str());
        auto text = readEvalText(kCalib);
        QVERIFY(text.ok());
        const std::string sample = text->substr(0, 20000) + " caf\xC3\xA9 \xE2\x9C\x93 x  y";
        const auto want = gguf->encode(sample, true);
        QCOMPARE(hf->encode(sample, true), want);
        QCOMPARE(hf->decode(want), gguf->decode(want));

        // openModel() on the folder finds the written tokenizer.
        auto back = openModel(dir);
        QVERIFY(back.ok());
        auto em = makeEvalModel(*back);
        QVERIFY(em.ok() && em->tokenizer);
        QCOMPARE(em->tokenizer->encode(sample, true), want);
    }

    // Issue 22: our GPTQ folders read the way ExLlamaV2 reads them (exllamaV2Read above): what
    // it accepts (4-bit, v1 and v2, act-order g_idx, one group per row) decodes to our weights
    // exactly; 2/3/8-bit is refused by its 4-bit shape check; asymmetric v2 zeros of 0 are
    // misread (its per-word "- 0x11111111" borrows), every other zero is read right.
    void exllamaV2ReadsOurGptqFolders() {
        auto& f = fixture();
        CalibrationOptions tiny;
        tiny.nsamples = 1;
        tiny.seqlen = 16;
        CancelToken cancel;
        NullProgressSink none;
        QTemporaryDir tmp;
        int folder = 0;
        auto write = [&](const CalibratedQuantization& q, const std::string& format) {
            const std::string dir = tmp.filePath(QString::number(++folder)).toStdString();
            QuantizedCheckpointOptions wo;
            wo.format = format;
            wo.tokenizerFolder = kTokenizer;
            if (!writeQuantizedCheckpoint(f.model, q, dir, wo, cancel, none)) {
                qFatal("cannot write %s", dir.c_str());
            }
            return exllamaV2ReadFolder(dir, q, f.heads, f.kvHeads);
        };
        auto quantize = [&](CalibratedMethod method, const GptqOptions& o) {
            auto q = quantizeCalibrated(f.model, f.tokens, f.bos, method, o, tiny, cancel, none);
            if (!q) {
                qFatal("%s", q.error().message.c_str());
            }
            return std::move(*q);
        };
        auto names = [](const auto& set) {
            std::string s;
            for (const auto& n : set) {
                s += n + " ";
            }
            return s;
        };

        // GPTQ 4-bit, act-order (g_idx out of order), symmetric v1: the sorting path.
        GptqOptions actOrder;
        actOrder.descAct = true;
        const auto gptq = quantize(CalibratedMethod::Gptq, actOrder);
        QVERIFY(std::any_of(gptq.linears.begin(), gptq.linears.end(), [](const auto& l) {
            return !std::is_sorted(l.second.gIdx.begin(), l.second.gIdx.end());
        }));
        auto r = write(gptq, "gptq");
        QVERIFY2(r.problems.empty(), names(r.problems).c_str());
        QVERIFY(r.refused.empty());
        QVERIFY2(r.misdecoded.empty(), names(r.misdecoded).c_str());
        QCOMPARE(r.actOrderLinears, 28);

        // Symmetric 4-bit written as gptq_v2: ExLlamaV2 takes the offset from checkpoint_format.
        const auto rtn = quantize(CalibratedMethod::Rtn, GptqOptions{});
        r = write(rtn, "gptq_v2");
        QVERIFY(r.problems.empty() && r.refused.empty());
        QVERIFY2(r.misdecoded.empty(), names(r.misdecoded).c_str());
        // The same linears as v1: the stored zeros differ by one, the weights do not.
        r = write(rtn, "gptq");
        QVERIFY(r.problems.empty() && r.refused.empty() && r.misdecoded.empty());

        // One group per row (group size -1): it derives a power of two covering the row.
        GptqOptions oneGroup;
        oneGroup.groupSize = -1;
        r = write(quantize(CalibratedMethod::Rtn, oneGroup), "gptq");
        QVERIFY(r.problems.empty() && r.refused.empty());
        QVERIFY2(r.misdecoded.empty(), names(r.misdecoded).c_str());

        // Asymmetric (always v2): misread exactly where a zero point is 0. One zero forced to 0
        // so that the case is present whatever the weights give.
        GptqOptions asym;
        asym.sym = false;
        auto asymQ = quantize(CalibratedMethod::Rtn, asym);
        const std::string forced = "blk.1.ffn_up.weight";
        QVERIFY(asymQ.linears.count(forced));
        asymQ.linears.at(forced).zeros[3] = 0;
        std::set<std::string> withZeroZero;
        for (const auto& [name, lin] : asymQ.linears) {
            if (std::find(lin.zeros.begin(), lin.zeros.end(), 0) != lin.zeros.end()) {
                withZeroZero.insert(name);
            }
        }
        r = write(asymQ, "gptq");
        QVERIFY(r.problems.empty() && r.refused.empty());
        QCOMPARE(r.misdecoded, withZeroZero);
        QVERIFY(r.misdecoded.count(forced));
        qInfo("asymmetric RTN 4-bit: %zu/28 linears have a zero point of 0 (one forced)",
              withZeroZero.size());
        // With zeros kept >= 1 (minZeroOne) it reads every linear right.
        asym.minZeroOne = true;
        r = write(quantize(CalibratedMethod::Rtn, asym), "gptq");
        QVERIFY(r.problems.empty() && r.refused.empty());
        QVERIFY2(r.misdecoded.empty(), names(r.misdecoded).c_str());

        // 2, 3 and 8 bits: refused by make_q_matrix's 4-bit shape check, every linear.
        for (const int bits : {2, 3, 8}) {
            GptqOptions o;
            o.bits = bits;
            r = write(quantize(CalibratedMethod::Rtn, o), "gptq");
            QCOMPARE(int(r.refused.size()), 28);
            for (const auto& [name, why] : r.refused) {
                QCOMPARE(why, std::string("qzeros width x 8 != qweight width (4-bit packing "
                                          "assumed)"));
            }
        }
    }

    // Issue 22: a GGUF with a byte-level BPE vocabulary (tokenizer.ggml.model "gpt2", made here
    // from a Llama-3-style tokenizer.json through our HF import) gets tokenizer files whose
    // vocabulary ids, merges, added/special tokens and pre-tokenizer equal the source's; an
    // unknown or missing pre-tokenizer name is an error (and a warning from the writer), not a
    // guess. (No HF tokenizers library here: the files are compared, not run.)
    void byteLevelBpeTokenizerFilesFromTheGgufVocabulary() {
        auto& f = fixture();
        QTemporaryDir tmp;
        const int vocabSize = static_cast<int>(f.model.hparams().vocabSize);
        const auto source = llama3StyleTokenizer(vocabSize);
        const fs::path src = tmp.filePath("source").toStdString();
        fs::create_directories(src);
        const std::string chat = "{{ bos_token }}{% for m in messages %}{{ m['content'] }}"
                                 "<|eot_id|>{% endfor %}";
        {
            std::ofstream(src / "tokenizer.json") << source.dump(1);
            std::ofstream(src / "config.json") << nlohmann::json{
                {"bos_token_id", vocabSize - 4},
                {"eos_token_id", vocabSize - 2}}.dump();
            std::ofstream(src / "tokenizer_config.json")
                << nlohmann::json{{"add_bos_token", true}, {"chat_template", chat}}.dump();
        }
        HfArchitecture arch;
        arch.ggufArchitecture = "llama";
        arch.vocabSize = static_cast<std::uint32_t>(vocabSize);
        Metadata vocabulary;
        QVERIFY(readHfTokenizer((src / "tokenizer.json").string(), arch,
                                (src / "config.json").string(), vocabulary)
                    .ok());
        QCOMPARE(vocabulary.string("tokenizer.ggml.model"), std::string("gpt2"));
        QCOMPARE(vocabulary.string("tokenizer.ggml.pre"), std::string("llama-bpe"));

        // The shakespeare model with this vocabulary in place of its SentencePiece one.
        auto writeGguf = [&](const Metadata& tokenizerKeys, const std::string& name) {
            Metadata md;
            for (const auto& [key, value] : f.model.metadata().entries()) {
                if (!key.starts_with("tokenizer.")) {
                    md.set(key, value);
                }
            }
            for (const auto& [key, value] : tokenizerKeys.entries()) {
                md.set(key, value);
            }
            std::vector<GgufTensorSpec> specs;
            for (const auto& t : f.model.tensors()) {
                specs.push_back({t.name, t.dims, t.type});
            }
            const std::string path = tmp.filePath(QString::fromStdString(name)).toStdString();
            auto writer = GgufWriter::create(path, md, specs);
            if (!writer) {
                qFatal("%s", writer.error().message.c_str());
            }
            for (const auto& t : f.model.tensors()) {
                std::vector<std::byte> raw(t.byteSize);
                if (!f.model.readTensorData(t, raw) || !(*writer)->write(raw)) {
                    qFatal("cannot copy %s", t.name.c_str());
                }
            }
            if (!(*writer)->finish()) {
                qFatal("cannot finish %s", path.c_str());
            }
            auto model = openModel(path);
            if (!model) {
                qFatal("%s", model.error().message.c_str());
            }
            return std::move(*model);
        };
        const Model bpeModel = writeGguf(vocabulary, "bpe.gguf");
        CalibrationOptions tiny;
        tiny.nsamples = 1;
        tiny.seqlen = 16;
        CancelToken cancel;
        NullProgressSink none;
        auto q = quantizeCalibrated(f.model, f.tokens, f.bos, CalibratedMethod::Rtn, GptqOptions{},
                                    tiny, cancel, none);
        QVERIFY(q);
        const fs::path dir = tmp.filePath("ckpt").toStdString();
        QVERIFY(writeQuantizedCheckpoint(bpeModel, *q, dir.string(), {}, cancel, none));

        std::ifstream in(dir / "tokenizer.json");
        const auto written = nlohmann::json::parse(in);
        const auto& model = written["model"];
        QCOMPARE(model["type"].get<std::string>(), std::string("BPE"));
        QCOMPARE(model["byte_fallback"].get<bool>(), false);
        QCOMPARE(model["ignore_merges"].get<bool>(), true); // llama.cpp's LLAMA3 type
        QVERIFY2(model["vocab"] == source["model"]["vocab"], model["vocab"].dump().c_str());
        QVERIFY2(model["merges"] == source["model"]["merges"], model["merges"].dump().c_str());
        QVERIFY2(written["pre_tokenizer"] == source["pre_tokenizer"],
                 written["pre_tokenizer"].dump().c_str());
        QCOMPARE(written["decoder"]["type"].get<std::string>(), std::string("ByteLevel"));
        QCOMPARE(written["added_tokens"].size(), source["added_tokens"].size());
        for (std::size_t i = 0; i < source["added_tokens"].size(); ++i) {
            for (const char* key : {"id", "content", "special"}) {
                QVERIFY2(written["added_tokens"][i][key] == source["added_tokens"][i][key],
                         written["added_tokens"][i][key].dump().c_str());
            }
        }
        // BOS through the post-processor, as llama.cpp adds it.
        QCOMPARE(written["post_processor"]["single"][0]["SpecialToken"]["id"].get<std::string>(),
                 std::string("<|begin_of_text|>"));
        std::ifstream configIn(dir / "tokenizer_config.json");
        const auto config = nlohmann::json::parse(configIn);
        QCOMPARE(config["bos_token"].get<std::string>(), std::string("<|begin_of_text|>"));
        QCOMPARE(config["eos_token"].get<std::string>(), std::string("<|eot_id|>"));
        QCOMPARE(config["add_bos_token"].get<bool>(), true);
        QCOMPARE(config["chat_template"].get<std::string>(), chat);
        std::ifstream mapIn(dir / "special_tokens_map.json");
        QCOMPARE(nlohmann::json::parse(mapIn)["eos_token"].get<std::string>(),
                 std::string("<|eot_id|>"));

        // The written tokenizer.json tokenizes as the GGUF vocabulary does (ours following the
        // tokenizer.json's rules, llama.cpp's for the GGUF), BOS included.
        auto fromGguf = tokenizerFromMetadata(bpeModel.metadata());
        QVERIFY2(fromGguf.ok(), fromGguf.ok() ? "" : fromGguf.error().toString().c_str());
        auto fromFolder = loadHfTokenizerJson((dir / "tokenizer.json").string());
        QVERIFY2(fromFolder.ok(), fromFolder.ok() ? "" : fromFolder.error().toString().c_str());
        for (const std::string& text : std::vector<std::string>{
                 "First Citizen:\nBefore we<tool> proceed any further, hear me speak.",
                 "It's 2026; they'd say: \"WE'LL see\"  \t  ok?\r\n\n\u00e9t\u00e9 \u65e5\u672c "
                 "12345",
                 std::string("  leading and trailing  ")}) {
            QCOMPARE(fromFolder->encode(text), fromGguf->encode(text));
            QCOMPARE(fromFolder->decode(fromFolder->encode(text)), text);
        }

        // Qwen2's split for its pre name, with the NFC normalizer of its tokenizer.json.
        Metadata qwen = vocabulary;
        qwen.set("tokenizer.ggml.pre", MetaValue(std::string("qwen2")));
        auto qwenFiles = hfTokenizerFromGguf(qwen, 0);
        QVERIFY(qwenFiles.ok());
        const auto qwenJson = nlohmann::json::parse(qwenFiles->tokenizerJson);
        QCOMPARE(qwenJson["normalizer"]["type"].get<std::string>(), std::string("NFC"));
        QVERIFY(qwenJson["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"]
                    .get<std::string>()
                    .find(R"(\p{N}|)") != std::string::npos);
        QCOMPARE(qwenJson["model"]["ignore_merges"].get<bool>(), false);

        // An unknown pre-tokenizer, or none: an error naming it, no guessed split.
        Metadata unknown = vocabulary;
        unknown.set("tokenizer.ggml.pre", MetaValue(std::string("no-such-pre")));
        auto refused = hfTokenizerFromGguf(unknown, 0);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, ErrorCode::Unsupported);
        QVERIFY(refused.error().message.find("\"no-such-pre\"") != std::string::npos);
        Metadata missing = vocabulary;
        missing.erase("tokenizer.ggml.pre");
        auto refusedMissing = hfTokenizerFromGguf(missing, 0);
        QVERIFY(!refusedMissing.ok());
        QVERIFY(refusedMissing.error().message.find("tokenizer.ggml.pre is missing") !=
                std::string::npos);
        // The checkpoint writer says so and writes no tokenizer files.
        const Model unknownModel = writeGguf(unknown, "unknown.gguf");
        LogCapture log;
        const fs::path unknownDir = tmp.filePath("unknown-ckpt").toStdString();
        QVERIFY(writeQuantizedCheckpoint(unknownModel, *q, unknownDir.string(), {}, cancel, none));
        QVERIFY(!fs::exists(unknownDir / "tokenizer.json"));
        const std::string logged = log.text();
        QVERIFY2(logged.find("no tokenizer files written") != std::string::npos &&
                     logged.find("no-such-pre") != std::string::npos,
                 logged.c_str());
    }

    void cancelLeavesNothing() {
        auto& f = fixture();
        GptqOptions o;
        CancelToken cancel;
        cancel.requestCancel();
        NullProgressSink none;
        auto q = quantizeCalibrated(f.model, f.tokens, f.bos, CalibratedMethod::Gptq, o,
                                    ciCalibration(), cancel, none);
        QVERIFY(!q);
        QCOMPARE(q.error().code, ErrorCode::Cancelled);
        // The writer too: a cancelled export leaves neither the folder nor its temp folder.
        CancelToken go;
        CalibrationOptions tiny;
        tiny.nsamples = 1;
        tiny.seqlen = 16;
        auto rtn =
            quantizeCalibrated(f.model, f.tokens, f.bos, CalibratedMethod::Rtn, o, tiny, go, none);
        QVERIFY(rtn);
        QTemporaryDir tmp;
        const std::string dir = tmp.filePath("cancelled").toStdString();
        QVERIFY(!writeQuantizedCheckpoint(f.model, *rtn, dir, {}, cancel, none));
        QVERIFY(fs::is_empty(tmp.path().toStdString()));
    }
};

QTEST_APPLESS_MAIN(TestGptqCheckpoint)
#include "tst_gptq_checkpoint.moc"
