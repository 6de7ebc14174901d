// Issue 18: Hugging Face folders of every dense family convert to the GGUF llama.cpp's converter
// writes. The fixtures are made here from ../shared/golden/arch's GGUFs by inverting
// convert_hf_to_gguf's transforms (names, Llama's Q/K row permutation, Gemma's norm + 1);
// converting them back must give every golden tensor bit for bit. GPTQ and AWQ of the Qwen3 and
// Gemma 3 fixtures must beat round-to-nearest on every linear and evaluate.
// Issue 19: the same for Mixtral and Qwen3-MoE, whose experts are one HF tensor each (unstacked
// from the golden 3-D tensors, in shards small enough that one stack spans several files), and
// GPTQ/AWQ per expert of the Qwen3-MoE fixture.
#include "core/eval/eval_model.h"
#include "core/eval/llama_context.h"
#include "core/eval/perplexity.h"
#include "core/eval/text_input.h"
#include "core/export/gguf_convert.h"
#include "core/export/quantize_model.h"
#include "core/export/quantized_checkpoint.h"
#include "core/gptq/calibrate.h"
#include "core/io/hf_names.h"
#include "core/io/hf_reader.h"
#include "core/io/model_reader.h"
#include "core/io/safetensors_reader.h"
#include "core/io/safetensors_writer.h"
#include "core/model/model.h"
#include "core/plan/llama_presets.h"
#include "core/plan/model_plan.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <span>

using namespace qs::core;

namespace {

const QString kArch = QStringLiteral(QS_SHARED_MODELS_DIR "/../golden/arch");

std::string goldenPath(const QString& family) {
    return (kArch + "/" + family + "/" + family + "-f16.gguf").toStdString();
}

Model mustOpen(const std::string& path) {
    auto m = openModel(path);
    if (!m) {
        qFatal("%s", m.error().toString().c_str());
    }
    return std::move(m).value();
}

// config.json as the family's HF class has it, from the GGUF's keys.
nlohmann::json fixtureConfig(const Model& gguf, const HfFamily& family) {
    const LlamaHParams hp = gguf.hparams();
    const Metadata& md = gguf.metadata();
    const std::string p = hp.architecture + ".";
    nlohmann::json c;
    c["architectures"] = {std::string(family.hfClass)};
    c["model_type"] = std::string(family.modelType);
    c["hidden_size"] = hp.embeddingLength;
    c["intermediate_size"] = hp.feedForwardLength;
    c["num_hidden_layers"] = hp.blockCount;
    c["num_attention_heads"] = hp.headCount;
    c["num_key_value_heads"] = hp.headCountKv;
    if (const auto k = md.integer(p + "attention.key_length")) {
        c["head_dim"] = *k;
    } else if (family.ggufArchitecture == "gemma3") {
        c["head_dim"] = hp.embeddingLength / hp.headCount;
    }
    if (family.hasExperts()) {
        c[std::string(family.expertCountKey)] = *md.integer(p + "expert_count");
        c["num_experts_per_tok"] = *md.integer(p + "expert_used_count");
        if (const auto n = md.integer(p + "expert_feed_forward_length")) {
            c["moe_intermediate_size"] = *n;
            c["norm_topk_prob"] = true;
        }
    }
    c["rms_norm_eps"] = hp.rmsEpsilon;
    c["rope_theta"] = hp.ropeFreqBase;
    c["max_position_embeddings"] = hp.contextLength;
    c["vocab_size"] = gguf.findTensor("token_embd.weight")->dims[1];
    c["tie_word_embeddings"] = gguf.findTensor("output.weight") == nullptr;
    if (const auto w = md.integer(p + "attention.sliding_window")) {
        c["sliding_window"] = *w;
    }
    if (const auto swa = md.number(p + "rope.freq_base_swa")) {
        c["rope_local_base_freq"] = *swa;
    }
    return c;
}

// Writes the HF folder convert_hf_to_gguf would have read to make `gguf`, in shards of at most
// `shardBytes`.
// `edit` may change a tensor's bytes (GGUF layout) before they are written.
using FixtureEdit = std::function<void(const TensorInfo&, std::vector<std::byte>&)>;
void writeFixture(const Model& gguf, const HfFamily& family, const QString& dir,
                  std::uint64_t shardBytes = 5000000000ull, const std::string& omit = {},
                  const FixtureEdit& edit = {}) {
    const LlamaHParams hp = gguf.hparams();
    std::vector<SafetensorsEntry> entries;
    for (const TensorInfo& t : gguf.tensors()) {
        if (t.dims.size() == 3) {
            // A stacked expert tensor [cols, rows, experts]: one HF matrix [rows, cols] each.
            const std::uint64_t bytes = t.byteSize / t.dims[2];
            std::vector<std::byte> all(t.byteSize);
            QVERIFY(gguf.readTensorData(t, all).ok());
            for (std::uint64_t e = 0; e < t.dims[2]; ++e) {
                const auto hfName = hfExpertName(family, t.name, static_cast<int>(e));
                QVERIFY2(hfName, t.name.c_str());
                QCOMPARE(t.type, GgmlType::F16);
                if (*hfName == omit) {
                    continue;
                }
                entries.push_back({*hfName,
                                   "F16",
                                   {t.dims[1], t.dims[0]},
                                   {all.begin() + static_cast<std::ptrdiff_t>(e * bytes),
                                    all.begin() + static_cast<std::ptrdiff_t>((e + 1) * bytes)}});
            }
            continue;
        }
        const auto hfName = ggufToHfName(family, t.name);
        if (!hfName) {
            qFatal("%s has no HF name", t.name.c_str());
        }
        std::vector<std::byte> bytes(t.byteSize);
        if (!gguf.readTensorData(t, bytes)) {
            qFatal("cannot read %s", t.name.c_str());
        }
        if (edit) {
            edit(t, bytes);
        }
        const bool q = t.name.ends_with(".attn_q.weight");
        const bool k = t.name.ends_with(".attn_k.weight");
        if (family.permuteQK && (q || k)) {
            // GGUF row h*d + 2j + c came from HF row h*d + c*d/2 + j.
            const std::uint64_t rows = t.dims[1];
            const std::uint64_t rowBytes = t.byteSize / rows;
            const std::uint64_t d = rows / (q ? hp.headCount : hp.headCountKv);
            std::vector<std::byte> hf(bytes.size());
            for (std::uint64_t r = 0; r < rows; ++r) {
                const std::uint64_t within = r % d;
                const std::uint64_t src = r / d * d + within % 2 * (d / 2) + within / 2;
                std::memcpy(hf.data() + src * rowBytes, bytes.data() + r * rowBytes, rowBytes);
            }
            bytes.swap(hf);
        }
        if (isShiftedNorm(family, t.name)) {
            QVERIFY2(t.type == GgmlType::F32, t.name.c_str());
            for (std::size_t i = 0; i < bytes.size(); i += 4) {
                float v;
                std::memcpy(&v, bytes.data() + i, 4);
                v -= 1.0f;
                std::memcpy(bytes.data() + i, &v, 4);
            }
        }
        const std::string dtype = t.type == GgmlType::F16 ? "F16" : "F32";
        entries.push_back({*hfName, dtype, {t.dims.rbegin(), t.dims.rend()}, std::move(bytes)});
    }
    CancelToken cancel;
    if (!writeSafetensorsFolder(dir.toStdString(), entries, shardBytes, cancel)) {
        qFatal("cannot write the fixture");
    }
    std::ofstream(QDir(dir).filePath("config.json").toStdString())
        << fixtureConfig(gguf, family).dump(2);
}

} // namespace

class TestHfFamilies : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        if (!QDir(kArch).exists()) {
            QSKIP("../shared/golden/arch is not beside this checkout");
        }
    }

    void convertsToTheGoldenGguf_data() {
        QTest::addColumn<QString>("family");
        QTest::addColumn<QString>("hfClass");
        QTest::newRow("Llama") << "llama"
                               << "LlamaForCausalLM";
        QTest::newRow("Mistral") << "llama"
                                 << "MistralForCausalLM";
        QTest::newRow("Qwen2") << "qwen2"
                               << "Qwen2ForCausalLM";
        QTest::newRow("Qwen3") << "qwen3"
                               << "Qwen3ForCausalLM";
        QTest::newRow("Gemma 3") << "gemma3"
                                 << "Gemma3ForCausalLM";
        QTest::newRow("Phi-3") << "phi3"
                               << "Phi3ForCausalLM";
        QTest::newRow("Mixtral") << "mixtral"
                                 << "MixtralForCausalLM";
        QTest::newRow("Qwen3-MoE") << "qwen3moe"
                                   << "Qwen3MoeForCausalLM";
    }
    void convertsToTheGoldenGguf() {
        QFETCH(QString, family);
        QFETCH(QString, hfClass);
        const Model golden = mustOpen(goldenPath(family));
        const HfFamily* hf = hfFamilyByClass(hfClass.toStdString());
        QVERIFY(hf);
        QTemporaryDir dir;
        const QString folder = dir.filePath("hf");
        QVERIFY(QDir().mkpath(folder));
        // Shards of 1 MB: the experts of one stacked tensor lie in several files.
        writeFixture(golden, *hf, folder, hf->hasExperts() ? 1000000 : 5000000000ull);

        auto model = readHfFolder(folder.toStdString());
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());
        QCOMPARE(model->hparams().architecture, std::string(hf->ggufArchitecture));
        if (hf->hasExperts()) {
            std::size_t spanning = 0;
            for (const TensorInfo& t : model->tensors()) {
                std::set<std::uint32_t> files;
                for (const TensorPart& part : t.parts) {
                    files.insert(part.source);
                }
                spanning += files.size() > 1;
            }
            QVERIFY2(spanning > 0, "no expert stack spans several shards");
            for (const char* key :
                 {"expert_count", "expert_used_count", "expert_feed_forward_length"}) {
                const std::string k = std::string(hf->ggufArchitecture) + "." + key;
                QCOMPARE(model->metadata().integer(k), golden.metadata().integer(k));
            }
        }
        const std::string out = dir.filePath("out.gguf").toStdString();
        CancelToken cancel;
        NullProgressSink progress;
        QVERIFY(convertToGguf(*model, out, {}, progress, cancel).ok());
        const Model converted = mustOpen(out);
        QCOMPARE(converted.tensors().size(), golden.tensors().size());
        std::size_t unreachable = 0;
        for (const TensorInfo& g : golden.tensors()) {
            const TensorInfo* t = converted.findTensor(g.name);
            QVERIFY2(t, g.name.c_str());
            QCOMPARE(t->dims, g.dims);
            QCOMPARE(t->type, g.type);
            std::vector<std::byte> a(t->byteSize), b(g.byteSize);
            QVERIFY(converted.readTensorData(*t, a).ok() && golden.readTensorData(g, b).ok());
            if (isShiftedNorm(*hf, g.name)) {
                // A gain below 0.5 has bits finer than any f32 w of a checkpoint can give
                // 1 + w: such a golden value (the golden models are synthetic) is reached only
                // to the converter's rounding, fl(fl(x - 1) + 1). Every other value is exact.
                for (std::size_t i = 0; i < b.size(); i += 4) {
                    float x, y;
                    std::memcpy(&x, b.data() + i, 4);
                    std::memcpy(&y, a.data() + i, 4);
                    const float reachable = (x - 1.0f) + 1.0f;
                    unreachable += reachable != x;
                    QVERIFY2(y == reachable, (g.name + " differs from the golden GGUF").c_str());
                }
                continue;
            }
            QVERIFY2(a == b, (g.name + " differs from the golden GGUF").c_str());
        }
        if (unreachable > 0) {
            qInfo("%s: %zu norm gains below 0.5 are not reachable from an f32 checkpoint",
                  qPrintable(family), unreachable);
        }
        if (hf->hasExperts()) {
            // Quantizing reads the expert stacks a slab of rows at a time (readGgmlRows) across
            // the pieces: Q4_K_M of the folder is Q4_K_M of the golden GGUF, tensor for tensor.
            const LlamaPreset* preset = llamaPresetByName("Q4_K_M");
            QVERIFY(preset);
            QuantizeOptions qo;
            qo.fileType = static_cast<std::uint32_t>(preset->ftype);
            qo.measureError = false;
            qo.threads = 2;
            std::vector<std::string> paths;
            for (const Model* m : {static_cast<const Model*>(&*model), &golden}) {
                auto plan = buildLlamaPlanForModel(*m, *preset, {});
                QVERIFY(plan.ok());
                paths.push_back(dir.filePath(QString("q%1.gguf").arg(paths.size())).toStdString());
                QVERIFY(quantizeModel(*m, *plan, paths.back(), qo, cancel, progress).ok());
            }
            const Model a = mustOpen(paths[0]);
            const Model b = mustOpen(paths[1]);
            QCOMPARE(a.tensors().size(), b.tensors().size());
            for (const TensorInfo& t : b.tensors()) {
                const TensorInfo* u = a.findTensor(t.name);
                QVERIFY2(u && u->type == t.type, t.name.c_str());
                QVERIFY2(std::ranges::equal(a.storedBytes(*u), b.storedBytes(t)), t.name.c_str());
            }
        }
        // The forward pass reads the HF folder as it reads the GGUF.
        auto weights = LlamaWeights::fromModel(*model);
        QVERIFY2(weights.ok(), weights.ok() ? "" : weights.error().message.c_str());
    }

    // Issue 19: the forward pass views each expert where its HF tensor lies, and evaluates the
    // folder exactly as the golden GGUF.
    void moeFolderEvaluatesAsTheGguf_data() {
        QTest::addColumn<QString>("family");
        QTest::addColumn<QString>("hfClass");
        QTest::newRow("Mixtral") << "mixtral"
                                 << "MixtralForCausalLM";
        QTest::newRow("Qwen3-MoE") << "qwen3moe"
                                   << "Qwen3MoeForCausalLM";
    }
    void moeFolderEvaluatesAsTheGguf() {
        QFETCH(QString, family);
        QFETCH(QString, hfClass);
        const Model golden = mustOpen(goldenPath(family));
        QTemporaryDir dir;
        const QString folder = dir.filePath("hf");
        QVERIFY(QDir().mkpath(folder));
        writeFixture(golden, *hfFamilyByClass(hfClass.toStdString()), folder, 1000000);
        auto model = readHfFolder(folder.toStdString());
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());
        auto weights = LlamaWeights::fromModel(*model);
        QVERIFY2(weights.ok(), weights.ok() ? "" : weights.error().message.c_str());
        auto goldenWeights = LlamaWeights::fromModel(golden);
        QVERIFY(goldenWeights.ok());
        QCOMPARE((*weights)->config().experts, (*goldenWeights)->config().experts);
        QCOMPARE((*weights)->config().expertsUsed, (*goldenWeights)->config().expertsUsed);
        QCOMPARE((*weights)->config().expertHidden, (*goldenWeights)->config().expertHidden);

        auto tokenizerModel = openEvalModel(goldenPath(family));
        QVERIFY(tokenizerModel.ok());
        const Tokenizer& tok = *tokenizerModel->tokenizer;
        auto text = readEvalText(QS_SHARED_MODELS_DIR "/text/shakespeare-val-a.txt");
        QVERIFY(text.ok());
        const auto tokens = tok.encode(*text, true);
        PerplexityOptions po;
        po.contextLength = 128;
        po.maxChunks = 3;
        CancelToken cancel;
        NullProgressSink progress;
        LlamaContext fromHf(*weights, 128, 2);
        LlamaContext fromGguf(*goldenWeights, 128, 2);
        auto ph = computePerplexity(fromHf, tokens, tok.bos(), po, progress, cancel);
        auto pg = computePerplexity(fromGguf, tokens, tok.bos(), po, progress, cancel);
        QVERIFY(ph.ok() && pg.ok());
        qInfo("%s: PPL %.6f from the HF folder, %.6f from the golden GGUF", qPrintable(family),
              ph->ppl, pg->ppl);
        QVERIFY(std::isfinite(pg->ppl));
        QCOMPARE(ph->ppl, pg->ppl);
    }

    // A folder whose experts do not match config.json is refused, naming the file and tensor.
    void moeFixtureMismatchIsAnError_data() {
        QTest::addColumn<QString>("family");
        QTest::addColumn<QString>("hfClass");
        QTest::addColumn<QString>("omit");
        QTest::addColumn<int>("configExperts"); // 0: as the tensors say
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("Mixtral, an expert missing")
            << "mixtral"
            << "MixtralForCausalLM"
            << "model.layers.2.block_sparse_moe.experts.1.w3.weight" << 0
            << QStringList{"'model.layers.2.block_sparse_moe.experts.1.w3.weight' is in none",
                           "config.json has num_local_experts = 4"};
        QTest::newRow("Mixtral, config with more experts")
            << "mixtral"
            << "MixtralForCausalLM" << QString() << 5
            << QStringList{".block_sparse_moe.experts.4.", "config.json has num_local_experts = 5"};
        QTest::newRow("Qwen3-MoE, config with fewer experts")
            << "qwen3moe"
            << "Qwen3MoeForCausalLM" << QString() << 6
            << QStringList{".safetensors: tensor 'model.layers.", ".mlp.experts.7.",
                           "' is expert 7, but", "config.json has num_experts = 6"};
    }
    void moeFixtureMismatchIsAnError() {
        QFETCH(QString, family);
        QFETCH(QString, hfClass);
        QFETCH(QString, omit);
        QFETCH(int, configExperts);
        QFETCH(QStringList, expected);
        const Model golden = mustOpen(goldenPath(family));
        const HfFamily* hf = hfFamilyByClass(hfClass.toStdString());
        QTemporaryDir dir;
        const QString folder = dir.filePath("hf");
        QVERIFY(QDir().mkpath(folder));
        writeFixture(golden, *hf, folder, 1000000, omit.toStdString());
        if (configExperts > 0) {
            const std::string configPath = QDir(folder).filePath("config.json").toStdString();
            nlohmann::json config;
            std::ifstream(configPath) >> config;
            config[std::string(hf->expertCountKey)] = configExperts;
            std::ofstream(configPath) << config.dump(2);
        }
        auto model = readHfFolder(folder.toStdString());
        QVERIFY(!model.ok());
        const QString message = QString::fromStdString(model.error().message);
        qInfo("%s", qPrintable(message));
        for (const QString& part : expected) {
            QVERIFY2(message.contains(part), qPrintable(message + " lacks " + part));
        }
    }

    // Issue 19: GPTQ and AWQ per expert on the qwen3moe fixture, its router biased so that one
    // expert never fires: router rows 1 and 7 are copies of row 0, so the three logits are
    // equal and the top-k, which breaks ties towards the lower index, never reaches expert 7.
    // Every expert with enough routed tokens beats RTN; expert 7 is reported and written with
    // RTN; the router stays as it was; the checkpoint evaluates.
    void calibratedExpertsBeatRtnAndEvaluate_data() {
        QTest::addColumn<bool>("awq");
        QTest::newRow("GPTQ") << false;
        QTest::newRow("AWQ") << true;
    }
    void calibratedExpertsBeatRtnAndEvaluate() {
        QFETCH(bool, awq);
        constexpr int kStarved = 7;
        const Model golden = mustOpen(goldenPath("qwen3moe"));
        const HfFamily& family = *hfFamilyByClass("Qwen3MoeForCausalLM");
        QTemporaryDir dir;
        const QString folder = dir.filePath("hf");
        QVERIFY(QDir().mkpath(folder));
        auto biasRouter = [](const TensorInfo& t, std::vector<std::byte>& bytes) {
            if (t.name.ends_with("ffn_gate_inp.weight")) {
                const std::size_t row = bytes.size() / t.dims[1];
                for (const int copy : {1, kStarved}) {
                    std::copy_n(bytes.begin(), row, bytes.begin() + copy * row);
                }
            }
        };
        writeFixture(golden, family, folder, 1000000, {}, biasRouter);
        auto model = readHfFolder(folder.toStdString());
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());

        auto tokenizerModel = openEvalModel(goldenPath("qwen3moe"));
        QVERIFY(tokenizerModel.ok());
        const Tokenizer& tok = *tokenizerModel->tokenizer;
        auto calibText = readEvalText(QS_SHARED_MODELS_DIR "/text/tinyshakespeare-100k.txt");
        QVERIFY(calibText.ok());
        const auto calibTokens = tok.encode(*calibText, true);
        GptqOptions options;
        options.bits = 4;
        options.groupSize = 128;
        CalibrationOptions calibration;
        calibration.nsamples = 16;
        calibration.seqlen = 128;
        calibration.threads = 2;
        CancelToken cancel;
        NullProgressSink progress;
        auto q = quantizeCalibrated(*model, calibTokens, tok.bos(),
                                    awq ? CalibratedMethod::Awq : CalibratedMethod::Gptq, options,
                                    calibration, cancel, progress);
        QVERIFY2(q.ok(), q.ok() ? "" : q.error().message.c_str());
        const LlamaHParams hp = golden.hparams();
        const int experts = 8;
        // Per layer: q, k, v, o and three linears per expert; the router is not among them.
        QCOMPARE(q->reports.size(), static_cast<std::size_t>(hp.blockCount * (4 + 3 * experts)));
        int beaten = 0, starvedLinears = 0;
        double sum = 0, sumRtn = 0;
        for (const LinearQuantReport& r : q->reports) {
            QVERIFY2(r.name.find("ffn_gate_inp") == std::string::npos, r.name.c_str());
            if (r.expert == kStarved) {
                QCOMPARE(r.tokens, std::int64_t{0});
                QVERIFY(r.rtnFallback);
                QCOMPARE(r.error, r.rtnError);
                ++starvedLinears;
                continue;
            }
            QVERIFY2(!r.rtnFallback, qPrintable(QStringLiteral("%1 has only %2 tokens")
                                                    .arg(QString::fromStdString(r.name))
                                                    .arg(r.tokens)));
            QVERIFY2(r.error < r.rtnError, qPrintable(QStringLiteral("%1: %2 against RTN %3")
                                                          .arg(QString::fromStdString(r.name))
                                                          .arg(r.error)
                                                          .arg(r.rtnError)));
            beaten += r.expert >= 0;
            sum += r.error;
            sumRtn += r.rtnError;
        }
        QCOMPARE(starvedLinears, static_cast<int>(3 * hp.blockCount));
        QCOMPARE(beaten, static_cast<int>(3 * (experts - 1) * hp.blockCount));
        qInfo("qwen3moe %s: %d expert linears beat RTN; mean relative layer-output error %.5f "
              "against RTN %.5f",
              awq ? "AWQ" : "GPTQ", beaten, sum / (q->reports.size() - starvedLinears),
              sumRtn / (q->reports.size() - starvedLinears));

        const std::string out = dir.filePath("checkpoint").toStdString();
        QuantizedCheckpointOptions co;
        co.format = awq ? "gemm" : "gptq";
        QVERIFY(writeQuantizedCheckpoint(*model, *q, out, co, cancel, progress).ok());
        nlohmann::json config;
        std::ifstream(out + "/config.json") >> config;
        const auto& qc = config["quantization_config"];
        QVERIFY2(qc["modules_to_not_convert"] == nlohmann::json::array({"mlp.gate"}),
                 qc.dump().c_str());
        const auto rtnExperts = qc["meta"]["rtn_experts"].get<std::vector<std::string>>();
        QCOMPARE(rtnExperts.size(), static_cast<std::size_t>(hp.blockCount));
        QCOMPARE(rtnExperts[0], std::string("model.layers.0.mlp.experts.7 (0 tokens)"));
        QFile readme(QString::fromStdString(out + "/README.md"));
        QVERIFY(readme.open(QIODevice::ReadOnly));
        QVERIFY(readme.readAll().contains("model.layers.3.mlp.experts.7 (0 tokens)"));

        // Names as the HF modules: one packed linear per expert, the router as a plain weight.
        auto stored = readSafetensors(out + "/model.safetensors");
        QVERIFY(stored.ok());
        std::set<std::string> names;
        for (const SafetensorsTensor& t : stored->tensors) {
            names.insert(t.name);
        }
        for (const char* name :
             {"model.layers.0.mlp.experts.0.gate_proj.qweight",
              "model.layers.3.mlp.experts.7.down_proj.scales",
              "model.layers.2.mlp.experts.5.up_proj.qzeros", "model.layers.1.mlp.gate.weight"}) {
            QVERIFY2(names.count(name), name);
        }
        QVERIFY(!names.count("model.layers.1.mlp.gate.qweight"));
        QVERIFY(!names.count("model.layers.1.mlp.experts.0.gate_proj.weight"));

        auto checkpoint = openModel(out);
        QVERIFY2(checkpoint.ok(), checkpoint.ok() ? "" : checkpoint.error().message.c_str());
        for (const TensorInfo& t : model->tensors()) {
            const TensorInfo* c = checkpoint->findTensor(t.name);
            QVERIFY2(c && c->dims == t.dims, t.name.c_str());
            if (t.name.ends_with("ffn_gate_inp.weight")) {
                // The router, as it was: F16 in, F16 out.
                std::vector<std::byte> a(t.byteSize), b(c->byteSize);
                QVERIFY(model->readTensorData(t, a).ok() && checkpoint->readTensorData(*c, b).ok());
                QVERIFY2(a == b, t.name.c_str());
            }
        }
        auto weights = LlamaWeights::fromModel(*checkpoint);
        QVERIFY2(weights.ok(), weights.ok() ? "" : weights.error().message.c_str());
        auto baseWeights = LlamaWeights::fromModel(*model);
        QVERIFY(baseWeights.ok());
        auto evalText = readEvalText(QS_SHARED_MODELS_DIR "/text/shakespeare-val-a.txt");
        QVERIFY(evalText.ok());
        const auto tokens = tok.encode(*evalText, true);
        PerplexityOptions po;
        po.contextLength = 128;
        po.maxChunks = 4;
        LlamaContext quantized(*weights, 128, 2);
        LlamaContext base(*baseWeights, 128, 2);
        auto pq = computePerplexity(quantized, tokens, tok.bos(), po, progress, cancel);
        auto pb = computePerplexity(base, tokens, tok.bos(), po, progress, cancel);
        QVERIFY(pq.ok() && pb.ok());
        qInfo("qwen3moe %s checkpoint: PPL %.2f (F16 %.2f)", awq ? "AWQ" : "GPTQ", pq->ppl,
              pb->ppl);
        QVERIFY(std::isfinite(pq->ppl));
        QVERIFY(pq->ppl < 2 * pb->ppl && pq->ppl > 0.5 * pb->ppl);
    }

    // Issue 22: Llama 3.1's rope_scaling ("llama3") becomes rope_freqs.weight, as
    // convert_hf_to_gguf generates it, and the forward pass divides the pair frequencies by it.
    void llama3RopeScalingBecomesRopeFreqs() {
        const Model golden = mustOpen(goldenPath("llama"));
        QTemporaryDir dir;
        const QString folder = dir.filePath("hf");
        QVERIFY(QDir().mkpath(folder));
        writeFixture(golden, *hfFamilyByClass("LlamaForCausalLM"), folder);
        const std::string configPath = QDir(folder).filePath("config.json").toStdString();
        nlohmann::json config;
        std::ifstream(configPath) >> config;
        config["rope_theta"] = 500000.0;
        config["rope_scaling"] = {{"rope_type", "llama3"},
                                  {"factor", 8.0},
                                  {"low_freq_factor", 1.0},
                                  {"high_freq_factor", 4.0},
                                  {"original_max_position_embeddings", 8192}};
        std::ofstream(configPath) << config.dump(2);
        auto model = readHfFolder(folder.toStdString());
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());
        const TensorInfo* t = model->findTensor("rope_freqs.weight");
        QVERIFY(t);
        const std::uint64_t pairs = golden.hparams().ropeDimensionCount / 2;
        QCOMPARE(t->dims, std::vector<std::uint64_t>{pairs});
        std::vector<float> freqs(pairs);
        QVERIFY(model->readTensorData(*t, std::as_writable_bytes(std::span(freqs))).ok());
        // Reference in double: 1 for wavelengths under 8192/4, 8 above 8192, blended between.
        for (std::uint64_t i = 0; i < pairs; ++i) {
            const double freq = std::pow(500000.0, -2.0 * static_cast<double>(i) / (2.0 * pairs));
            const double wavelen = 2 * M_PI / freq;
            double expected = 1.0;
            if (wavelen > 8192.0) {
                expected = 8.0;
            } else if (wavelen >= 2048.0) {
                const double smooth = (8192.0 / wavelen - 1.0) / 3.0;
                expected = 1.0 / ((1.0 - smooth) / 8.0 + smooth);
            }
            QVERIFY2(std::abs(freqs[i] - expected) <= 1e-4 * expected,
                     qPrintable(QStringLiteral("pair %1: %2, expected %3")
                                    .arg(i)
                                    .arg(static_cast<double>(freqs[i]))
                                    .arg(expected)));
        }
        QCOMPARE(freqs.front(), 1.0f);
        QCOMPARE(freqs.back(), 8.0f);
        auto weights = LlamaWeights::fromModel(*model);
        QVERIFY(weights.ok());
        QCOMPARE((*weights)->config().ropeFactors, freqs);
    }

    void calibratedBeatsRtnAndEvaluates_data() {
        QTest::addColumn<QString>("family");
        QTest::addColumn<QString>("hfClass");
        QTest::addColumn<bool>("awq");
        QTest::newRow("Qwen3 GPTQ") << "qwen3"
                                    << "Qwen3ForCausalLM" << false;
        QTest::newRow("Qwen3 AWQ") << "qwen3"
                                   << "Qwen3ForCausalLM" << true;
        QTest::newRow("Gemma 3 GPTQ") << "gemma3"
                                      << "Gemma3ForCausalLM" << false;
        QTest::newRow("Gemma 3 AWQ") << "gemma3"
                                     << "Gemma3ForCausalLM" << true;
    }
    void calibratedBeatsRtnAndEvaluates() {
        QFETCH(QString, family);
        QFETCH(QString, hfClass);
        QFETCH(bool, awq);
        const Model golden = mustOpen(goldenPath(family));
        QTemporaryDir dir;
        const QString folder = dir.filePath("hf");
        QVERIFY(QDir().mkpath(folder));
        writeFixture(golden, *hfFamilyByClass(hfClass.toStdString()), folder);
        auto model = readHfFolder(folder.toStdString());
        QVERIFY(model.ok());

        // The golden GGUF's tokenizer (stories260K's) tokenizes for the fixture.
        auto tokenizerModel = openEvalModel(goldenPath(family));
        QVERIFY(tokenizerModel.ok());
        const Tokenizer& tok = *tokenizerModel->tokenizer;
        auto calibText = readEvalText(QS_SHARED_MODELS_DIR "/text/tinyshakespeare-100k.txt");
        QVERIFY(calibText.ok());
        const auto calibTokens = tok.encode(*calibText, true);

        GptqOptions options;
        options.bits = 4;
        options.groupSize = 128;
        CalibrationOptions calibration;
        calibration.nsamples = 16;
        calibration.seqlen = 128;
        calibration.threads = 2;
        CancelToken cancel;
        NullProgressSink progress;
        auto q = quantizeCalibrated(*model, calibTokens, tok.bos(),
                                    awq ? CalibratedMethod::Awq : CalibratedMethod::Gptq, options,
                                    calibration, cancel, progress);
        QVERIFY2(q.ok(), q.ok() ? "" : q.error().message.c_str());
        QCOMPARE(q->reports.size(), static_cast<std::size_t>(7 * golden.hparams().blockCount));
        double sum = 0, sumRtn = 0;
        for (const LinearQuantReport& r : q->reports) {
            QVERIFY2(r.error < r.rtnError, qPrintable(QStringLiteral("%1: %2 against RTN %3")
                                                          .arg(QString::fromStdString(r.name))
                                                          .arg(r.error)
                                                          .arg(r.rtnError)));
            sum += r.error;
            sumRtn += r.rtnError;
        }
        qInfo("%s %s: mean relative layer-output error %.5f against RTN %.5f over %zu linears",
              qPrintable(family), awq ? "AWQ" : "GPTQ", sum / q->reports.size(),
              sumRtn / q->reports.size(), q->reports.size());

        const std::string out = dir.filePath("checkpoint").toStdString();
        QuantizedCheckpointOptions co;
        co.format = awq ? "gemm" : "gptq";
        QVERIFY(writeQuantizedCheckpoint(*model, *q, out, co, cancel, progress).ok());
        auto checkpoint = openModel(out);
        QVERIFY2(checkpoint.ok(), checkpoint.ok() ? "" : checkpoint.error().message.c_str());
        auto weights = LlamaWeights::fromModel(*checkpoint);
        QVERIFY2(weights.ok(), weights.ok() ? "" : weights.error().message.c_str());
        auto baseWeights = LlamaWeights::fromModel(golden);
        QVERIFY(baseWeights.ok());

        auto evalText = readEvalText(QS_SHARED_MODELS_DIR "/text/shakespeare-val-a.txt");
        QVERIFY(evalText.ok());
        const auto tokens = tok.encode(*evalText, true);
        PerplexityOptions po;
        po.contextLength = 128;
        po.maxChunks = 4;
        LlamaContext quantized(*weights, 128, 2);
        LlamaContext base(*baseWeights, 128, 2);
        auto pq = computePerplexity(quantized, tokens, tok.bos(), po, progress, cancel);
        auto pb = computePerplexity(base, tokens, tok.bos(), po, progress, cancel);
        QVERIFY(pq.ok() && pb.ok());
        qInfo("%s %s checkpoint: PPL %.2f (F16 %.2f)", qPrintable(family), awq ? "AWQ" : "GPTQ",
              pq->ppl, pb->ppl);
        QVERIFY(std::isfinite(pq->ppl));
        // 4-bit of a random heavy-tailed model: within a factor of two of F16, not garbage.
        QVERIFY(pq->ppl < 2 * pb->ppl && pq->ppl > 0.5 * pb->ppl);
    }
};

QTEST_APPLESS_MAIN(TestHfFamilies)
#include "tst_hf_families.moc"
