#include "backend_test_data.h"
#include "packed_test_data.h"

#include "core/compute/compute_backend.h"
#include "core/compute/matvec_accuracy.h"
#include "core/quant/half.h"
#include "vkcompute/device_info.h"
#include "vkcompute/vulkan_backend.h"

#include <QTemporaryDir>
#include <QTest>

#include <cstring>
#include <random>

using namespace qs;

// Dequantize and matvec on packed GPTQ/AWQ linears (core/compute/packed_linear.h), CPU and
// Vulkan, against the reference QuantizedLinear::dequantize() of the unpacked layer: f32 bit
// for bit, f16 equal to the rounded reference, matvec within core::packedMatvecRowBudget of a
// double-precision product. The Vulkan rows skip only where no Vulkan device exists.
class TestPackedKernels : public QObject {
    Q_OBJECT

    std::unique_ptr<core::ComputeBackend> m_cpu = core::makeCpuBackend(3);
    std::unique_ptr<vk::VulkanBackend> m_vulkan;
    std::unique_ptr<vk::VulkanBackend> m_gpuShaped;  // split-K matvec, as GPUs run it
    std::unique_ptr<vk::VulkanBackend> m_wordStores; // dequant without 64-bit stores
    std::unique_ptr<vk::VulkanBackend> m_chunked;    // 4 KiB bindings, 4 x 4 workgroup grids
    QTemporaryDir m_cacheDir;
    std::string m_skipReason;

    // Shapes are not multiples of any workgroup size; in % 32 != 0 where the packing allows,
    // so the last 32-column block is partial. out follows each layout's word granule.
    static void addCases() {
        using L = core::PackedLayout;
        QTest::addColumn<int>("layout");
        QTest::addColumn<int>("bits");
        QTest::addColumn<int>("in");
        QTest::addColumn<int>("out");
        QTest::addColumn<int>("groupSize");
        QTest::addColumn<bool>("actOrder");
        QTest::addColumn<bool>("nullGIdx");
        auto row = [](const char* name, L layout, int bits, int in, int out, int groupSize,
                      bool actOrder, bool nullGIdx) {
            QTest::newRow(name) << static_cast<int>(layout) << bits << in << out << groupSize
                                << actOrder << nullGIdx;
        };
        row("gptq2 v1 g32", L::GptqV1, 2, 272, 48, 32, false, false);
        row("gptq2 v2 g128 act-order", L::GptqV2, 2, 512, 80, 128, true, false);
        row("gptq2 v1 one group", L::GptqV1, 2, 208, 16, -1, false, true);
        row("gptq3 v1 g128 no g_idx", L::GptqV1, 3, 384, 96, 128, false, true);
        row("gptq3 v2 g32 act-order", L::GptqV2, 3, 256, 64, 32, true, false);
        row("gptq3 v1 one group", L::GptqV1, 3, 320, 32, -1, false, false);
        row("gptq4 v1 g128", L::GptqV1, 4, 520, 72, 128, false, false);
        row("gptq4 v2 g32 no g_idx", L::GptqV2, 4, 256, 136, 32, false, true);
        row("gptq4 v1 g128 act-order", L::GptqV1, 4, 512, 200, 128, true, false);
        row("gptq4 v2 one group", L::GptqV2, 4, 264, 24, -1, false, false);
        row("gptq4 v1 g48 no g_idx", L::GptqV1, 4, 192, 40, 48, false, true);
        row("gptq8 v1 g32", L::GptqV1, 8, 100, 44, 32, false, false);
        row("gptq8 v2 g128 act-order", L::GptqV2, 8, 384, 68, 128, true, false);
        row("gptq8 v1 one group no g_idx", L::GptqV1, 8, 256, 12, -1, false, true);
        row("awq4 g128", L::AwqGemm, 4, 512, 88, 128, false, false);
        row("awq4 g32", L::AwqGemm, 4, 96, 16, 32, false, false);
        row("awq4 one group", L::AwqGemm, 4, 200, 8, -1, false, false);
    }

    static test::PackedLayer fetchLayer(unsigned seed) {
        QFETCH(int, layout);
        QFETCH(int, bits);
        QFETCH(int, in);
        QFETCH(int, out);
        QFETCH(int, groupSize);
        QFETCH(bool, actOrder);
        QFETCH(bool, nullGIdx);
        test::PackedCase spec;
        spec.layout = static_cast<core::PackedLayout>(layout);
        spec.bits = bits;
        spec.in = in;
        spec.out = out;
        spec.groupSize = groupSize;
        spec.actOrder = actOrder;
        spec.nullGIdx = nullGIdx;
        return test::makePackedLayer(spec, seed);
    }

    // All rows and a range starting mid-matrix, f32 bit for bit and f16 as rounded.
    static void checkDequant(core::ComputeBackend& backend, const test::PackedLayer& layer) {
        const core::PackedLinear w = layer.view();
        const auto& ref = layer.reference;
        std::vector<float> out(ref.size(), -1.0f);
        auto s = backend.dequantize(w, {0, w.out}, out.data());
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        std::string diff = test::firstBitDifference(out.data(), ref.data(), ref.size());
        QVERIFY2(diff.empty(), ("f32, all rows: " + diff).c_str());

        const std::int64_t first = w.out / 3 + 1, count = w.out - first - 2;
        std::vector<float> part(static_cast<std::size_t>(count * w.in));
        s = backend.dequantize(w, {first, count}, part.data());
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        diff = test::firstBitDifference(part.data(), ref.data() + first * w.in, part.size());
        QVERIFY2(diff.empty(), ("f32, row range: " + diff).c_str());

        std::vector<std::uint16_t> half(ref.size());
        s = backend.dequantizeF16(w, {0, w.out}, half.data());
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        for (std::size_t i = 0; i < half.size(); ++i) {
            if (half[i] != core::fp32ToFp16(ref[i])) {
                QFAIL(("f16 mismatch at " + std::to_string(i)).c_str());
            }
        }
        std::vector<std::uint16_t> halfPart(static_cast<std::size_t>(w.in) * 3);
        s = backend.dequantizeF16(w, {first, 3}, halfPart.data());
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        for (std::size_t i = 0; i < halfPart.size(); ++i) {
            if (halfPart[i] != core::fp32ToFp16(ref[first * w.in + i])) {
                QFAIL(("f16 row range mismatch at " + std::to_string(i)).c_str());
            }
        }
    }

    static void checkMatvec(core::ComputeBackend& backend, const test::PackedLayer& layer) {
        const core::PackedLinear w = layer.view();
        const auto x = test::randomVector(w.in, 99);
        std::vector<float> y(static_cast<std::size_t>(w.out), -1.0f);
        auto s = backend.matvec(w, x.data(), y.data());
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        const auto e =
            core::measureMatvecRowError(layer.reference.data(), w.out, w.in, x.data(), y.data());
        QVERIFY2(e.worst <= core::packedMatvecRowBudget(w.in),
                 ("row " + std::to_string(e.row) + ": normalised error " + std::to_string(e.worst) +
                  " over budget " + std::to_string(core::packedMatvecRowBudget(w.in)))
                     .c_str());
    }

    vk::VulkanBackend* makeVariant(std::unique_ptr<vk::VulkanBackend>& slot,
                                   const vk::VulkanBackendOptions& options) {
        if (!slot) {
            auto backend = vk::VulkanBackend::create(options);
            if (!backend) {
                return nullptr;
            }
            slot = std::move(*backend);
        }
        return slot.get();
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
        auto backend = vk::VulkanBackend::create();
        QVERIFY2(backend.ok(), backend.ok() ? "" : backend.error().message.c_str());
        m_vulkan = std::move(*backend);
        qInfo("device: %s", m_vulkan->name().c_str());
    }

    void cpuDequantizeIsBitExact_data() { addCases(); }
    void cpuDequantizeIsBitExact() { checkDequant(*m_cpu, fetchLayer(1)); }

    void cpuMatvecWithinBudget_data() { addCases(); }
    void cpuMatvecWithinBudget() { checkMatvec(*m_cpu, fetchLayer(2)); }

    void vulkanDequantizeIsBitExact_data() { addCases(); }
    void vulkanDequantizeIsBitExact() {
        if (!m_vulkan) {
            QSKIP(m_skipReason.c_str());
        }
        checkDequant(*m_vulkan, fetchLayer(1));
    }

    void vulkanMatvecWithinBudget_data() { addCases(); }
    void vulkanMatvecWithinBudget() {
        if (!m_vulkan) {
            QSKIP(m_skipReason.c_str());
        }
        checkMatvec(*m_vulkan, fetchLayer(2));
    }

    // The dequant variant that stores 32-bit words (devices without shaderInt64); lavapipe
    // would pick the 64-bit stores.
    void vulkanDequantizeWithWordStores_data() { addCases(); }
    void vulkanDequantizeWithWordStores() {
        if (!m_vulkan) {
            QSKIP(m_skipReason.c_str());
        }
        vk::VulkanBackendOptions options;
        options.forceWordStores = true;
        options.persistPipelineCache = false;
        auto* backend = makeVariant(m_wordStores, options);
        QVERIFY(backend);
        checkDequant(*backend, fetchLayer(5));
    }

    // The matvec shape GPUs use (16 units x 16 column slices, shared-memory reduction),
    // which lavapipe would not pick by itself.
    void vulkanSplitKMatvec_data() { addCases(); }
    void vulkanSplitKMatvec() {
        if (!m_vulkan) {
            QSKIP(m_skipReason.c_str());
        }
        vk::VulkanBackendOptions options;
        options.forceWorkgroupPerRow = true;
        options.persistPipelineCache = false;
        auto* backend = makeVariant(m_gpuShaped, options);
        QVERIFY(backend);
        checkMatvec(*backend, fetchLayer(3));
    }

    // Bindings limited to 4 KiB and grids to 4 x 4 workgroups: the chunking (data chunks of
    // a few output granules, output rows split further) that layers whose arrays exceed
    // maxStorageBufferRange (128 MiB on lavapipe) need, on layers of a few KiB.
    void vulkanChunkedBindings_data() {
        using L = core::PackedLayout;
        QTest::addColumn<int>("layout");
        QTest::addColumn<int>("bits");
        QTest::addColumn<int>("in");
        QTest::addColumn<int>("out");
        QTest::addColumn<int>("groupSize");
        QTest::addColumn<bool>("actOrder");
        QTest::addColumn<bool>("nullGIdx");
        QTest::newRow("gptq2 v1 g32") << int(L::GptqV1) << 2 << 496 << 112 << 32 << false << false;
        QTest::newRow("gptq3 v2 g32 act-order")
            << int(L::GptqV2) << 3 << 320 << 96 << 32 << true << false;
        QTest::newRow("gptq4 v1 g128 act-order")
            << int(L::GptqV1) << 4 << 512 << 72 << 128 << true << false;
        QTest::newRow("gptq8 v2 g40 no g_idx")
            << int(L::GptqV2) << 8 << 200 << 52 << 40 << false << true;
        QTest::newRow("awq4 g32") << int(L::AwqGemm) << 4 << 512 << 40 << 32 << false << false;
    }
    void vulkanChunkedBindings() {
        if (!m_vulkan) {
            QSKIP(m_skipReason.c_str());
        }
        vk::VulkanBackendOptions options;
        options.maxBindingBytes = 4096;
        options.maxWorkgroupsPerDim = 4;
        options.persistPipelineCache = false;
        auto* backend = makeVariant(m_chunked, options);
        QVERIFY(backend);
        const auto layer = fetchLayer(4);
        checkDequant(*backend, layer);
        checkMatvec(*backend, layer);
    }

    // A real layer whose f32 output exceeds 128 MiB (4096 x 8320 values, 136 MB): the output
    // is bound in chunks under lavapipe's own maxStorageBufferRange. Random packed words are
    // valid weights; the CPU backend (checked bit for bit above) is the reference.
    void vulkanDequantizeOutputOver128MiB() {
        if (!m_vulkan) {
            QSKIP(m_skipReason.c_str());
        }
        const std::int64_t in = 4096, out = 8320, groups = 32;
        std::mt19937 rng(5);
        std::vector<std::int32_t> qweight(static_cast<std::size_t>(in / 8 * out));
        std::vector<std::int32_t> qzeros(static_cast<std::size_t>(groups * out / 8));
        std::vector<std::uint16_t> scales(static_cast<std::size_t>(groups * out));
        for (auto& v : qweight) {
            v = static_cast<std::int32_t>(rng());
        }
        for (auto& v : qzeros) {
            v = static_cast<std::int32_t>(rng());
        }
        for (auto& v : scales) {
            v = static_cast<std::uint16_t>(0x1000 + rng() % 0x2000);
        }
        core::PackedLinear w;
        w.layout = core::PackedLayout::GptqV1;
        w.bits = 4;
        w.in = in;
        w.out = out;
        w.groups = groups;
        w.qweight = qweight.data();
        w.qzeros = qzeros.data();
        w.scales = scales.data();
        const std::size_t n = static_cast<std::size_t>(in * out);
        QVERIFY(n * sizeof(float) > (std::size_t(128) << 20));
        std::vector<float> cpu(n), gpu(n);
        QVERIFY(m_cpu->dequantize(w, {0, out}, cpu.data()).ok());
        auto s = m_vulkan->dequantize(w, {0, out}, gpu.data());
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        QVERIFY(std::memcmp(cpu.data(), gpu.data(), n * sizeof(float)) == 0);
    }

    // The budget is tight enough to catch a wrong scale: one group's scale of one row made
    // 1/16 larger (about 64 half-precision steps) must fail the check in that row. (Correct
    // kernels stay near 1e-7 on these shapes, about 2 roundings, under a budget of ~8e-6.)
    void matvecBudgetCatchesAWrongScale_data() {
        QTest::addColumn<bool>("vulkan");
        QTest::newRow("CPU") << false;
        QTest::newRow("Vulkan") << true;
    }
    void matvecBudgetCatchesAWrongScale() {
        QFETCH(bool, vulkan);
        if (vulkan && !m_vulkan) {
            QSKIP(m_skipReason.c_str());
        }
        core::ComputeBackend& backend = vulkan ? *m_vulkan : *m_cpu;
        test::PackedCase spec;
        spec.layout = core::PackedLayout::GptqV2;
        spec.bits = 4;
        spec.in = 1024;
        spec.out = 64;
        spec.groupSize = 128;
        spec.narrowScales = true;
        const auto layer = test::makePackedLayer(spec, 7);
        const auto x = test::randomVector(spec.in, 8);
        for (const int row : {0, 13, 63}) {
            for (const int group : {0, 5}) {
                auto wrong = layer;
                std::uint16_t& scale = wrong.gptq.scales[group * spec.out + row];
                scale = core::fp32ToFp16(core::fp16ToFp32(scale) * (1.0f + 1.0f / 16.0f));
                std::vector<float> y(static_cast<std::size_t>(spec.out));
                QVERIFY(backend.matvec(wrong.view(), x.data(), y.data()).ok());
                // Against the correct weights: only `row` differs, and it must fail.
                const auto e = core::measureMatvecRowError(layer.reference.data(), spec.out,
                                                           spec.in, x.data(), y.data());
                QCOMPARE(e.row, std::int64_t(row));
                QVERIFY2(e.worst > core::packedMatvecRowBudget(spec.in),
                         std::to_string(e.worst).c_str());
                qInfo("row %d, group %d: error %.3g = %.0f x the budget", row, group, e.worst,
                      e.worst / core::packedMatvecRowBudget(spec.in));
            }
        }
    }

    // Hostile shapes and arguments come back as errors from every entry point of both
    // backends, before anything is read.
    void hostileShapesAreRejected_data() {
        QTest::addColumn<bool>("vulkan");
        QTest::newRow("CPU") << false;
        QTest::newRow("Vulkan") << true;
    }
    void hostileShapesAreRejected() {
        QFETCH(bool, vulkan);
        if (vulkan && !m_vulkan) {
            QSKIP(m_skipReason.c_str());
        }
        core::ComputeBackend& backend = vulkan ? *m_vulkan : *m_cpu;
        test::PackedCase spec;
        spec.bits = 4;
        spec.in = 256;
        spec.out = 32;
        spec.groupSize = 64;
        const auto layer = test::makePackedLayer(spec, 9);
        std::vector<float> out(static_cast<std::size_t>(spec.in * spec.out) * 2);
        std::vector<std::uint16_t> half(out.size());
        std::vector<float> x(static_cast<std::size_t>(spec.in) * 2);
        std::vector<std::int32_t> badGIdx = layer.gptq.gIdx;

        auto expect = [&](core::PackedLinear w, core::ErrorCode code, const char* mentions,
                          const char* what) {
            const core::Status statuses[3] = {backend.dequantize(w, {0, 1}, out.data()),
                                              backend.dequantizeF16(w, {0, 1}, half.data()),
                                              backend.matvec(w, x.data(), out.data())};
            for (const core::Status& s : statuses) {
                QVERIFY2(!s.ok(), what);
                QVERIFY2(s.error().code == code,
                         (std::string(what) + ": " + s.error().message).c_str());
                QVERIFY2(s.error().message.find(mentions) != std::string::npos,
                         (std::string(what) + ": " + s.error().message).c_str());
            }
        };
        core::PackedLinear w = layer.view();
        w.in = 12; // 48 bits: not whole words of qweight
        expect(w, core::ErrorCode::InvalidArgument, "input features", "in not divisible");
        w = layer.view();
        w.bits = 3;
        w.out = 40; // 120 bits: not whole words of qzeros
        expect(w, core::ErrorCode::InvalidArgument, "output features", "out not divisible");
        badGIdx[5] = static_cast<std::int32_t>(layer.gptq.groups);
        w = layer.view();
        w.gIdx = badGIdx.data();
        expect(w, core::ErrorCode::InvalidArgument, "g_idx[5] = 4", "g_idx past the groups");
        badGIdx[5] = 0;
        badGIdx[200] = -1;
        w.gIdx = badGIdx.data();
        expect(w, core::ErrorCode::InvalidArgument, "g_idx[200] = -1", "negative g_idx");
        w = layer.view();
        w.gIdx = nullptr;
        w.groups = 3; // 256 columns in 3 contiguous groups
        expect(w, core::ErrorCode::InvalidArgument, "contiguous groups", "groups not dividing");
        w = layer.view();
        w.groups = 0;
        expect(w, core::ErrorCode::InvalidArgument, "groups", "no groups");
        w.groups = spec.in + 1;
        expect(w, core::ErrorCode::InvalidArgument, "groups", "more groups than columns");
        w = layer.view();
        w.bits = 5;
        expect(w, core::ErrorCode::Unsupported, "5-bit", "5 bits");
        w = layer.view();
        w.layout = core::PackedLayout::AwqGemm;
        w.bits = 3;
        expect(w, core::ErrorCode::Unsupported, "3-bit", "3-bit AWQ");
        w = layer.view();
        w.scales = nullptr;
        expect(w, core::ErrorCode::InvalidArgument, "null", "null scales");
        w = layer.view();
        w.out = -8;
        expect(w, core::ErrorCode::InvalidArgument, "positive", "negative out");

        w = layer.view();
        auto s = backend.dequantize(w, {spec.out - 1, 2}, out.data());
        QCOMPARE(s.error().code, core::ErrorCode::InvalidArgument);
        s = backend.dequantize(w, {-1, 1}, out.data());
        QCOMPARE(s.error().code, core::ErrorCode::InvalidArgument);
        s = backend.matvec(w, nullptr, out.data());
        QCOMPARE(s.error().code, core::ErrorCode::InvalidArgument);
    }
};

QTEST_APPLESS_MAIN(TestPackedKernels)
#include "tst_packed_kernels.moc"
