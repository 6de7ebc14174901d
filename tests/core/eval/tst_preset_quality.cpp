// Issue 6: quantizing the bundled stories260K F32 in-test (our quantizer writes
// llama-quantize's bytes) and evaluating each preset with compareVariants() gives
// llama-perplexity's golden PPL (within 0.5 %) and mean KLD (within 5 %).
// Full golden run: tinyshakespeare-100k.txt, ctx 128, all 484 chunks (the golden file has no
// figures for fewer chunks).
// Issue 21: the ten i-quant presets of shakespeare-3M with the golden imatrix, made here (our
// quantizer writes llama-quantize's bytes, tst_quantize_golden) and evaluated against F32 on
// shakespeare-val-a.txt at ctx 256: llama-perplexity's PPL within 0.5 %, mean KLD within 5 %
// (golden-perplexity-iq.json, a copy of ../shared/golden/perplexity-iq.json).
#include "eval_test_data.h"

#include "core/eval/text_input.h"
#include "core/io/imatrix.h"
#include "core/workflows/compare_variants.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace qs::core;
using namespace qs::test;

namespace {

nlohmann::json goldenRow(const std::string& model, const std::string& preset) {
    const auto golden = loadJson(evalData("golden-perplexity.json"));
    for (const auto& run : golden["runs"]) {
        if (run["model"] != model) {
            continue;
        }
        for (const auto& row : run["rows"]) {
            if (row["preset"] == preset) {
                return row;
            }
        }
    }
    return {};
}

} // namespace

class TestPresetQuality : public QObject {
    Q_OBJECT

private slots:
    void stories260kPresetsMatchLlamaCpp() {
        QTemporaryDir dir;
        auto text = readEvalText(evalData("tinyshakespeare-100k.txt"));
        QVERIFY(text.ok());
        CompareVariantsOptions options;
        options.presets = {"Q8_0", "Q4_K_M", "Q2_K"};
        options.contextLength = 128;
        options.threads = 2;
        options.measureSpeed = false;
        options.cacheDir = dir.filePath("cache").toStdString();
        options.outputDir = dir.filePath("variants").toStdString();
        CancelToken cancel;
        NullProgressSink progress;
        int streamed = 0;
        auto r = compareVariants(resource("models/stories260K-f32.gguf"), *text, options, cancel,
                                 progress, [&](const VariantResult&) { ++streamed; });
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE(r->variants.size(), std::size_t(4));
        QCOMPARE(streamed, 4);

        const VariantResult& base = r->variants[0];
        QVERIFY(base.isReference);
        QCOMPARE(base.name, std::string("F32"));
        const auto f32 = goldenRow("stories260K", "F32");
        qInfo("F32: PPL %.4f (llama.cpp %.4f), self KLD %.2g", base.kld.ppl,
              f32["ppl"].get<double>(), base.kld.kldMean);
        QCOMPARE(base.kld.chunks, f32["n_chunks"].get<int>());
        QVERIFY(std::abs(base.kld.ppl / f32["ppl"].get<double>() - 1) < 5e-3);

        for (std::size_t i = 1; i < r->variants.size(); ++i) {
            const VariantResult& v = r->variants[i];
            QVERIFY2(v.error.empty(), v.error.c_str());
            const auto golden = goldenRow("stories260K", v.name);
            QVERIFY(!golden.is_null());
            QCOMPARE(v.fileBytes, golden["file_size"].get<std::uint64_t>());
            const double ppl = golden["ppl"].get<double>();
            const double kld = golden["kld_mean"].get<double>();
            qInfo("%s: PPL %.4f (llama.cpp %.4f, %+.3f %%), mean KLD %.6f (llama.cpp %.6f, "
                  "%+.2f %%), top-1 %.3f %% (llama.cpp %.3f %%), dPPL %+.4f",
                  v.name.c_str(), v.kld.ppl, ppl, 100 * (v.kld.ppl / ppl - 1), v.kld.kldMean, kld,
                  100 * (v.kld.kldMean / kld - 1), 100 * v.kld.sameTop,
                  golden["same_top_p_pct"].get<double>(), v.deltaPpl);
            QVERIFY(std::abs(v.kld.ppl / ppl - 1) < 5e-3);
            QVERIFY(std::abs(v.kld.kldMean / kld - 1) < 0.05);
        }
    }

    void shakespeareIquantPresetsMatchLlamaCpp() {
        const auto golden = loadJson(evalData("golden-perplexity-iq.json"));
        QTemporaryDir dir;
        auto text = readEvalText(resource("text/shakespeare-val-a.txt"));
        QVERIFY(text.ok());
        auto imatrix = readImatrix(QS_TEST_DATA_DIR "/golden/imatrix/shakespeare-3M-imatrix.gguf");
        QVERIFY2(imatrix.ok(), imatrix.ok() ? "" : imatrix.error().toString().c_str());
        CompareVariantsOptions options;
        for (const auto& [variant, row] : golden["variants"].items()) {
            options.presets.push_back(variant.substr(0, variant.find("-imatrix")));
        }
        QCOMPARE(options.presets.size(), std::size_t(10));
        options.imatrix = &*imatrix;
        options.imatrixFileName = "shakespeare-3M-imatrix.gguf";
        options.contextLength = golden["ctx"].get<int>();
        options.threads = 2;
        options.measureSpeed = false;
        options.cacheDir = dir.filePath("cache").toStdString();
        options.outputDir = dir.filePath("variants").toStdString();
        CancelToken cancel;
        NullProgressSink progress;
        auto r = compareVariants(QS_TEST_DATA_DIR "/models/shakespeare-3M-f32.gguf", *text, options,
                                 cancel, progress, {});
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE(r->variants.size(), std::size_t(11));
        for (std::size_t i = 1; i < r->variants.size(); ++i) {
            const VariantResult& v = r->variants[i];
            QVERIFY2(v.error.empty(), v.error.c_str());
            const auto& row = golden["variants"][v.name + "-imatrix"];
            QVERIFY(!row.is_null());
            QCOMPARE(v.fileBytes, row["file_size"].get<std::uint64_t>());
            const double ppl = row["ppl"].get<double>();
            const double kld = row["mean_kld"].get<double>();
            qInfo("%s: PPL %.4f (llama.cpp %.4f, %+.3f %%), mean KLD %.6f (llama.cpp %.6f, "
                  "%+.2f %%), same top %.3f %% (llama.cpp %.3f %%)",
                  v.name.c_str(), v.kld.ppl, ppl, 100 * (v.kld.ppl / ppl - 1), v.kld.kldMean, kld,
                  100 * (v.kld.kldMean / kld - 1), 100 * v.kld.sameTop,
                  row["same_top_p_pct"].get<double>());
            QVERIFY(std::abs(v.kld.ppl / ppl - 1) < 5e-3);
            QVERIFY(std::abs(v.kld.kldMean / kld - 1) < 0.05);
        }
    }
};

QTEST_APPLESS_MAIN(TestPresetQuality)
#include "tst_preset_quality.moc"
