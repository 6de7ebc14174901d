#include "backend_test_data.h"

#include "core/eval/eval_model.h"
#include "core/eval/llama_context.h"
#include "core/eval/perplexity.h"
#include "core/eval/text_input.h"
#include "core/quant/format_registry.h"
#include "vkcompute/device_info.h"
#include "vkcompute/vulkan_backend.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <limits>

using namespace qs;

// Issue 23: batches of tokens through mul_mm.comp. Every format against the CPU oracle
// (core/quant dequantizeRow, products in double) within the matvec budget, at batch sizes that
// fill a 32-token tile, leave a tail of 1 or more, and span several tiles; and the forward pass
// giving the same perplexity through mul_mm as through one matvec per token. Runs on lavapipe.
class TestVkMatmul : public QObject {
    Q_OBJECT

    std::unique_ptr<vk::VulkanBackend> m_backend;   // every batch of 8 or more through mul_mm
    std::unique_ptr<vk::VulkanBackend> m_gpuShaped; // forceWorkgroupPerRow, made on first use
    QTemporaryDir m_cacheDir;
    std::string m_skipReason;

    static vk::VulkanBackendOptions options() {
        vk::VulkanBackendOptions o;
        o.persistPipelineCache = false;
        return o;
    }

    // Token t's outputs against the double-precision product of the CPU-dequantized weights,
    // by the NMSE budget every matvec test uses.
    static void checkBatch(vk::VulkanBackend& backend, const test::QuantizedMatrix& m,
                           std::int64_t n) {
        const auto ref = test::cpuDequantized(m);
        const auto x = test::randomVector(n * m.nCols, 77);
        std::vector<float> y(static_cast<std::size_t>(n * m.nRows),
                             std::numeric_limits<float>::quiet_NaN());
        auto s = backend.matmul(m.view(), x.data(), n, y.data());
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        for (std::int64_t t = 0; t < n; ++t) {
            const std::vector<float> xt(x.begin() + t * m.nCols, x.begin() + (t + 1) * m.nCols);
            const std::vector<float> yt(y.begin() + t * m.nRows, y.begin() + (t + 1) * m.nRows);
            const double err = test::nmse(yt, test::referenceMatvec(ref, m.nRows, m.nCols, xt));
            // NaN (a value never written) fails this comparison too.
            QVERIFY2(err < test::kMatvecNmseBudget,
                     ("batch " + std::to_string(n) + ", token " + std::to_string(t) + ": NMSE " +
                      QString::number(err, 'g', 3).toStdString())
                         .c_str());
        }
    }

private slots:
    void initTestCase() {
        QVERIFY(m_cacheDir.isValid());
        qputenv("XDG_CACHE_HOME", QFile::encodeName(m_cacheDir.path()));
        auto devices = vk::enumerateDevices();
        if (!devices || devices->empty()) {
            m_skipReason = "no Vulkan device (install mesa-vulkan-drivers for lavapipe): " +
                           (devices ? std::string("none listed") : devices.error().message);
            return;
        }
        auto backend = vk::VulkanBackend::create(options());
        QVERIFY2(backend.ok(), backend.ok() ? "" : backend.error().message.c_str());
        m_backend = std::move(*backend);
        qInfo("device: %s", m_backend->name().c_str());
    }

    // 37 rows: a partial 64-row tile. Plain types get 101 columns (a partial 32-value group
    // and a partial step); block types 2 super-blocks or 16 small blocks (512 columns).
    void everyFormatWithinBudget_data() {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("tokens");
        for (const auto& f : core::allQuantFormats()) {
            if (!f.cpuQuantize || !f.cpuDequantize) {
                continue;
            }
            for (int n : {8, 9, 33, 128}) {
                QTest::newRow((std::string(f.info().name) + " x" + std::to_string(n)).c_str())
                    << static_cast<int>(f.type) << n;
            }
        }
    }
    void everyFormatWithinBudget() {
        if (!m_backend) {
            QSKIP(m_skipReason.c_str());
        }
        QFETCH(int, type);
        QFETCH(int, tokens);
        const auto t = static_cast<core::GgmlType>(type);
        const bool plain = core::ggmlTypeInfo(t).blockSize == 1;
        checkBatch(*m_backend, test::makeQuantized(t, 37, plain ? 101 : 512, 3), tokens);
    }

    // Bindings of 128 KiB and grids of at most 4 x 4 workgroups: 600 rows become 3 chunks of
    // weights, 100 tokens 4 batches (x of a 32-token tile of 512 columns is 64 KiB), the
    // splitting a 32000-row output matrix and long prompts need on real devices.
    void chunkedWeightsAndTokenBatches_data() {
        QTest::addColumn<int>("type");
        for (auto t : {core::GgmlType::Q4_0, core::GgmlType::Q4_K, core::GgmlType::Q8_0,
                       core::GgmlType::IQ2_XS}) {
            QTest::newRow(std::string(core::ggmlTypeInfo(t).name).c_str()) << static_cast<int>(t);
        }
    }
    void chunkedWeightsAndTokenBatches() {
        if (!m_backend) {
            QSKIP(m_skipReason.c_str());
        }
        QFETCH(int, type);
        vk::VulkanBackendOptions o = options();
        o.maxBindingBytes = 128 << 10;
        o.maxWorkgroupsPerDim = 4;
        auto small = vk::VulkanBackend::create(o);
        QVERIFY2(small.ok(), small.ok() ? "" : small.error().message.c_str());
        checkBatch(**small, test::makeQuantized(static_cast<core::GgmlType>(type), 600, 512, 5),
                   100);
    }

    // The shape GPUs use (a row per invocation, x staged in shared memory), which lavapipe
    // would not pick by itself; odd group counts (F16 with 100 columns: 4 groups, the last
    // partial; Q4_0 with 96: 3 groups) leave a partial step. Few formats: each pipeline of
    // this shape takes lavapipe ~2 s to compile.
    void gpuShapeWithinBudget_data() {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("cols");
        QTest::addColumn<int>("tokens");
        const std::pair<core::GgmlType, int> shapes[] = {
            {core::GgmlType::Q4_0, 96}, {core::GgmlType::Q4_K, 512}, {core::GgmlType::F16, 100}};
        for (const auto& [t, cols] : shapes) {
            for (int n : {9, 33}) {
                QTest::newRow(
                    (std::string(core::ggmlTypeInfo(t).name) + " x" + std::to_string(n)).c_str())
                    << static_cast<int>(t) << cols << n;
            }
        }
    }
    void gpuShapeWithinBudget() {
        if (!m_backend) {
            QSKIP(m_skipReason.c_str());
        }
        QFETCH(int, type);
        QFETCH(int, cols);
        QFETCH(int, tokens);
        if (!m_gpuShaped) {
            vk::VulkanBackendOptions o = options();
            o.forceWorkgroupPerRow = true;
            auto backend = vk::VulkanBackend::create(o);
            QVERIFY2(backend.ok(), backend.ok() ? "" : backend.error().message.c_str());
            m_gpuShaped = std::move(*backend);
        }
        checkBatch(*m_gpuShaped,
                   test::makeQuantized(static_cast<core::GgmlType>(type), 70, cols, 7), tokens);
    }

    // Bindings too small for one tile of tokens' x (512 columns x 32 tokens = 64 KiB): the
    // batch still gets computed, as a matvec per token.
    void tileBeyondBindingLimitFallsBackToMatvec() {
        if (!m_backend) {
            QSKIP(m_skipReason.c_str());
        }
        vk::VulkanBackendOptions o = options();
        o.maxBindingBytes = 16 << 10;
        auto small = vk::VulkanBackend::create(o);
        QVERIFY2(small.ok(), small.ok() ? "" : small.error().message.c_str());
        checkBatch(**small, test::makeQuantized(core::GgmlType::Q8_0, 61, 512, 8), 40);
    }

    // Batches below the threshold (matvec per token), at it and past it agree with each other
    // to f32 rounding: one row of a batch is the same product whichever route computes it.
    void routesAgreeAroundTheThreshold() {
        if (!m_backend) {
            QSKIP(m_skipReason.c_str());
        }
        const auto m = test::makeQuantized(core::GgmlType::Q6_K, 70, 768, 6);
        for (std::int64_t n : {1, 7, 8}) {
            checkBatch(*m_backend, m, n);
        }
    }

    void errorsAreReturned() {
        if (!m_backend) {
            QSKIP(m_skipReason.c_str());
        }
        std::vector<std::uint8_t> bytes(4096);
        std::vector<float> x(16 * 256), y(16 * 16);
        auto s = m_backend->matmul({core::GgmlType::Q4_0, bytes.data(), 16, 100}, x.data(), 16,
                                   y.data());
        QCOMPARE(s.error().code, core::ErrorCode::InvalidArgument);
        s = m_backend->matmul({core::GgmlType::Q4_0, bytes.data(), 16, 128}, x.data(), -1,
                              y.data());
        QCOMPARE(s.error().code, core::ErrorCode::InvalidArgument);
        s = m_backend->matmul({core::GgmlType::Q8_K, bytes.data(), 4, 256}, x.data(), 16, y.data());
        QCOMPARE(s.error().code, core::ErrorCode::Unsupported);
        // An empty batch is nothing to do.
        QVERIFY(
            m_backend->matmul({core::GgmlType::Q4_0, bytes.data(), 16, 128}, x.data(), 0, y.data())
                .ok());
    }

    // The forward pass (what eval, imatrix, compare and calibration run) on a real model:
    // 128-token batches through mul_mm and through a matvec per token give the same logits to
    // f32 rounding, so the same perplexity. stories260K's FFN has 172 columns (a partial group)
    // and f32 weights; shakespeare-3M has f16 weights (activations rounded to f16 as llama.cpp).
    void forwardPassPerplexityMatchesMatvec_data() {
        QTest::addColumn<QString>("model");
        QTest::newRow("stories260K F32") << "models/stories260K-f32.gguf";
        QTest::newRow("shakespeare-3M F16") << "models/shakespeare-3M-f16.gguf";
    }
    void forwardPassPerplexityMatchesMatvec() {
        if (!m_backend) {
            QSKIP(m_skipReason.c_str());
        }
        QFETCH(QString, model);
        auto m = core::openEvalModel(std::string(QS_RESOURCES_DIR) + "/" + model.toStdString());
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().toString().c_str());
        auto text =
            core::readEvalText(std::string(QS_TEST_DATA_DIR) + "/eval/tinyshakespeare-100k.txt");
        QVERIFY2(text.ok(), text.ok() ? "" : text.error().toString().c_str());
        const auto tokens = m->tokenizer->encode(text->substr(0, 4000), true);

        vk::VulkanBackendOptions perToken = options();
        perToken.minMatmulTokens = std::numeric_limits<std::int64_t>::max();
        auto matvecBackend = vk::VulkanBackend::create(perToken);
        QVERIFY(matvecBackend.ok());

        core::PerplexityOptions opt;
        opt.contextLength = 128;
        opt.maxChunks = 2;
        double ppl[2] = {};
        std::vector<float> logits[2];
        core::ComputeBackend* backends[2] = {m_backend.get(), matvecBackend->get()};
        for (int i = 0; i < 2; ++i) {
            core::LlamaContext ctx(m->weights, 128, 2, backends[i]);
            core::NullProgressSink sink;
            core::CancelToken cancel;
            auto r = core::computePerplexity(ctx, tokens, m->tokenizer->bos(), opt, sink, cancel);
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
            QCOMPARE(r->chunks, 2);
            ppl[i] = r->ppl;
            // One more 128-token batch, its logits compared value by value below.
            ctx.clear();
            const std::vector<std::int32_t> batch(tokens.begin(), tokens.begin() + 128);
            QVERIFY(ctx.evaluate(batch, 0, logits[i]).ok());
        }
        std::vector<double> reference(logits[1].begin(), logits[1].end());
        const double err = test::nmse(logits[0], reference);
        qInfo("PPL via mul_mm %.6f, via matvec %.6f; logits NMSE %.3g", ppl[0], ppl[1], err);
        // Each product is within the matvec budget of the exact one; through the layers the
        // logits stay there (on lavapipe both routes sum in the same order: NMSE 0). Scaling
        // one of 32 dot products of a quarter of the rows by 1.001 in mul_mm gave 1.7e-7.
        QVERIFY2(err < test::kMatvecNmseBudget,
                 qPrintable("logits NMSE " + QString::number(err, 'g', 3)));
        QVERIFY(std::abs(ppl[0] / ppl[1] - 1.0) < 1e-5);
    }
};

QTEST_APPLESS_MAIN(TestVkMatmul)
#include "tst_vk_matmul.moc"
