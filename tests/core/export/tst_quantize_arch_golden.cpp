// llama-quantize's presets on one small model per architecture family
// (../shared/golden/arch/<family>/<family>-<PRESET>[-imatrix].json): every tensor we write must
// have the type, size and sha256 llama-quantize gave it. The -imatrix presets use llama-imatrix's
// file; for the mixture-of-experts families (mixtral, qwen3moe) that file holds one slice of
// weights per expert, and each expert must be quantized with its own slice.
#include "core/eval/eval_model.h"
#include "core/eval/imatrix_collector.h"
#include "core/eval/llama_context.h"
#include "core/eval/text_input.h"
#include "core/export/quantize_model.h"
#include "core/io/gguf_writer.h"
#include "core/io/imatrix.h"
#include "core/io/imatrix_coverage.h"
#include "core/io/model_reader.h"
#include "core/model/model.h"
#include "core/plan/llama_presets.h"
#include "core/plan/model_plan.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <nlohmann/json.hpp>

using namespace qs::core;

namespace {

const QString kArch = QStringLiteral(QS_SHARED_DIR "/golden/arch");

} // namespace

class TestQuantizeArchGolden : public QObject {
    Q_OBJECT

private slots:
    void matchesLlamaQuantize_data() {
        QTest::addColumn<QString>("family");
        QTest::addColumn<QString>("jsonPath");
        const QStringList families = QDir(kArch).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        if (families.isEmpty()) {
            QSKIP("../shared/golden/arch is not beside this checkout");
        }
        for (const QString& family : families) {
            const QDir dir(kArch + "/" + family);
            for (const QString& json : dir.entryList({family + "-*.json"})) {
                QTest::newRow(qPrintable(json)) << family << dir.filePath(json);
            }
        }
    }

    void matchesLlamaQuantize() {
        QFETCH(QString, family);
        QFETCH(QString, jsonPath);
        std::ifstream in(jsonPath.toStdString());
        const nlohmann::json golden = nlohmann::json::parse(in);
        const std::string dir = (kArch + "/" + family + "/").toStdString();
        const std::string name = family.toStdString();

        const LlamaPreset* preset = llamaPresetByName(golden["preset"].get<std::string>());
        QVERIFY(preset);
        PresetOptions presetOptions;
        QuantizeOptions options;
        std::optional<ImportanceMatrix> imatrix;
        if (golden.value("imatrix", false)) {
            auto read = readImatrix(dir + name + "-imatrix.gguf");
            QVERIFY2(read.ok(), read.ok() ? "" : read.error().message.c_str());
            imatrix = std::move(read).value();
            options.imatrix = &*imatrix;
            options.imatrixFileName = name + "-imatrix.gguf";
            presetOptions.hasImatrix = true;
        }
        options.fileType = static_cast<std::uint32_t>(preset->ftype);
        options.measureError = false;
        options.threads = 2;

        auto model = openModel(dir + name + "-f16.gguf");
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());
        auto plan = buildLlamaPlanForModel(*model, *preset, presetOptions);
        QVERIFY(plan.ok());
        QTemporaryDir tmp;
        const std::string out = tmp.filePath(QStringLiteral("out.gguf")).toStdString();
        CancelToken cancel;
        NullProgressSink progress;
        auto report = quantizeModel(*model, *plan, out, options, cancel, progress);
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().message.c_str());

        auto written = openModel(out);
        QVERIFY(written.ok());
        QCOMPARE(written->tensors().size(), golden["tensors"].size());
        for (const auto& g : golden["tensors"]) {
            const std::string tensor = g["name"].get<std::string>();
            const TensorInfo* t = written->findTensor(tensor);
            QVERIFY2(t, tensor.c_str());
            QCOMPARE(QString(ggmlTypeInfo(t->type).name.data()),
                     QString::fromStdString(g["type"].get<std::string>()));
            QCOMPARE(t->byteSize, g["bytes"].get<std::uint64_t>());
            std::vector<std::byte> bytes(t->byteSize);
            QVERIFY(written->readTensorData(*t, bytes).ok());
            const QByteArray hash =
                QCryptographicHash::hash(QByteArrayView(reinterpret_cast<const char*>(bytes.data()),
                                                        static_cast<qsizetype>(bytes.size())),
                                         QCryptographicHash::Sha256)
                    .toHex();
            QVERIFY2(hash == QByteArray::fromStdString(g["sha256"].get<std::string>()),
                     (tensor + " differs from llama-quantize's").c_str());
        }
    }

    // Issue 19: expert tensors are quantized a slab of rows at a time (peak RSS 821 MB -> 166 MB
    // for a Qwen3-30B-A3B-shaped file, docs/benchmarks.md), reading ggml rows across experts.
    void expertTensorReadsByGgmlRows() {
        auto model = openModel((kArch + "/mixtral/mixtral-f16.gguf").toStdString());
        if (!model.ok()) {
            QSKIP("../shared/golden/arch is not beside this checkout");
        }
        const TensorInfo* t = model->findTensor("blk.1.ffn_up_exps.weight");
        QVERIFY(t && t->dims.size() == 3);
        QVERIFY(model->canReadGgmlRows(*t));
        std::vector<std::byte> whole(t->byteSize);
        QVERIFY(model->readTensorData(*t, whole).ok());
        const std::uint64_t rowBytes = t->byteSize / t->ggmlRows();
        const std::uint64_t first = 500, count = 600; // across the first two experts (512 rows)
        std::vector<std::byte> part(count * rowBytes);
        QVERIFY(model->readGgmlRows(*t, first, count, part).ok());
        QVERIFY(std::equal(part.begin(), part.end(), whole.begin() + first * rowBytes));
        std::vector<std::byte> tooMany(rowBytes);
        QVERIFY(!model->readGgmlRows(*t, t->ggmlRows(), 1, tooMany).ok());
    }

    // Issue 19: an expert the calibration never routed to. llama-imatrix's file for mixtral
    // with expert 2 of every ffn_up_exps emptied (count 0, sums 0), as a router that never
    // picks it leaves it: the starved experts are named; by default (imatrix-missing
    // 'uniform') they are quantized with weights of 1 as llama-quantize does — the same bytes
    // as quantizing that expert with an all-ones importance — and 'error' refuses, naming them.
    void starvedExpertIsNamedAndHandled() {
        const std::string dir = (kArch + "/mixtral/").toStdString();
        auto read = readImatrix(dir + "mixtral-imatrix.gguf");
        if (!read.ok()) {
            QSKIP("../shared/golden/arch is not beside this checkout");
        }
        ImportanceMatrix starved = std::move(read).value();
        constexpr int kStarved = 2;
        int emptied = 0;
        for (ImatrixEntry& e : starved.entries) {
            if (!e.name.ends_with("ffn_up_exps.weight")) {
                continue;
            }
            e.counts[kStarved] = 0;
            for (std::int64_t c = 0; c < e.columns; ++c) {
                e.sums[static_cast<std::size_t>(kStarved * e.columns + c)] = 0;
                e.weights[static_cast<std::size_t>(kStarved * e.columns + c)] = 1.0f;
            }
            ++emptied;
        }
        QCOMPARE(emptied, 4);
        const auto named = starvedExperts(starved);
        QCOMPARE(named.size(), std::size_t{4});
        QCOMPARE(named[0].tensor, std::string("blk.0.ffn_up_exps.weight"));
        QCOMPARE(named[0].expert, kStarved);
        QVERIFY(describeStarvedExperts(named).find(
                    "blk.0.ffn_up_exps.weight expert 2 (0 tokens)") != std::string::npos);

        auto model = openModel(dir + "mixtral-f16.gguf");
        QVERIFY(model.ok());
        const LlamaPreset* preset = llamaPresetByName("Q4_K_M");
        PresetOptions presetOptions;
        presetOptions.hasImatrix = true;
        auto plan = buildLlamaPlanForModel(*model, *preset, presetOptions);
        QVERIFY(plan.ok());
        QTemporaryDir tmp;
        CancelToken cancel;
        NullProgressSink progress;
        auto quantizeWith = [&](const ImportanceMatrix& m, MissingImatrixPolicy policy,
                                const QString& name) {
            QuantizeOptions options;
            options.imatrix = &m;
            options.imatrixMissing = policy;
            options.fileType = static_cast<std::uint32_t>(preset->ftype);
            options.measureError = false;
            options.threads = 2;
            const std::string out = tmp.filePath(name).toStdString();
            return std::pair{quantizeModel(*model, *plan, out, options, cancel, progress), out};
        };
        // 'error': refused, naming the tensor and the expert, and nothing written.
        auto [refused, refusedPath] =
            quantizeWith(starved, MissingImatrixPolicy::Error, QStringLiteral("refused.gguf"));
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.find("blk.0.ffn_up_exps.weight expert 2") !=
                     std::string::npos,
                 refused.error().message.c_str());
        QVERIFY(!QFile::exists(QString::fromStdString(refusedPath)));

        // 'uniform' (the default): expert 2 quantized as with weights of 1, the others as with
        // their own data.
        auto [uniform, uniformPath] =
            quantizeWith(starved, MissingImatrixPolicy::Uniform, QStringLiteral("uniform.gguf"));
        QVERIFY2(uniform.ok(), uniform.ok() ? "" : uniform.error().message.c_str());
        ImportanceMatrix ones = starved;
        for (ImatrixEntry& e : ones.entries) {
            if (e.name.ends_with("ffn_up_exps.weight")) {
                e.counts[kStarved] = 1; // a count, so nothing is starved: explicit weights of 1
                for (std::int64_t c = 0; c < e.columns; ++c) {
                    e.sums[static_cast<std::size_t>(kStarved * e.columns + c)] = 1.0f;
                }
            }
        }
        auto [explicitOnes, onesPath] =
            quantizeWith(ones, MissingImatrixPolicy::Error, QStringLiteral("ones.gguf"));
        QVERIFY2(explicitOnes.ok(), explicitOnes.ok() ? "" : explicitOnes.error().message.c_str());
        auto a = openModel(uniformPath);
        auto b = openModel(onesPath);
        QVERIFY(a.ok() && b.ok());
        for (const TensorInfo& t : a->tensors()) {
            std::vector<std::byte> x(t.byteSize), y(t.byteSize);
            QVERIFY(a->readTensorData(t, x).ok());
            QVERIFY(b->readTensorData(*b->findTensor(t.name), y).ok());
            QVERIFY2(x == y, t.name.c_str());
        }
    }

    // Issue 19, with a router rather than an edited file: qwen3moe with router rows 1 and 7
    // made copies of row 0 in every layer. Experts 0, 1 and 7 then always score the same and
    // top-k takes ties at the lower index, so expert 7 is never picked. Our collection finds no
    // tokens for it, the report names it in every expert tensor (and nothing else), 'error'
    // refuses naming it, and the default quantizes (with weights of 1 for it, as
    // starvedExpertIsNamedAndHandled checks byte for byte).
    void biasedRouterStarvesAnExpert() {
        const std::string dir = (kArch + "/qwen3moe/").toStdString();
        auto source = openModel(dir + "qwen3moe-f16.gguf");
        if (!source.ok()) {
            QSKIP("../shared/golden/arch is not beside this checkout");
        }
        constexpr int kNever = 7;
        QTemporaryDir tmp;
        const std::string biasedPath = tmp.filePath(QStringLiteral("biased.gguf")).toStdString();
        {
            std::vector<GgufTensorSpec> specs;
            for (const TensorInfo& t : source->tensors()) {
                specs.push_back({t.name, t.dims, t.type});
            }
            auto writer = GgufWriter::create(biasedPath, source->metadata(), specs);
            QVERIFY(writer.ok());
            int routers = 0;
            for (const TensorInfo& t : source->tensors()) {
                std::vector<std::byte> data(t.byteSize);
                QVERIFY(source->readTensorData(t, data).ok());
                if (t.name.ends_with("ffn_gate_inp.weight")) {
                    QCOMPARE(t.dims.size(), std::size_t{2}); // [n_embd, experts]
                    const std::size_t row = t.byteSize / t.dims[1];
                    for (int copy : {1, kNever}) {
                        std::copy_n(data.begin(), row, data.begin() + copy * row);
                    }
                    ++routers;
                }
                QVERIFY((*writer)->write(data).ok());
            }
            QVERIFY(routers > 0);
            QVERIFY((*writer)->finish().ok());
        }

        auto evalModel = openEvalModel(biasedPath);
        QVERIFY2(evalModel.ok(), evalModel.ok() ? "" : evalModel.error().message.c_str());
        auto text = readEvalText(QS_SHARED_DIR "/models/text/shakespeare-val-a.txt");
        QVERIFY(text.ok());
        const auto tokens = evalModel->tokenizer->encode(*text, true);
        LlamaContext context(evalModel->weights, 128, 2);
        ImatrixCollectOptions collect;
        collect.contextLength = 128;
        collect.maxChunks = 4;
        CancelToken cancel;
        NullProgressSink progress;
        auto collected =
            collectImatrix(context, tokens, evalModel->tokenizer->bos(), collect, progress, cancel);
        QVERIFY2(collected.ok(), collected.ok() ? "" : collected.error().message.c_str());

        const auto starved = starvedExperts(*collected);
        const auto layers = static_cast<std::int64_t>(evalModel->weights->layers().size());
        QCOMPARE(starved.size(), static_cast<std::size_t>(3 * layers)); // gate, up, down
        for (const StarvedExpert& s : starved) {
            QVERIFY2(s.expert == kNever && s.tokens == 0, s.tensor.c_str());
        }
        qInfo("biased router: %s", describeStarvedExperts(starved).c_str());

        auto biased = openModel(biasedPath);
        QVERIFY(biased.ok());
        const LlamaPreset* preset = llamaPresetByName("Q4_K_M");
        PresetOptions presetOptions;
        presetOptions.hasImatrix = true;
        auto plan = buildLlamaPlanForModel(*biased, *preset, presetOptions);
        QVERIFY(plan.ok());
        for (const MissingImatrixPolicy policy :
             {MissingImatrixPolicy::Error, MissingImatrixPolicy::Uniform}) {
            QuantizeOptions options;
            options.imatrix = &*collected;
            options.imatrixMissing = policy;
            options.fileType = static_cast<std::uint32_t>(preset->ftype);
            options.measureError = false;
            options.threads = 2;
            const std::string out = tmp.filePath(QStringLiteral("out.gguf")).toStdString();
            auto report = quantizeModel(*biased, *plan, out, options, cancel, progress);
            if (policy == MissingImatrixPolicy::Error) {
                QVERIFY(!report.ok());
                QVERIFY2(report.error().message.find("expert 7") != std::string::npos,
                         report.error().message.c_str());
                QVERIFY(!QFile::exists(QString::fromStdString(out)));
            } else {
                QVERIFY2(report.ok(), report.ok() ? "" : report.error().message.c_str());
                QVERIFY(openModel(out).ok());
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestQuantizeArchGolden)
#include "tst_quantize_arch_golden.moc"
