#include "eval_test_data.h"

#include "core/eval/eval_model.h"
#include "core/eval/kl_divergence.h"
#include "core/eval/llama_context.h"
#include "core/eval/logprob_file.h"
#include "core/eval/perplexity.h"
#include "core/eval/text_input.h"
#include "core/eval/throughput.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <filesystem>

using namespace qs::core;
using namespace qs::test;

namespace {

EvalModel openModel(const std::string& path) {
    auto m = openEvalModel(path);
    if (!m) {
        qFatal("%s", m.error().toString().c_str());
    }
    return std::move(*m);
}

std::vector<std::int32_t> tokenizeFile(const EvalModel& m, const std::string& path) {
    auto text = readEvalText(path);
    if (!text) {
        qFatal("%s", text.error().toString().c_str());
    }
    return m.tokenizer->encode(*text, true);
}

// The golden row of perplexity.json for (model, preset).
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

// Issue 6: perplexity by llama-perplexity's procedure equals llama.cpp's golden figures.
class TestPerplexity : public QObject {
    Q_OBJECT

    QTemporaryDir m_cacheDir;

private slots:
    void stories260kF32TinyShakespeareCtx128() {
        const EvalModel m = openModel(resource("models/stories260K-f32.gguf"));
        const auto tokens = tokenizeFile(m, evalData("tinyshakespeare-100k.txt"));
        LlamaContext ctx(m.weights, 128, 2);
        PerplexityOptions opt;
        opt.contextLength = 128;
        NullProgressSink sink;
        CancelToken cancel;
        auto r = computePerplexity(ctx, tokens, m.tokenizer->bos(), opt, sink, cancel);
        QVERIFY(r.ok());
        const auto golden = goldenRow("stories260K", "F32");
        qInfo("stories260K F32 ctx 128: PPL %.4f +/- %.5f over %d chunks (llama.cpp %.4f +/- %.5f)",
              r->ppl, r->pplError, r->chunks, golden["ppl"].get<double>(),
              golden["ppl_err"].get<double>());
        QCOMPARE(r->chunks, golden["n_chunks"].get<int>());
        QCOMPARE(r->scoredTokens, std::int64_t{484 * 63});
        QVERIFY(std::abs(r->ppl / golden["ppl"].get<double>() - 1) < 2e-4);
        QVERIFY(std::abs(r->pplError / golden["ppl_err"].get<double>() - 1) < 2e-3);
    }

    // The F32 GGUF of shakespeare-3M is not bundled; llama.cpp gives the F16 file the same
    // figure (reference.json perplexity_llama_cpp.f16).
    void shakespeare3mF16ValACtx256() {
        const EvalModel m = openModel(resource("models/shakespeare-3M-f16.gguf"));
        const auto tokens = tokenizeFile(m, resource("text/shakespeare-val-a.txt"));
        const auto ref =
            loadJson(evalData("shakespeare-3M-reference.json"))["perplexity_llama_cpp"]["f16"];
        LlamaContext ctx(m.weights, 256, 2);
        PerplexityOptions opt;
        opt.contextLength = 256;
        NullProgressSink sink;
        CancelToken cancel;
        auto r = computePerplexity(ctx, tokens, m.tokenizer->bos(), opt, sink, cancel);
        QVERIFY(r.ok());
        qInfo("shakespeare-3M F16 val-a ctx 256: PPL %.4f +/- %.5f over %d chunks (llama.cpp %.4f "
              "+/- %.5f), %.1f s",
              r->ppl, r->pplError, r->chunks, ref["ppl"].get<double>(), ref["ppl_pm"].get<double>(),
              r->seconds);
        QCOMPARE(r->chunks, 125);
        QCOMPARE(r->scoredTokens, std::int64_t{15875});
        QVERIFY(std::abs(r->ppl / ref["ppl"].get<double>() - 1) < 2e-4);
        QVERIFY(std::abs(r->pplError / ref["ppl_pm"].get<double>() - 1) < 2e-3);
    }

    void tooShortTextIsAnError() {
        const EvalModel m = openModel(resource("models/stories260K-f32.gguf"));
        LlamaContext ctx(m.weights, 128, 1);
        PerplexityOptions opt;
        opt.contextLength = 128;
        NullProgressSink sink;
        CancelToken cancel;
        const auto tokens = m.tokenizer->encode("Once upon a time");
        QVERIFY(!computePerplexity(ctx, tokens, 1, opt, sink, cancel).ok());
    }

    // A model against its own stored distribution: KLD ~ 0 (only the 16-bit storage),
    // top-1 agreement 100 %; the cache file is reused the second time.
    void kldAgainstItselfAndCache() {
        const EvalModel m = openModel(resource("models/stories260K-f32.gguf"));
        const auto tokens = tokenizeFile(m, evalData("tinyshakespeare-100k.txt"));
        LlamaContext ctx(m.weights, 128, 2);
        PerplexityOptions opt;
        opt.contextLength = 128;
        opt.maxChunks = 40;
        NullProgressSink sink;
        CancelToken cancel;
        QTemporaryDir dir;
        const std::string path = referenceCachePath(dir.path().toStdString(), 1, 2, 128);
        PerplexityResult base;
        auto reused = ensureReferenceLogProbs(path, ctx, tokens, 1, opt, sink, cancel, &base);
        QVERIFY(reused.ok());
        QVERIFY(!*reused);
        QCOMPARE(base.chunks, 40);
        reused = ensureReferenceLogProbs(path, ctx, tokens, 1, opt, sink, cancel);
        QVERIFY(reused.ok());
        QVERIFY(*reused);

        auto reader = LogProbReader::open(path);
        QVERIFY(reader.ok());
        QCOMPARE(reader->header().chunks, 40);
        auto k = computeKlDivergence(ctx, *reader, 1, -1, 128, sink, cancel);
        QVERIFY(k.ok());
        qInfo("self KLD mean %.3g max %.3g, same top %.2f %%, PPL %.4f vs base %.4f", k->kldMean,
              k->kldMax, 100 * k->sameTop, k->ppl, k->basePpl);
        QCOMPARE(k->count, std::int64_t{40 * 63});
        QVERIFY(std::abs(k->kldMean) < 1e-5);
        QVERIFY(k->sameTop > 0.999);
        QVERIFY(std::abs(k->ppl / base.ppl - 1) < 1e-9);
        // The stored distribution caps losses at 16 nats below the maximum: PPL(base) <= PPL.
        QVERIFY(k->basePpl <= k->ppl * (1 + 1e-6));
    }

    // Golden KLD of llama.cpp's own quantized files (development machine only).
    void goldenQuantizedKld_data() {
        QTest::addColumn<QString>("preset");
        for (const char* p : {"F16", "BF16", "Q8_0", "Q4_0", "Q5_1"}) {
            QTest::newRow(p) << p;
        }
    }
    void goldenQuantizedKld() {
        QFETCH(QString, preset);
        const std::string file =
            sharedGolden("gguf/stories260K/stories260K-" + preset.toStdString() + ".gguf");
        if (!std::filesystem::exists(file)) {
            QSKIP("golden quantized GGUFs are not available here");
        }
        auto quant = openEvalModel(file);
        if (!quant) {
            QSKIP(quant.error().toString().c_str());
        }
        NullProgressSink sink;
        CancelToken cancel;
        // The F32 reference is computed for the first row and reused (the cache at work).
        const std::string path = m_cacheDir.filePath("stories260K-f32-c128.kld").toStdString();
        {
            const EvalModel base = openModel(resource("models/stories260K-f32.gguf"));
            const auto tokens = tokenizeFile(base, evalData("tinyshakespeare-100k.txt"));
            PerplexityOptions opt;
            opt.contextLength = 128;
            LlamaContext baseCtx(base.weights, 128, 2);
            QVERIFY(ensureReferenceLogProbs(path, baseCtx, tokens, 1, opt, sink, cancel).ok());
        }
        auto reader = LogProbReader::open(path);
        QVERIFY(reader.ok());
        LlamaContext ctx(quant->weights, 128, 2);
        auto k = computeKlDivergence(ctx, *reader, 1, -1, 128, sink, cancel);
        QVERIFY(k.ok());
        const auto golden = goldenRow("stories260K", preset.toStdString());
        qInfo("%s: PPL %.4f (golden %.4f), KLD %.6f (golden %.6f), same top %.3f %% (golden %.3f)",
              qPrintable(preset), k->ppl, golden["ppl"].get<double>(), k->kldMean,
              golden["kld_mean"].get<double>(), 100 * k->sameTop,
              golden["same_top_p_pct"].get<double>());
        QVERIFY(std::abs(k->ppl / golden["ppl"].get<double>() - 1) < 5e-3);
        if (golden["kld_mean"].get<double>() > 1e-4) {
            QVERIFY(std::abs(k->kldMean / golden["kld_mean"].get<double>() - 1) < 0.05);
        }
    }

    void throughputReturnsFigures() {
        const EvalModel m = openModel(resource("models/stories260K-f32.gguf"));
        LlamaContext ctx(m.weights, 128, 2);
        ThroughputOptions opt;
        opt.promptTokens = 64;
        opt.genTokens = 16;
        opt.repeats = 2;
        CancelToken cancel;
        auto r = measureThroughput(ctx, opt, cancel);
        QVERIFY(r.ok());
        qInfo("stories260K F32, 2 threads: pp64 %.0f tok/s, tg16 %.0f tok/s",
              r->promptProcessing.tokensPerSecond, r->generation.tokensPerSecond);
        QVERIFY(r->promptProcessing.tokensPerSecond > 0);
        QVERIFY(r->generation.tokensPerSecond > 0);
    }
};

QTEST_APPLESS_MAIN(TestPerplexity)
#include "tst_perplexity.moc"
