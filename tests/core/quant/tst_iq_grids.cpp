#include "core/quant/iq_grids.h"

#include <QTest>

#include <bit>
#include <cstdint>
#include <cstring>
#include <set>
#include <span>

using namespace qs::core::quant;

namespace {

// FNV-1a, 64-bit, over the table's bytes as they lie in memory (little-endian entries).
std::uint64_t fnv1a64(const void* data, std::size_t size) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

// Each entry is 8 bytes from a 3-value set; read as 2-bit levels (coordinate k at bits 2k),
// the entries rise strictly, as ggml's compact tables (kgrid_*) do.
template <std::size_t N>
void checkGrid(const std::array<std::uint64_t, N>& grid, const std::uint8_t (&levelBytes)[3]) {
    int previousKey = -1;
    for (std::size_t i = 0; i < N; ++i) {
        int key = 0;
        for (int k = 0; k < 8; ++k) {
            const auto b = static_cast<std::uint8_t>(grid[i] >> (8 * k));
            int level = -1;
            for (int l = 0; l < 3; ++l) {
                level = b == levelBytes[l] ? l : level;
            }
            QVERIFY2(level >= 0, qPrintable(QString("entry %1 byte %2").arg(i).arg(k)));
            key |= level << (2 * k);
        }
        QVERIFY2(key > previousKey, qPrintable(QString("entry %1 out of order").arg(i)));
        previousKey = key;
    }
}

constexpr std::uint8_t kMagnitudes[3] = {0x08, 0x19, 0x2b};
constexpr std::uint8_t kTernary[3] = {0xff, 0x00, 0x01};

} // namespace

// The code books generated from ggml's compact grids equal ggml-common.h's tables.
//
// Expected checksums: FNV-1a-64 of the tables as computed by a throwaway script from llama.cpp's
// gguf-py/gguf/quants.py, whose grid_hex strings are ggml-common.h's grids in packed form
// (2 bits per value, expanded through grid_map 0x08/0x19/0x2b or -1/0/+1 exactly as gguf-py
// does), transcribed independently of the decimal kgrid_* tables in iq_grids_2bit.cpp (the two
// transcriptions agree entry for entry); ksigns from quants.py's IQ2_XXS.ksigns bytes. The spot
// entries are copied from ggml-common.h.
class TestIqGrids : public QObject {
    Q_OBJECT

private slots:
    void iq2xxs() {
        const auto& g = iqgrid::iq2xxs();
        checkGrid(g, kMagnitudes);
        QCOMPARE(g[0], 0x0808080808080808ull);
        QCOMPARE(g[1], 0x080808080808082bull);
        QCOMPARE(g[254], 0x2b2b2b0819190808ull);
        QCOMPARE(g[255], 0x2b2b2b1908081908ull);
        QCOMPARE(fnv1a64(g.data(), sizeof(g)), 0xbb4ee025b5ac6e8eull);
    }

    void iq2xs() {
        const auto& g = iqgrid::iq2xs();
        checkGrid(g, kMagnitudes);
        QCOMPARE(g[511], 0x2b2b2b2b2b2b2b2bull);
        QCOMPARE(fnv1a64(g.data(), sizeof(g)), 0xc9b1ee61e79909bdull);
    }

    void iq2s() {
        const auto& g = iqgrid::iq2s();
        checkGrid(g, kMagnitudes);
        QCOMPARE(g[1023], 0x2b2b2b2b2b2b2b2bull);
        QCOMPARE(fnv1a64(g.data(), sizeof(g)), 0x123edd38a3b62b90ull);
    }

    void iq1s() {
        const auto& g = iqgrid::iq1s();
        checkGrid(g, kTernary);
        QCOMPARE(g[0], 0xffffffffffffffffull);
        QCOMPARE(g[1], 0xffffffffffffff01ull);
        QCOMPARE(g[2047], 0x0101010101010101ull);
        QCOMPARE(fnv1a64(g.data(), sizeof(g)), 0x6703ed863501ae2eull);
    }

    // 7 stored sign bits and a parity bit that makes the count of negatives even.
    void ksigns() {
        const auto& s = iqgrid::ksigns();
        for (unsigned i = 0; i < s.size(); ++i) {
            QCOMPARE(s[i] & 127u, i);
            QCOMPARE(std::popcount(static_cast<unsigned>(s[i])) % 2, 0);
        }
        QCOMPARE(s[1], std::uint8_t{129});
        QCOMPARE(fnv1a64(s.data(), sizeof(s)), 0xf19ba8f8c3292ba5ull);
    }

    void deltas() {
        QCOMPARE(iqgrid::kIq1sDelta, 0.125f);
        QCOMPARE(iqgrid::kIq1mDelta, 0.125f);
    }
};

QTEST_APPLESS_MAIN(TestIqGrids)
#include "tst_iq_grids.moc"
