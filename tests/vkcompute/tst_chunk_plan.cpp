#include "vkcompute/chunk_plan.h"

#include <QTest>

using namespace qs::vk;

// The split of large tensors into bindings of at most maxStorageBufferRange, checked without
// a device: every value covered exactly once, every binding aligned and within limits.
class TestChunkPlan : public QObject {
    Q_OBJECT

private slots:
    void dequantChunksCoverEverythingWithinLimits_data() {
        QTest::addColumn<quint64>("elements");
        QTest::addColumn<quint32>("unitElems");
        QTest::addColumn<quint32>("unitBytes");
        QTest::addColumn<quint32>("outBytes");
        QTest::addColumn<quint64>("limit");
        QTest::newRow("Q4_0 small limit")
            << quint64(32 * 1000) << 32u << 18u << 4u << quint64(4096);
        QTest::newRow("Q6_K f16 out") << quint64(256 * 333) << 256u << 210u << 2u << quint64(8192);
        QTest::newRow("F16 odd tail") << quint64(12345) << 32u << 64u << 4u << quint64(1000);
        QTest::newRow("Q8_0 past 128 MiB")
            << quint64(64) * 1024 * 1024 << 32u << 34u << 4u << quint64(128) * 1024 * 1024;
    }

    void dequantChunksCoverEverythingWithinLimits() {
        QFETCH(quint64, elements);
        QFETCH(quint32, unitElems);
        QFETCH(quint32, unitBytes);
        QFETCH(quint32, outBytes);
        QFETCH(quint64, limit);
        const ChunkLimits limits{limit, 16};
        const std::uint64_t units = (elements + unitElems - 1) / unitElems;
        const std::uint64_t srcBuffer = units * unitBytes + 16;
        const std::uint64_t dstBuffer = units * unitElems * outBytes + 16;
        const auto chunks =
            planDequant(elements, unitElems, unitBytes, outBytes, srcBuffer, dstBuffer, limits);
        QVERIFY(!chunks.empty());
        std::uint64_t next = 0;
        for (const auto& c : chunks) {
            QCOMPARE(c.firstElement, next);
            QCOMPARE(c.firstElement % unitElems, std::uint64_t(0));
            next += c.elements;
            for (const Binding* b : {&c.src, &c.dst}) {
                QCOMPARE(b->offset % 16, std::uint64_t(0));
                QVERIFY(b->size <= limit);
                QVERIFY(b->inner < 16);
            }
            QVERIFY(c.src.offset + c.src.size <= srcBuffer);
            QVERIFY(c.dst.offset + c.dst.size <= dstBuffer);
            // The source binding holds every byte of the chunk's blocks.
            const std::uint64_t chunkUnits = (c.elements + unitElems - 1) / unitElems;
            QVERIFY(c.src.inner + chunkUnits * unitBytes <= c.src.size);
            QVERIFY(c.dst.inner + c.elements * outBytes <= c.dst.size);
        }
        QCOMPARE(next, elements);
    }

    void matvecChunksSplitRows() {
        const ChunkLimits limits{4096, 64};
        const std::uint64_t rows = 1000, rowBytes = 420; // Q6_K, 512 columns
        const auto chunks = planMatvec(rows, rowBytes, rows * rowBytes + 16, rows * 4 + 16, limits);
        QVERIFY(chunks.size() > 100);
        std::uint64_t next = 0;
        for (const auto& c : chunks) {
            QCOMPARE(c.firstRow, next);
            next += c.rows;
            QCOMPARE(c.src.offset % 64, std::uint64_t(0));
            QVERIFY(c.src.size <= 4096 && c.dst.size <= 4096);
            QVERIFY(c.src.inner + c.rows * rowBytes <= c.src.size);
        }
        QCOMPARE(next, rows);
        // A row larger than a binding cannot be split: no plan.
        QVERIFY(planMatvec(4, 8192, 4 * 8192, 32, limits).empty());
    }

    void gridGoesTwoDimensionalPast65535() {
        QCOMPARE(planGrid(100, 65535).x, 100u);
        QCOMPARE(planGrid(100, 65535).y, 1u);
        const Grid g = planGrid(70000, 65535);
        QCOMPARE(g.x, 65535u);
        QCOMPARE(g.y, 2u);
        QVERIFY(std::uint64_t(g.x) * g.y >= 70000);
        QCOMPARE(planGrid(26, 6).x, 6u);
        QCOMPARE(planGrid(26, 6).y, 5u);
        QCOMPARE(planGrid(26, 5).y, 0u); // 5 x 5 < 26: cannot dispatch
    }
};

QTEST_APPLESS_MAIN(TestChunkPlan)
#include "tst_chunk_plan.moc"
