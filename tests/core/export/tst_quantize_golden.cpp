// Quantizes the source models with every llama-quantize command in the golden data
// (tests/data/golden/gguf/*/*.json: 19 presets, plus --imatrix, --pure and --tensor-type
// variants) and requires the whole output file to have llama-quantize's sha256.
#include "core/export/quantize_model.h"
#include "core/io/imatrix.h"
#include "core/io/model_reader.h"
#include "core/model/model.h"
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
};

QTEST_APPLESS_MAIN(TestQuantizeGolden)
#include "tst_quantize_golden.moc"
