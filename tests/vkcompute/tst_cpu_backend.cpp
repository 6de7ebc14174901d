#include "backend_test_data.h"

#include "core/compute/compute_backend.h"
#include "core/quant/format_registry.h"
#include "core/quant/half.h"

#include <QTest>

using namespace qs;

// The CPU ComputeBackend: threads over rows must not change any value.
class TestCpuBackend : public QObject {
    Q_OBJECT

private slots:
    void matchesRegistry_data() {
        QTest::addColumn<int>("type");
        for (const auto& f : core::allQuantFormats()) {
            if (f.cpuQuantize && f.cpuDequantize) {
                QTest::newRow(std::string(f.info().name).c_str()) << static_cast<int>(f.type);
            }
        }
    }

    void matchesRegistry() {
        QFETCH(int, type);
        const auto t = static_cast<core::GgmlType>(type);
        const auto m = test::makeQuantized(t, 67, 512, 11);
        const auto ref = test::cpuDequantized(m);
        auto cpu = core::makeCpuBackend(3);
        QVERIFY(cpu->supports(t));

        std::vector<float> out(ref.size());
        QVERIFY(cpu->dequantize(m.view(), {0, m.nRows}, out.data()).ok());
        const std::string diff = test::firstBitDifference(out.data(), ref.data(), ref.size());
        QVERIFY2(diff.empty(), diff.c_str());

        std::vector<std::uint16_t> half(3 * 512);
        QVERIFY(cpu->dequantizeF16(m.view(), {5, 3}, half.data()).ok());
        for (std::size_t i = 0; i < half.size(); ++i) {
            QCOMPARE(half[i], core::fp32ToFp16(ref[5 * 512 + i]));
        }

        const auto x = test::randomVector(512, 5);
        std::vector<float> y(67);
        QVERIFY(cpu->matvec(m.view(), x.data(), y.data()).ok());
        const double err = test::nmse(y, test::referenceMatvec(ref, 67, 512, x));
        QVERIFY2(err < test::kMatvecNmseBudget, std::to_string(err).c_str());
    }

    void rejectsBadShapes() {
        auto cpu = core::makeCpuBackend(1);
        std::vector<std::uint8_t> bytes(18 * 4);
        std::vector<float> out(128);
        auto s = cpu->dequantize({core::GgmlType::Q4_0, bytes.data(), 1, 100}, {0, 1}, out.data());
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, core::ErrorCode::InvalidArgument);
        s = cpu->dequantize({core::GgmlType::Q4_0, bytes.data(), 2, 64}, {1, 2}, out.data());
        QCOMPARE(s.error().code, core::ErrorCode::InvalidArgument);
    }
};

QTEST_APPLESS_MAIN(TestCpuBackend)
#include "tst_cpu_backend.moc"
