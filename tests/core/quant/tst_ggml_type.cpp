#include "core/quant/ggml_type.h"

#include <QTest>

#include <set>

using namespace qs::core;

class TestGgmlType : public QObject {
    Q_OBJECT

private slots:
    void tableIsSortedAndUnique() {
        std::set<std::uint32_t> ids;
        std::uint32_t previous = 0;
        bool first = true;
        for (const auto& t : allGgmlTypes()) {
            const auto id = static_cast<std::uint32_t>(t.type);
            QVERIFY(ids.insert(id).second);
            QVERIFY(first || id > previous);
            previous = id;
            first = false;
            QVERIFY(t.blockSize > 0 && t.bytesPerBlock > 0);
            QCOMPARE(ggmlTypeInfo(id), &t);
            QCOMPARE(ggmlTypeByName(t.name), &t);
        }
    }

    void removedIdsAreUnknown() {
        for (std::uint32_t id : {4u, 5u, 31u, 32u, 33u, 36u, 37u, 38u, 1000u}) {
            QVERIFY(ggmlTypeInfo(id) == nullptr);
        }
    }

    // Bits per weight as llama.cpp documents them.
    void bitsPerWeight_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<double>("bpw");
        QTest::newRow("Q4_0") << "Q4_0" << 4.5;
        QTest::newRow("Q8_0") << "q8_0" << 8.5;
        QTest::newRow("Q2_K") << "Q2_K" << 2.625;
        QTest::newRow("Q3_K") << "Q3_K" << 3.4375;
        QTest::newRow("Q4_K") << "Q4_K" << 4.5;
        QTest::newRow("Q6_K") << "Q6_K" << 6.5625;
        QTest::newRow("IQ4_XS") << "IQ4_XS" << 4.25;
        QTest::newRow("TQ1_0") << "TQ1_0" << 1.6875;
        QTest::newRow("MXFP4") << "mxfp4" << 4.25;
        QTest::newRow("BF16") << "BF16" << 16.0;
    }
    void bitsPerWeight() {
        QFETCH(QString, name);
        QFETCH(double, bpw);
        const auto* info = ggmlTypeByName(name.toStdString());
        QVERIFY(info);
        QCOMPARE(info->bitsPerWeight(), bpw);
    }

    void rowBytesNeedWholeBlocks() {
        QCOMPARE(ggmlRowBytes(GgmlType::Q4_K, 512).value(), std::uint64_t(288));
        QVERIFY(!ggmlRowBytes(GgmlType::Q4_K, 64).has_value());
        QCOMPARE(ggmlRowBytes(GgmlType::F32, 172).value(), std::uint64_t(688));
        // A count whose bytes wrap around 64 bits (found by fuzz_imatrix: 2^62 + 8 F32 values
        // came out as 32 bytes, and a reader then sized a vector from the count).
        QVERIFY(!ggmlRowBytes(GgmlType::F32, (std::uint64_t{1} << 62) + 8).has_value());
        QVERIFY(!ggmlRowBytes(GgmlType::Q8_0, UINT64_MAX / 32 * 32).has_value());
    }
};

QTEST_APPLESS_MAIN(TestGgmlType)
#include "tst_ggml_type.moc"
