#include "backend_test_data.h"

#include "core/quant/format_registry.h"
#include "core/quant/half.h"
#include "vkcompute/device_info.h"
#include "vkcompute/vulkan_backend.h"

#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>

using namespace qs;

// Every Vulkan kernel against the CPU oracle (core/quant dequantizeRow): dequantization bit
// for bit, matvec by normalised error (budget in backend_test_data.h). Runs on lavapipe in CI.
class TestVkKernels : public QObject {
    Q_OBJECT

    std::unique_ptr<vk::VulkanBackend> m_backend;
    std::unique_ptr<vk::VulkanBackend> m_wordStores; // forceWordStores, made on first use
    QTemporaryDir m_cacheDir;
    std::string m_skipReason;

    static void addFormatRows() {
        QTest::addColumn<int>("type");
        // Every format the CPU makes has Vulkan kernels.
        for (const auto& f : core::allQuantFormats()) {
            if (f.cpuQuantize && f.cpuDequantize) {
                QTest::newRow(std::string(f.info().name).c_str()) << static_cast<int>(f.type);
            }
        }
    }

    // Values compared bit for bit; plain types with odd shapes, the others in whole blocks.
    void checkDequant(vk::VulkanBackend& backend, const test::QuantizedMatrix& m) {
        const auto ref = test::cpuDequantized(m);
        std::vector<float> out(ref.size(), -1.0f);
        auto s = backend.dequantize(m.view(), {0, m.nRows}, out.data());
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        std::string diff = test::firstBitDifference(out.data(), ref.data(), ref.size());
        QVERIFY2(diff.empty(), ("f32, all rows: " + diff).c_str());

        // A range starting mid-matrix.
        const std::int64_t first = m.nRows / 3, count = m.nRows - first - 1;
        std::vector<float> part(static_cast<std::size_t>(count * m.nCols));
        s = backend.dequantize(m.view(), {first, count}, part.data());
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        diff = test::firstBitDifference(part.data(), ref.data() + first * m.nCols, part.size());
        QVERIFY2(diff.empty(), ("f32, row range: " + diff).c_str());

        std::vector<std::uint16_t> half(ref.size());
        s = backend.dequantizeF16(m.view(), {0, m.nRows}, half.data());
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        for (std::size_t i = 0; i < half.size(); ++i) {
            if (half[i] != core::fp32ToFp16(ref[i])) {
                QFAIL(("f16 mismatch at " + std::to_string(i)).c_str());
            }
        }
    }

    void checkMatvec(vk::VulkanBackend& backend, const test::QuantizedMatrix& m) {
        const auto ref = test::cpuDequantized(m);
        const auto x = test::randomVector(m.nCols, 99);
        std::vector<float> y(static_cast<std::size_t>(m.nRows));
        auto s = backend.matvec(m.view(), x.data(), y.data());
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        const double err = test::nmse(y, test::referenceMatvec(ref, m.nRows, m.nCols, x));
        QVERIFY2(err < test::kMatvecNmseBudget, ("NMSE " + std::to_string(err)).c_str());
    }

private slots:
    void initTestCase() {
        QVERIFY(m_cacheDir.isValid());
        // The pipeline cache goes to $XDG_CACHE_HOME/quantscope: keep it out of the user's.
        qputenv("XDG_CACHE_HOME", QFile::encodeName(m_cacheDir.path()));
        auto devices = vk::enumerateDevices();
        if (!devices || devices->empty()) {
            m_skipReason = "no Vulkan device (install mesa-vulkan-drivers for lavapipe): " +
                           (devices ? std::string("none listed") : devices.error().message);
            return;
        }
        auto backend = vk::VulkanBackend::create();
        QVERIFY2(backend.ok(), backend.ok() ? "" : backend.error().message.c_str());
        m_backend = std::move(*backend);
        qInfo("device: %s", m_backend->name().c_str());
    }

    void dequantizeIsBitExact_data() { addFormatRows(); }
    void dequantizeIsBitExact() {
        if (!m_backend) {
            QSKIP(m_skipReason.c_str());
        }
        QFETCH(int, type);
        // 7 x 512: 112 groups of 32, not a multiple of the 64-invocation workgroup.
        checkDequant(*m_backend, test::makeQuantized(static_cast<core::GgmlType>(type), 7, 512, 1));
    }

    // The dequant variant that stores 32-bit words (devices without shaderInt64); lavapipe
    // would pick the 64-bit stores. Odd shapes for plain types take the partial-group path.
    void dequantizeWithWordStores_data() { addFormatRows(); }
    void dequantizeWithWordStores() {
        if (!m_backend) {
            QSKIP(m_skipReason.c_str());
        }
        QFETCH(int, type);
        if (!m_wordStores) {
            vk::VulkanBackendOptions options;
            options.forceWordStores = true;
            options.persistPipelineCache = false;
            auto backend = vk::VulkanBackend::create(options);
            QVERIFY2(backend.ok(), backend.ok() ? "" : backend.error().message.c_str());
            m_wordStores = std::move(*backend);
        }
        const auto t = static_cast<core::GgmlType>(type);
        const bool plain = core::ggmlTypeInfo(t).blockSize == 1;
        checkDequant(*m_wordStores, test::makeQuantized(t, 7, plain ? 101 : 512, 9));
    }

    void matvecWithinBudget_data() { addFormatRows(); }
    void matvecWithinBudget() {
        if (!m_backend) {
            QSKIP(m_skipReason.c_str());
        }
        QFETCH(int, type);
        checkMatvec(*m_backend,
                    test::makeQuantized(static_cast<core::GgmlType>(type), 37, 1024, 2));
    }

    // Plain types have no blocks: lengths that are not a multiple of 32 take the tail paths.
    void plainTypesWithOddShapes_data() {
        QTest::addColumn<int>("type");
        QTest::newRow("F32") << static_cast<int>(core::GgmlType::F32);
        QTest::newRow("F16") << static_cast<int>(core::GgmlType::F16);
        QTest::newRow("BF16") << static_cast<int>(core::GgmlType::BF16);
    }
    void plainTypesWithOddShapes() {
        if (!m_backend) {
            QSKIP(m_skipReason.c_str());
        }
        QFETCH(int, type);
        const auto m = test::makeQuantized(static_cast<core::GgmlType>(type), 5, 101, 3);
        checkDequant(*m_backend, m);
        checkMatvec(*m_backend, m);
    }

    // Bindings limited to 4 KiB and grids to 4 x 4 workgroups: the same splitting that
    // tensors over maxStorageBufferRange (128 MiB on lavapipe) and grids past 65535 need.
    void chunkedBindingsAndTwoDimensionalGrids_data() {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("cols");
        for (auto t : {core::GgmlType::Q4_0, core::GgmlType::Q8_0, core::GgmlType::Q6_K,
                       core::GgmlType::Q3_K, core::GgmlType::IQ4_XS, core::GgmlType::TQ1_0,
                       core::GgmlType::MXFP4}) {
            QTest::newRow(std::string(core::ggmlTypeInfo(t).name).c_str())
                << static_cast<int>(t) << 512;
        }
        QTest::newRow("F16 odd") << static_cast<int>(core::GgmlType::F16) << 101;
        QTest::newRow("F32") << static_cast<int>(core::GgmlType::F32) << 256;
    }
    void chunkedBindingsAndTwoDimensionalGrids() {
        if (!m_backend) {
            QSKIP(m_skipReason.c_str());
        }
        QFETCH(int, type);
        QFETCH(int, cols);
        vk::VulkanBackendOptions options;
        options.maxBindingBytes = 4096;
        options.maxWorkgroupsPerDim = 4;
        options.persistPipelineCache = false;
        auto small = vk::VulkanBackend::create(options);
        QVERIFY2(small.ok(), small.ok() ? "" : small.error().message.c_str());
        const auto m = test::makeQuantized(static_cast<core::GgmlType>(type), 61, cols, 4);
        checkDequant(**small, m);
        checkMatvec(**small, m);
    }

    // The matvec shapes GPUs use (workgroup per row; subgroup or shared-memory reduction),
    // which lavapipe would not pick by itself.
    void matvecGpuVariants_data() {
        QTest::addColumn<int>("type");
        QTest::addColumn<bool>("sharedReduction");
        for (auto t : {core::GgmlType::Q4_0, core::GgmlType::Q5_1, core::GgmlType::Q4_K,
                       core::GgmlType::Q6_K, core::GgmlType::TQ1_0, core::GgmlType::F16}) {
            const std::string name(core::ggmlTypeInfo(t).name);
            QTest::newRow((name + " subgroup").c_str()) << static_cast<int>(t) << false;
            QTest::newRow((name + " shared").c_str()) << static_cast<int>(t) << true;
        }
    }
    void matvecGpuVariants() {
        if (!m_backend) {
            QSKIP(m_skipReason.c_str());
        }
        QFETCH(int, type);
        QFETCH(bool, sharedReduction);
        vk::VulkanBackendOptions options;
        options.forceWorkgroupPerRow = true;
        options.forceSharedMemoryReduction = sharedReduction;
        options.persistPipelineCache = false;
        auto gpuShaped = vk::VulkanBackend::create(options);
        QVERIFY2(gpuShaped.ok(), gpuShaped.ok() ? "" : gpuShaped.error().message.c_str());
        const auto t = static_cast<core::GgmlType>(type);
        checkMatvec(**gpuShaped,
                    test::makeQuantized(t, 29, t == core::GgmlType::F16 ? 100 : 2048, 8));
    }

    // 70000 rows: a 2D grid in the workgroup-per-row shape (limit 65535 per dimension).
    void matvecPast65535Workgroups() {
        if (!m_backend) {
            QSKIP(m_skipReason.c_str());
        }
        checkMatvec(*m_backend, test::makeQuantized(core::GgmlType::Q8_0, 70000, 32, 5));
        vk::VulkanBackendOptions options;
        options.forceWorkgroupPerRow = true;
        options.persistPipelineCache = false;
        auto gpuShaped = vk::VulkanBackend::create(options);
        QVERIFY(gpuShaped.ok());
        checkMatvec(**gpuShaped, test::makeQuantized(core::GgmlType::Q8_0, 70000, 32, 5));
    }

    // A real tensor over 128 MiB (F32, 4160 x 8192 = 136 MB), bound in chunks on lavapipe.
    void dequantizeTensorOver128MiB() {
        if (!m_backend) {
            QSKIP(m_skipReason.c_str());
        }
        QElapsedTimer timer;
        timer.start();
        const std::int64_t rows = 4160, cols = 8192;
        std::vector<float> weights(static_cast<std::size_t>(rows * cols));
        for (std::size_t i = 0; i < weights.size(); ++i) {
            weights[i] = static_cast<float>(i % 100003) * 0.5f - 7.0f;
        }
        QVERIFY(weights.size() * sizeof(float) > (std::size_t(128) << 20));
        std::vector<float> out(weights.size());
        auto s = m_backend->dequantize({core::GgmlType::F32, weights.data(), rows, cols}, {0, rows},
                                       out.data());
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        QVERIFY(std::memcmp(out.data(), weights.data(), weights.size() * sizeof(float)) == 0);
        qInfo("136 MB F32 tensor: %lld ms", static_cast<long long>(timer.elapsed()));
    }

    void errorsAreReturned() {
        if (!m_backend) {
            QSKIP(m_skipReason.c_str());
        }
        std::vector<std::uint8_t> bytes(1024);
        std::vector<float> out(1024);
        auto s =
            m_backend->dequantize({core::GgmlType::Q4_0, bytes.data(), 1, 100}, {0, 1}, out.data());
        QCOMPARE(s.error().code, core::ErrorCode::InvalidArgument);
        QVERIFY(!m_backend->supports(core::GgmlType::Q8_K));
        s = m_backend->dequantize({core::GgmlType::Q8_K, bytes.data(), 1, 256}, {0, 1}, out.data());
        QCOMPARE(s.error().code, core::ErrorCode::Unsupported);

        vk::VulkanBackendOptions options;
        options.deviceIndex = 999;
        auto none = vk::VulkanBackend::create(options);
        QVERIFY(!none.ok());
        QCOMPARE(none.error().code, core::ErrorCode::InvalidArgument);
    }

    void pipelineCacheIsPersisted() {
        if (!m_backend) {
            QSKIP(m_skipReason.c_str());
        }
        m_wordStores.reset();
        m_backend.reset(); // saves the cache
        const QDir dir(m_cacheDir.path() + "/quantscope");
        const QStringList files = dir.entryList({"vk-pipelines-*.bin"}, QDir::Files);
        QCOMPARE(files.size(), 1);
        QVERIFY(QFileInfo(dir.filePath(files.first())).size() > 0);
        // A second backend starts from it and still computes correctly.
        auto again = vk::VulkanBackend::create();
        QVERIFY(again.ok());
        checkDequant(**again, test::makeQuantized(core::GgmlType::Q4_K, 3, 256, 6));
    }
};

QTEST_APPLESS_MAIN(TestVkKernels)
#include "tst_vk_kernels.moc"
