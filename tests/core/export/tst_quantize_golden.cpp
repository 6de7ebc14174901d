// Quantizes the source models with every llama-quantize command in the golden data
// (tests/data/golden/gguf/*/*.json: 19 presets, plus --imatrix, --pure and --tensor-type
// variants) and requires the whole output file to have llama-quantize's sha256.
#include "core/compute/compute_backend.h"
#include "core/export/quantize_model.h"
#include "core/io/gguf_writer.h"
#include "core/io/imatrix.h"
#include "core/io/model_reader.h"
#include "core/model/model.h"
#include "core/plan/model_plan.h"
#include "core/quant/format_registry.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>

using namespace qs::core;

namespace {

const QString kGolden = QStringLiteral(QS_TEST_DATA_DIR "/golden");

// The test copies of the source models: stories260K is bundled with the app; the
// shakespeare-3M F32 source is kept among the test data.
QString sourceModelPath(const QString& fileName) {
    for (const QString& dir :
         {QStringLiteral(QS_RESOURCES_DIR "/models"), QStringLiteral(QS_TEST_DATA_DIR "/models")}) {
        if (QFile::exists(dir + QLatin1Char('/') + fileName)) {
            return dir + QLatin1Char('/') + fileName;
        }
    }
    return {};
}

QByteArray sha256Hex(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&f);
    return hash.result().toHex();
}

// A tensor's values as f32.
std::vector<float> tensorValues(const Model& model, const TensorInfo& t) {
    std::vector<std::byte> stored(t.byteSize);
    std::vector<float> values(t.elementCount());
    if (!model.readTensorData(t, stored).ok() ||
        !dequantizeRow(t.type, stored.data(), values.data(),
                       static_cast<std::int64_t>(values.size()))
             .ok()) {
        return {};
    }
    return values;
}

bool sameBits(double a, double b) {
    return std::memcmp(&a, &b, sizeof a) == 0;
}

} // namespace

class TestQuantizeGolden : public QObject {
    Q_OBJECT

private slots:
    void matchesLlamaQuantize_data() {
        QTest::addColumn<QString>("jsonPath");
        const QStringList models =
            QDir(kGolden + "/gguf").entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        int cases = 0;
        for (const QString& model : models) {
            const QDir dir(kGolden + "/gguf/" + model);
            for (const QString& json : dir.entryList({QStringLiteral("*.json")})) {
                if (json.endsWith(QLatin1String("-F32.json"))) {
                    continue; // describes the source itself
                }
                QTest::newRow(qPrintable(json)) << dir.filePath(json);
                ++cases;
            }
        }
        QVERIFY2(cases >= 40, "the golden llama-quantize outputs are missing from tests/data");
    }

    void matchesLlamaQuantize() {
        QFETCH(QString, jsonPath);
        std::ifstream in(jsonPath.toStdString());
        const nlohmann::json golden = nlohmann::json::parse(in);

        // "llama-quantize [--imatrix F] [--pure] [--tensor-type P=T]... IN OUT PRESET 2"
        std::vector<std::string> words;
        {
            std::istringstream command(golden["command"].get<std::string>());
            for (std::string w; command >> w;) {
                words.push_back(w);
            }
        }
        PresetOptions presetOptions;
        QuantizeOptions options;
        std::optional<ImportanceMatrix> imatrix;
        std::vector<std::string> positional;
        for (std::size_t i = 1; i < words.size(); ++i) {
            if (words[i] == "--imatrix") {
                options.imatrixFileName = words[++i];
                auto read =
                    readImatrix((kGolden + "/imatrix/").toStdString() + options.imatrixFileName);
                QVERIFY2(read.ok(), read.ok() ? "" : read.error().message.c_str());
                imatrix = std::move(read).value();
                presetOptions.hasImatrix = true;
            } else if (words[i] == "--pure") {
                presetOptions.pure = true;
            } else if (words[i] == "--tensor-type") {
                auto rule = parseTensorTypeOverride(words[++i]);
                QVERIFY(rule.ok());
                presetOptions.tensorTypes.push_back(*rule);
            } else {
                positional.push_back(words[i]);
            }
        }
        QCOMPARE(positional.size(), std::size_t(4));
        const LlamaPreset* preset = llamaPresetByName(positional[2]);
        QVERIFY(preset);
        options.imatrix = imatrix ? &*imatrix : nullptr;
        options.fileType = static_cast<std::uint32_t>(preset->ftype);
        options.measureError = false;
        options.threads = 2;

        const QString source = sourceModelPath(QString::fromStdString(positional[0]));
        if (source.isEmpty()) {
            QSKIP("source model not in this checkout");
        }
        auto model = openModel(source.toStdString());
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());
        auto plan = buildLlamaPlanForModel(*model, *preset, presetOptions);
        QVERIFY(plan.ok());

        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("out.gguf"));
        CancelToken cancel;
        NullProgressSink progress;
        auto report = quantizeModel(*model, *plan, out.toStdString(), options, cancel, progress);
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().message.c_str());
        QCOMPARE(report->fileBytes, golden["file_size"].get<std::uint64_t>());
        QCOMPARE(sha256Hex(out),
                 QByteArray::fromStdString(golden["file_sha256"].get<std::string>()));
    }

    void refusesToOverwriteTheInput() {
        QTemporaryDir dir;
        const QString copy = dir.filePath(QStringLiteral("model.gguf"));
        QVERIFY(QFile::copy(QStringLiteral(QS_RESOURCES_DIR "/models/stories260K-f32.gguf"), copy));
        auto model = openModel(copy.toStdString());
        QVERIFY(model.ok());
        CancelToken cancel;
        NullProgressSink progress;
        auto report = quantizeModel(*model, QuantPlan(), copy.toStdString(), QuantizeOptions(),
                                    cancel, progress);
        QVERIFY(!report.ok());
        QCOMPARE(report.error().code, ErrorCode::InvalidArgument);
    }

    // IQ2_XXS cannot be made without importance weights: a tensor the imatrix does not cover
    // (token_embd never is) is named before anything is written.
    void iquantWithoutImportanceIsNamed() {
        auto model = openModel(QS_RESOURCES_DIR "/models/shakespeare-3M-f16.gguf");
        QVERIFY(model.ok());
        auto imatrix =
            readImatrix((kGolden + "/imatrix/shakespeare-3M-imatrix.gguf").toStdString());
        QVERIFY(imatrix.ok());
        QuantPlan plan;
        plan.set("blk.0.ffn_up.weight", GgmlType::IQ2_XXS);
        plan.set("token_embd.weight", GgmlType::IQ2_XXS);
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("out.gguf"));
        QuantizeOptions options;
        options.imatrix = &*imatrix;
        CancelToken cancel;
        NullProgressSink progress;
        auto report = quantizeModel(*model, plan, out.toStdString(), options, cancel, progress);
        QVERIFY(!report.ok());
        QCOMPARE(report.error().code, ErrorCode::InvalidArgument);
        QVERIFY2(report.error().message.find("token_embd.weight: IQ2_XXS") != std::string::npos,
                 report.error().message.c_str());
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 0);
        // Without the token_embd choice the same plan is written.
        plan.set("token_embd.weight", GgmlType::Q4_K);
        QVERIFY(quantizeModel(*model, plan, out.toStdString(), options, cancel, progress).ok());
    }

    void cancelLeavesNoOutput() {
        auto model = openModel(QS_RESOURCES_DIR "/models/shakespeare-3M-f16.gguf");
        QVERIFY(model.ok());
        QuantPlan plan;
        for (const auto& t : model->tensors()) {
            if (t.dims.size() == 2) {
                plan.set(t.name, GgmlType::Q4_K);
            }
        }
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("cancelled.gguf"));
        CancelToken cancel;
        int seen = 0;
        CallbackProgressSink progress(
            [&](std::uint64_t done, std::uint64_t, const std::string&, const std::string&) {
                if (done == 5) {
                    cancel.requestCancel();
                }
                ++seen;
            });
        auto report =
            quantizeModel(*model, plan, out.toStdString(), QuantizeOptions(), cancel, progress);
        QVERIFY(!report.ok());
        QCOMPARE(report.error().code, ErrorCode::Cancelled);
        QVERIFY(seen >= 5);
        // Neither the output nor a temporary file is left behind.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 0);
    }

    void perTensorErrorIsMeasured() {
        auto model = openModel(QS_RESOURCES_DIR "/models/shakespeare-3M-f16.gguf");
        QVERIFY(model.ok());
        QuantPlan plan;
        plan.set("blk.0.attn_q.weight", GgmlType::Q8_0);
        plan.set("blk.0.attn_k.weight", GgmlType::Q2_K);
        QTemporaryDir dir;
        CancelToken cancel;
        NullProgressSink progress;
        std::vector<TensorQuantResult> streamed;
        auto report = quantizeModel(*model, plan, dir.filePath("e.gguf").toStdString(),
                                    QuantizeOptions(), cancel, progress,
                                    [&](const TensorQuantResult& r) { streamed.push_back(r); });
        QVERIFY(report.ok());
        QCOMPARE(streamed.size(), model->tensors().size());
        const TensorQuantResult* q8 = nullptr;
        const TensorQuantResult* q2 = nullptr;
        for (const auto& r : report->tensors) {
            if (r.name == "blk.0.attn_q.weight")
                q8 = &r;
            if (r.name == "blk.0.attn_k.weight")
                q2 = &r;
            if (r.type == r.sourceType)
                QVERIFY(!r.error.has_value());
        }
        QVERIFY(q8 && q8->error && q2 && q2->error);
        // 8 bits are far closer to the source than 2.
        QVERIFY(q8->error->relativeRmse < 0.01);
        QVERIFY(q2->error->relativeRmse > 5 * q8->error->relativeRmse);
        QVERIFY(q8->error->sqnrDb > q2->error->sqnrDb);
        QVERIFY(q8->error->cosine > 0.9999);
    }

    // The workers measure each row as they quantize it and merge per-chunk sums: the metrics
    // must equal a plain recomputation from the written file, for a tensor of two slabs (a
    // slab is 16 Mi values: 2048 chunks of 32 rows, then 32 + 32 + 8 rows) and for an expert
    // tensor whose chunks straddle experts (each expert has its own importance slice), with
    // importance weights; and must not depend on the threads or on a backend doing the round
    // trip of whole slabs.
    void errorMatchesRecomputationFromOutput() {
        constexpr std::int64_t kColumns = 256;
        constexpr std::int64_t kRows = (std::int64_t{16} << 20) / kColumns + 72;
        constexpr std::int64_t kExpertRows = 40;
        constexpr std::int64_t kExperts = 3;
        QTemporaryDir dir;
        const std::string in = dir.filePath(QStringLiteral("in.gguf")).toStdString();
        std::mt19937 rng(23);
        std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
        const auto randomRows = [&](std::int64_t rows) {
            std::vector<float> v(static_cast<std::size_t>(rows * kColumns));
            for (std::size_t i = 0; i < v.size(); ++i) {
                // Rows of different scales, so that blocks differ.
                v[i] = uniform(rng) * static_cast<float>(1 + i / kColumns % 7);
            }
            return v;
        };
        {
            Metadata md;
            md.set("general.architecture", MetaValue(std::string("llama")));
            auto w = GgufWriter::create(
                in, md,
                {{"blk.0.ffn_up.weight",
                  {std::uint64_t(kColumns), std::uint64_t(kRows)},
                  GgmlType::F16},
                 {"blk.0.ffn_gate_exps.weight",
                  {std::uint64_t(kColumns), std::uint64_t(kExpertRows), std::uint64_t(kExperts)},
                  GgmlType::F32}});
            QVERIFY(w.ok());
            const std::vector<float> up = randomRows(kRows);
            std::vector<std::byte> upF16(static_cast<std::size_t>(kRows * kColumns) * 2);
            QVERIFY(quantizeRows(GgmlType::F16, up.data(), upF16.data(), kRows, kColumns, nullptr)
                        .ok());
            QVERIFY((*w)->write(upF16).ok());
            const std::vector<float> gate = randomRows(kExpertRows * kExperts);
            QVERIFY((*w)->write(std::as_bytes(std::span(gate))).ok());
            QVERIFY((*w)->finish().ok());
        }
        auto model = openModel(in);
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());

        ImportanceMatrix imatrix;
        for (const auto& [name, matrices] :
             {std::pair<std::string, std::int64_t>{"blk.0.ffn_up.weight", 1},
              {"blk.0.ffn_gate_exps.weight", kExperts}}) {
            ImatrixEntry entry;
            entry.name = name;
            entry.columns = kColumns;
            entry.matrices = matrices;
            for (std::int64_t i = 0; i < kColumns * matrices; ++i) {
                entry.weights.push_back(std::fabs(uniform(rng)) * 4.0f + 0.01f);
            }
            imatrix.entries.push_back(std::move(entry));
        }
        QuantPlan plan;
        plan.set("blk.0.ffn_up.weight", GgmlType::Q4_K);
        plan.set("blk.0.ffn_gate_exps.weight", GgmlType::Q4_K);

        // Two threads, one thread, and a backend's round trip of whole slabs (the CPU's,
        // behind the backend interface).
        const std::unique_ptr<ComputeBackend> backend = makeCpuBackend(2);
        struct Run {
            unsigned threads;
            ComputeBackend* backend;
        };
        std::vector<QuantizeReport> reports;
        for (const Run run : {Run{2, nullptr}, Run{1, nullptr}, Run{2, backend.get()}}) {
            QuantizeOptions options;
            options.imatrix = &imatrix;
            options.threads = run.threads;
            options.backend = run.backend;
            CancelToken cancel;
            NullProgressSink progress;
            const std::string out =
                dir.filePath(QStringLiteral("out%1.gguf").arg(reports.size())).toStdString();
            auto report = quantizeModel(*model, plan, out, options, cancel, progress);
            QVERIFY2(report.ok(), report.ok() ? "" : report.error().message.c_str());
            reports.push_back(*report);
        }
        auto written = openModel(dir.filePath(QStringLiteral("out0.gguf")).toStdString());
        QVERIFY(written.ok());

        for (std::size_t k = 0; k < reports[0].tensors.size(); ++k) {
            const TensorQuantResult& r = reports[0].tensors[k];
            QVERIFY(r.error && r.usedImportance);
            const ErrorMetrics& m = *r.error;
            // Every thread count, and the backend's round trip, give the same bits.
            for (std::size_t other = 1; other < reports.size(); ++other) {
                const ErrorMetrics& o = *reports[other].tensors[k].error;
                QVERIFY(sameBits(m.mse, o.mse) && sameBits(m.cosine, o.cosine) &&
                        sameBits(m.sqnrDb, o.sqnrDb) && sameBits(m.maxAbsError, o.maxAbsError) &&
                        sameBits(*m.weightedMse, *o.weightedMse));
            }

            const TensorInfo* source = model->findTensor(r.name);
            const TensorInfo* quantized = written->findTensor(r.name);
            QVERIFY(source && quantized && quantized->type == GgmlType::Q4_K);
            const std::vector<float> ref = tensorValues(*model, *source);
            const std::vector<float> approx = tensorValues(*written, *quantized);
            QCOMPARE(approx.size(), ref.size());
            const std::span<const float> weights = imatrix.find(r.name)->weights;
            const std::int64_t rowsPerMatrix =
                source->dims.size() >= 3 ? kExpertRows : static_cast<std::int64_t>(ref.size());
            long double se = 0, xx = 0, yy = 0, xy = 0, wse = 0, ws = 0;
            double maxAbs = 0;
            for (std::size_t i = 0; i < ref.size(); ++i) {
                const long double x = ref[i], y = approx[i];
                const std::int64_t row = static_cast<std::int64_t>(i) / kColumns;
                const long double w = weights[static_cast<std::size_t>(
                    row / rowsPerMatrix * kColumns + static_cast<std::int64_t>(i) % kColumns)];
                se += (x - y) * (x - y);
                xx += x * x;
                yy += y * y;
                xy += x * y;
                wse += w * (x - y) * (x - y);
                ws += w;
                maxAbs = std::max(maxAbs, std::fabs(static_cast<double>(ref[i]) - approx[i]));
            }
            const auto close = [](double got, long double want) {
                return std::fabs(static_cast<long double>(got) - want) <= 1e-12L * std::fabs(want);
            };
            QCOMPARE(m.count, static_cast<std::int64_t>(ref.size()));
            QVERIFY(close(m.mse, se / ref.size()));
            QVERIFY(close(m.relativeRmse, std::sqrt(se / xx)));
            QVERIFY(close(m.sqnrDb, 10 * std::log10(xx / se)));
            QVERIFY(close(m.cosine, xy / std::sqrt(xx * yy)));
            QVERIFY(close(*m.weightedMse, wse / ws));
            QCOMPARE(m.maxAbsError, maxAbs);
        }
    }
};

QTEST_APPLESS_MAIN(TestQuantizeGolden)
#include "tst_quantize_golden.moc"
