#include "vkcompute/packed_chunk_plan.h"

#include <QTest>

using namespace qs::vk;

// The split of packed GPTQ/AWQ layers into data chunks and dispatches, checked without a
// device: every requested output computed exactly once, chunks of whole granules, every
// binding aligned and within the limit, sections of the source buffer disjoint.
class TestPackedChunkPlan : public QObject {
    Q_OBJECT

private slots:
    void chunksCoverTheRangeWithinLimits_data() {
        QTest::addColumn<quint64>("in");
        QTest::addColumn<quint64>("out");
        QTest::addColumn<quint64>("groups");
        QTest::addColumn<quint32>("bits");
        QTest::addColumn<quint64>("granule");
        QTest::addColumn<quint64>("first");
        QTest::addColumn<quint64>("count");
        QTest::addColumn<quint64>("dstPerOutput");
        QTest::addColumn<quint64>("limit");
        QTest::newRow("gptq4 dequant, 4 KiB")
            << quint64(512) << quint64(72) << quint64(4) << 4u << quint64(8) << quint64(0)
            << quint64(72) << quint64(512 * 4) << quint64(4096);
        QTest::newRow("gptq3 range, 4 KiB")
            << quint64(320) << quint64(96) << quint64(10) << 3u << quint64(32) << quint64(37)
            << quint64(40) << quint64(320 * 2) << quint64(4096);
        QTest::newRow("gptq8 matvec, 1 KiB")
            << quint64(200) << quint64(52) << quint64(5) << 8u << quint64(4) << quint64(0)
            << quint64(52) << quint64(4) << quint64(1024);
        QTest::newRow("awq4 range, whole limit")
            << quint64(4096) << quint64(14336) << quint64(32) << 4u << quint64(8) << quint64(5)
            << quint64(9000) << quint64(4096 * 4) << (quint64(128) << 20);
        QTest::newRow("lm_head 4-bit past 128 MiB")
            << quint64(4096) << quint64(128256) << quint64(32) << 4u << quint64(8) << quint64(0)
            << quint64(128256) << quint64(4) << (quint64(128) << 20);
    }

    void chunksCoverTheRangeWithinLimits() {
        QFETCH(quint64, in);
        QFETCH(quint64, out);
        QFETCH(quint64, groups);
        QFETCH(quint32, bits);
        QFETCH(quint64, granule);
        QFETCH(quint64, first);
        QFETCH(quint64, count);
        QFETCH(quint64, dstPerOutput);
        QFETCH(quint64, limit);
        const ChunkLimits limits{limit, 16};
        PackedShape shape{in, out, groups, bits, granule, (in + 31) / 32};
        auto plan = planPacked(shape, first, count, dstPerOutput, 1000, limits);
        QVERIFY2(plan.ok(), plan.ok() ? "" : plan.error().message.c_str());

        std::uint64_t next = first / granule * granule;
        std::uint64_t cursor = 0;
        auto checkSection = [&](const Binding& b, std::uint64_t bytes) {
            QCOMPARE(b.inner, std::uint64_t(0));
            QCOMPARE(b.offset % limits.offsetAlignment, std::uint64_t(0));
            QVERIFY(b.offset >= cursor); // sections in order, disjoint
            QVERIFY(b.size >= bytes + kBindingTailBytes);
            QVERIFY(b.size <= limit);
            QCOMPARE(b.size % 16, std::uint64_t(0));
            cursor = b.offset + b.size;
        };
        for (const PackedDataChunk& c : plan->chunks) {
            QCOMPARE(c.firstOutput, next);
            QVERIFY(c.outputs % granule == 0 || c.firstOutput + c.outputs == out);
            checkSection(c.qweight, c.outputs * in * bits / 8);
            checkSection(c.qzeros, c.outputs * groups * bits / 8);
            checkSection(c.scales, c.outputs * groups * 2);
            next += c.outputs;
        }
        QVERIFY(next >= first + count);
        QVERIFY(next - granule < first + count); // no chunk past the range
        checkSection(plan->groupTable, shape.groupEntries * 4);
        QCOMPARE(plan->srcBytes, cursor);

        std::uint64_t nextOutput = first;
        for (const PackedDispatch& d : plan->dispatches) {
            const PackedDataChunk& c = plan->chunks[d.chunk];
            QCOMPARE(d.firstOutput, nextOutput);
            QVERIFY(d.outputs > 0 && d.outputs <= 1000);
            QVERIFY(d.firstOutput >= c.firstOutput);
            QVERIFY(d.firstOutput + d.outputs <= c.firstOutput + c.outputs);
            QCOMPARE(d.dst.offset + d.dst.inner, (d.firstOutput - first) * dstPerOutput);
            QVERIFY(d.dst.inner + d.outputs * dstPerOutput <= d.dst.size);
            QVERIFY(d.dst.size <= limit);
            QVERIFY(d.dst.offset + d.dst.size <= plan->dstBytes);
            nextOutput += d.outputs;
        }
        QCOMPARE(nextOutput, first + count);
    }

    void whatCannotFitIsUnsupported() {
        const ChunkLimits limits{4096, 16};
        // One granule of 32 3-bit outputs of 4096 columns is 48 KiB of qweight.
        auto plan = planPacked({4096, 64, 32, 3, 32, 128}, 0, 64, 4, 1000, limits);
        QVERIFY(!plan.ok());
        QCOMPARE(plan.error().code, qs::core::ErrorCode::Unsupported);
        // A dequantized row of 2048 floats is 8 KiB.
        plan = planPacked({2048, 8, 1, 4, 8, 64}, 0, 8, 2048 * 4, 1000, limits);
        QVERIFY(!plan.ok());
        // A group table of 2048 entries is 8 KiB.
        plan = planPacked({256, 16, 1, 2, 16, 2048}, 0, 16, 4, 1000, limits);
        QVERIFY(!plan.ok());
    }
};

QTEST_APPLESS_MAIN(TestPackedChunkPlan)
#include "tst_packed_chunk_plan.moc"
