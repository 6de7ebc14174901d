// Issue 10: cancelling or failing a long job leaves no partial output and no temporary file,
// and never modifies its inputs. Cancellation is deterministic: the token is set from the k-th
// progress callback, for several k spread over the run.
#include "core/eval/eval_model.h"
#include "core/eval/kl_divergence.h"
#include "core/eval/llama_context.h"
#include "core/eval/perplexity.h"
#include "core/eval/text_input.h"
#include "core/export/gguf_convert.h"
#include "core/export/quantize_model.h"
#include "core/io/gguf_writer.h"
#include "core/io/model_reader.h"
#include "core/model/model.h"
#include "core/plan/model_plan.h"
#include "core/plan/quant_plan.h"
#include "core/plan/sensitivity.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <csignal>
#include <functional>
#include <sys/resource.h>

using namespace qs::core;

namespace {

const std::string kShakespeare = QS_RESOURCES_DIR "/models/shakespeare-3M-f16.gguf";
const std::string kStories = QS_RESOURCES_DIR "/models/stories260K-f32.gguf";
const std::string kText = QS_RESOURCES_DIR "/text/shakespeare-val-a.txt";

QByteArray sha256(const std::string& path) {
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&f);
    return hash.result().toHex();
}

// Everything in `dir`, hidden files included: temporaries are dot-files or "*.tmp".
QStringList entries(const QTemporaryDir& dir) {
    return QDir(dir.path())
        .entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot | QDir::System);
}

// Counts progress callbacks (from any thread) and cancels at the k-th; k = 0 never cancels.
class CancelAt final : public ProgressSink {
public:
    CancelAt(CancelToken& token, int k)
        : m_token(token)
        , m_k(k) {}
    void progress(std::uint64_t, std::uint64_t, const std::string&, const std::string&) override {
        if (++m_calls == m_k) {
            m_token.requestCancel();
        }
    }
    int calls() const { return m_calls.load(); }

private:
    CancelToken& m_token;
    int m_k;
    std::atomic<int> m_calls{0};
};

// Cancel points spread over a run of `calls` progress callbacks: the first, a third, two
// thirds and the one before last (the last callback may come after the final check).
QList<int> cancelPoints(int calls) {
    QList<int> points{1, calls / 3, 2 * calls / 3, calls - 1};
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end()), points.end());
    points.removeIf([calls](int k) { return k < 1 || k >= calls; });
    return points;
}

QuantPlan q8Plan(const Model& model) {
    QuantPlan plan;
    for (const auto& t : model.tensors()) {
        if (t.dims.size() == 2) {
            plan.set(t.name, GgmlType::Q8_0);
        }
    }
    return plan;
}

// RLIMIT_FSIZE limits every file this process writes, so it is lowered only around the one
// call and restored after. SIGXFSZ is ignored meanwhile: write() then fails with EFBIG, as
// it fails with ENOSPC on a full disk, instead of the signal killing the test.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes) {
        ::getrlimit(RLIMIT_FSIZE, &m_old);
        m_oldHandler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit lowered = m_old;
        lowered.rlim_cur = bytes;
        m_ok = ::setrlimit(RLIMIT_FSIZE, &lowered) == 0;
    }
    ~FileSizeLimit() {
        ::setrlimit(RLIMIT_FSIZE, &m_old);
        std::signal(SIGXFSZ, m_oldHandler);
    }
    bool ok() const { return m_ok; }

private:
    rlimit m_old{};
    void (*m_oldHandler)(int) = SIG_DFL;
    bool m_ok = false;
};

} // namespace

class TestReliability : public QObject {
    Q_OBJECT

    QByteArray m_shakespeareSha;
    QByteArray m_storiesSha;
    QByteArray m_textSha;

    // Runs `job` once to count its progress callbacks, then cancels it at each cancel point
    // and checks the folder is left empty. `job(out, cancel, sink)` returns the job's status.
    void cancelEverywhere(
        const std::function<Status(const std::string&, CancelToken&, ProgressSink&)>& job) {
        int calls = 0;
        {
            QTemporaryDir dir;
            CancelToken cancel;
            CancelAt counter(cancel, 0);
            const std::string out = dir.filePath(QStringLiteral("full.out")).toStdString();
            const Status st = job(out, cancel, counter);
            QVERIFY2(st.ok(), st.ok() ? "" : st.error().toString().c_str());
            QCOMPARE(entries(dir), QStringList{QStringLiteral("full.out")});
            calls = counter.calls();
        }
        const QList<int> points = cancelPoints(calls);
        QVERIFY2(points.size() >= 2, "too few progress callbacks to cancel in between");
        QStringList where;
        for (int k : points) {
            where << QString::number(k);
        }
        qInfo("%d progress callbacks; cancelling at %s", calls, qPrintable(where.join(", ")));
        for (int k : points) {
            QTemporaryDir dir;
            CancelToken cancel;
            CancelAt sink(cancel, k);
            const Status st =
                job(dir.filePath(QStringLiteral("cancelled.out")).toStdString(), cancel, sink);
            QVERIFY2(!st.ok(),
                     qPrintable(
                         QStringLiteral("finished despite cancel at %1 of %2").arg(k).arg(calls)));
            QCOMPARE(st.error().code, ErrorCode::Cancelled);
            // Neither the output nor a temporary file beside it.
            QVERIFY2(entries(dir).isEmpty(),
                     qPrintable(QStringLiteral("cancel at %1 of %2 left: %3")
                                    .arg(k)
                                    .arg(calls)
                                    .arg(entries(dir).join(QLatin1Char(' ')))));
        }
    }

    void checkInputsUnchanged() {
        QCOMPARE(sha256(kShakespeare), m_shakespeareSha);
        QCOMPARE(sha256(kStories), m_storiesSha);
        QCOMPARE(sha256(kText), m_textSha);
    }

private slots:
    void initTestCase() {
        m_shakespeareSha = sha256(kShakespeare);
        m_storiesSha = sha256(kStories);
        m_textSha = sha256(kText);
        // resources/README.md lists these sums; a mismatch means the fixture itself changed.
        QCOMPARE(m_shakespeareSha,
                 QByteArray("36abe4abc02e17a54017cc1beacdea23d9a5dee9766f9012c481e96f626004a6"));
        QCOMPARE(m_storiesSha,
                 QByteArray("270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d"));
    }

    // Every job below must leave the inputs as they were (checked after each test function).
    void cleanup() { checkInputsUnchanged(); }

    void cancelQuantize() {
        auto model = openModel(kShakespeare);
        QVERIFY(model.ok());
        const QuantPlan plan = q8Plan(*model);
        QuantizeOptions options;
        options.threads = 2;
        cancelEverywhere([&](const std::string& out, CancelToken& cancel, ProgressSink& sink) {
            auto r = quantizeModel(*model, plan, out, options, cancel, sink);
            return r.ok() ? Status() : Status(r.error());
        });
    }

    void cancelConvert() {
        auto model = openModel(kShakespeare);
        QVERIFY(model.ok());
        ConvertOptions options;
        options.matrixType = GgmlType::F32;
        cancelEverywhere([&](const std::string& out, CancelToken& cancel, ProgressSink& sink) {
            return convertToGguf(*model, out, options, sink, cancel);
        });
    }

    // The evaluation's only output is the cached reference distribution (.kld) that KL
    // divergence reads; a cancelled run must not leave a truncated one to be reused.
    void cancelEvalReference() {
        auto m = openEvalModel(kStories);
        QVERIFY(m.ok());
        auto text = readEvalText(kText);
        QVERIFY(text.ok());
        const auto tokens = m->tokenizer->encode(*text, true);
        PerplexityOptions options;
        options.contextLength = 128;
        options.maxChunks = 6;
        LlamaContext context(m->weights, options.contextLength, 2);
        cancelEverywhere([&](const std::string& out, CancelToken& cancel, ProgressSink& sink) {
            context.clear();
            auto r = ensureReferenceLogProbs(out, context, tokens, m->tokenizer->bos(), options,
                                             sink, cancel);
            return r.ok() ? Status() : Status(r.error());
        });
    }

    void cancelPerplexity() {
        auto m = openEvalModel(kStories);
        QVERIFY(m.ok());
        auto text = readEvalText(kText);
        QVERIFY(text.ok());
        const auto tokens = m->tokenizer->encode(*text, true);
        PerplexityOptions options;
        options.contextLength = 128;
        options.maxChunks = 4;
        LlamaContext context(m->weights, options.contextLength, 2);
        CancelToken cancel;
        CancelAt sink(cancel, 2);
        auto r = computePerplexity(context, tokens, m->tokenizer->bos(), options, sink, cancel);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Cancelled);
        QCOMPARE(sink.calls(), 2);
    }

    // A full disk (here: a file size limit) fails the export with a "no space" error naming
    // the destination, and leaves neither the output nor its temporary file.
    void fullDiskConvert() {
        auto model = openModel(kShakespeare);
        QVERIFY(model.ok());
        QTemporaryDir dir;
        const std::string out = dir.filePath(QStringLiteral("full-disk.gguf")).toStdString();
        ConvertOptions options;
        options.matrixType = GgmlType::F32; // ~13.6 MB, far over the limit
        Status st;
        {
            FileSizeLimit limit(256 * 1024);
            QVERIFY(limit.ok());
            NullProgressSink sink;
            CancelToken cancel;
            st = convertToGguf(*model, out, options, sink, cancel);
        }
        QVERIFY(!st.ok());
        qInfo("convert under a 256 KiB file size limit: %s", st.error().toString().c_str());
        QCOMPARE(st.error().code, ErrorCode::NoSpace);
        QVERIFY2(st.error().message.find(out) != std::string::npos, st.error().message.c_str());
        QVERIFY(st.error().toString().rfind("no space", 0) == 0);
        QCOMPARE(entries(dir), QStringList());
    }

    void fullDiskQuantize() {
        auto model = openModel(kShakespeare);
        QVERIFY(model.ok());
        QTemporaryDir dir;
        const std::string out = dir.filePath(QStringLiteral("full-disk-q8.gguf")).toStdString();
        Result<QuantizeReport> r = makeError(ErrorCode::Internal, "not run");
        {
            FileSizeLimit limit(1024 * 1024); // the Q8_0 file is ~3.9 MB
            QVERIFY(limit.ok());
            NullProgressSink sink;
            CancelToken cancel;
            r = quantizeModel(*model, q8Plan(*model), out, QuantizeOptions(), cancel, sink);
        }
        QVERIFY(!r.ok());
        qInfo("quantize under a 1 MiB file size limit: %s", r.error().toString().c_str());
        QCOMPARE(r.error().code, ErrorCode::NoSpace);
        QVERIFY2(r.error().message.find(out) != std::string::npos, r.error().message.c_str());
        QCOMPARE(entries(dir), QStringList());
    }

    // The same limit, one byte above the output size, lets the export through: the limit
    // (not some other fault) is what failed the runs above.
    void limitAboveOutputSucceeds() {
        auto model = openModel(kShakespeare);
        QVERIFY(model.ok());
        QTemporaryDir dir;
        const std::string out = dir.filePath(QStringLiteral("fits.gguf")).toStdString();
        CancelToken cancel;
        NullProgressSink sink;
        auto first = quantizeModel(*model, q8Plan(*model), out, QuantizeOptions(), cancel, sink);
        QVERIFY(first.ok());
        const QByteArray expected = sha256(out);
        QVERIFY(QFile::remove(QString::fromStdString(out)));
        Result<QuantizeReport> r = makeError(ErrorCode::Internal, "not run");
        {
            FileSizeLimit limit(first->fileBytes + 1);
            QVERIFY(limit.ok());
            r = quantizeModel(*model, q8Plan(*model), out, QuantizeOptions(), cancel, sink);
        }
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE(sha256(out), expected);
    }

    // Successful runs read their inputs only (cleanup() compares the checksums).
    // A tensor with a zero dimension is legal GGUF (the reader accepts it); the quantizer sizes
    // its slabs by dividing by the row length, so such a tensor must be written as it is,
    // empty, and never reach that division. The other tensors are still quantized.
    void emptyTensorIsWrittenEmpty() {
        QTemporaryDir dir;
        const std::string in = dir.filePath(QStringLiteral("empty.gguf")).toStdString();
        const std::string out = dir.filePath(QStringLiteral("empty-q8.gguf")).toStdString();
        {
            Metadata md;
            md.set("general.architecture", MetaValue(std::string("llama")));
            auto w = GgufWriter::create(in, md,
                                        {{"blk.0.ffn_up.weight", {64, 0}, GgmlType::F32},
                                         {"blk.0.ffn_gate.weight", {0, 4}, GgmlType::F32},
                                         {"blk.0.ffn_down.weight", {64, 3}, GgmlType::F32}});
            QVERIFY(w.ok());
            QCOMPARE((*w)->tensorBytes(0), std::uint64_t{0});
            QCOMPARE((*w)->tensorBytes(1), std::uint64_t{0});
            std::vector<float> values(64 * 3);
            for (std::size_t i = 0; i < values.size(); ++i) {
                values[i] = static_cast<float>(i % 17) - 8.0f;
            }
            QVERIFY((*w)->write(std::as_bytes(std::span(values))).ok());
            QVERIFY((*w)->finish().ok());
        }
        auto model = openModel(in);
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());
        CancelToken cancel;
        NullProgressSink sink;
        auto report = quantizeModel(*model, q8Plan(*model), out, QuantizeOptions(), cancel, sink);
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().message.c_str());

        auto written = openModel(out);
        QVERIFY(written.ok());
        const TensorInfo* noRows = written->findTensor("blk.0.ffn_up.weight");
        const TensorInfo* noColumns = written->findTensor("blk.0.ffn_gate.weight");
        const TensorInfo* full = written->findTensor("blk.0.ffn_down.weight");
        QVERIFY(noRows && noColumns && full);
        QCOMPARE(noRows->dims, (std::vector<std::uint64_t>{64, 0}));
        QCOMPARE(noRows->byteSize, std::uint64_t{0});
        QCOMPARE(noColumns->dims, (std::vector<std::uint64_t>{0, 4}));
        QCOMPARE(noColumns->byteSize, std::uint64_t{0});
        QCOMPARE(full->type, GgmlType::Q8_0);
        QCOMPARE(full->byteSize, std::uint64_t{3 * 2 * 34}); // 3 rows of two 34-byte blocks
        QCOMPARE(plannedTensorBytes(*model, q8Plan(*model)), full->byteSize);

        // The optimizer's measurements leave the empty tensors out of the table.
        SensitivityOptions sensitivity;
        sensitivity.formats = {GgmlType::Q8_0, GgmlType::Q4_0};
        auto table = measureSensitivity(*model, sensitivity, cancel, sink);
        QVERIFY2(table.ok(), table.ok() ? "" : table.error().message.c_str());
        QCOMPARE(table->rows.size(), std::size_t{1});
        QCOMPARE(table->rows[0].name, std::string("blk.0.ffn_down.weight"));
    }

    void inputsUnchangedAfterSuccessfulRuns() {
        QTemporaryDir dir;
        CancelToken cancel;
        NullProgressSink sink;
        {
            auto model = openModel(kShakespeare);
            QVERIFY(model.ok());
            auto q = quantizeModel(*model, q8Plan(*model),
                                   dir.filePath(QStringLiteral("q8.gguf")).toStdString(),
                                   QuantizeOptions(), cancel, sink);
            QVERIFY(q.ok());
            ConvertOptions options;
            options.matrixType = GgmlType::BF16;
            QVERIFY(convertToGguf(*model, dir.filePath(QStringLiteral("bf16.gguf")).toStdString(),
                                  options, sink, cancel)
                        .ok());
        }
        auto m = openEvalModel(kStories);
        QVERIFY(m.ok());
        auto text = readEvalText(kText);
        QVERIFY(text.ok());
        const auto tokens = m->tokenizer->encode(*text, true);
        PerplexityOptions options;
        options.contextLength = 128;
        options.maxChunks = 2;
        LlamaContext context(m->weights, options.contextLength, 2);
        auto ref =
            ensureReferenceLogProbs(dir.filePath(QStringLiteral("ref.kld")).toStdString(), context,
                                    tokens, m->tokenizer->bos(), options, sink, cancel);
        QVERIFY(ref.ok());
        checkInputsUnchanged();
    }
};

QTEST_APPLESS_MAIN(TestReliability)
#include "tst_reliability.moc"
