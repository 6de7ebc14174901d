#include "core/quant/iq_grids.h"

#include <QTest>

#include <array>
#include <cstdint>

using namespace qs::core::quant;

namespace {

// FNV-1a 64 over the entries' bytes, little-endian (the order a reader's byte pointer sees).
template <std::size_t N>
std::uint64_t fnv1a64(const std::array<std::uint32_t, N>& table) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (const std::uint32_t entry : table) {
        for (int b = 0; b < 4; ++b) {
            h ^= (entry >> (8 * b)) & 0xff;
            h *= 0x100000001b3ull;
        }
    }
    return h;
}

// Level (0..7) of every byte of an entry under `levelOf`; -1 if a byte is not a valid level.
template <typename LevelOf>
int packedLevels(std::uint32_t entry, LevelOf levelOf) {
    int key = 0;
    for (int b = 0; b < 4; ++b) {
        const int level = levelOf(static_cast<int>((entry >> (8 * b)) & 0xff));
        if (level < 0) {
            return -1;
        }
        key |= level << (3 * b);
    }
    return key;
}

} // namespace

// The IQ3 code books are generated from ggml's compact tables (iq_grids_3bit.cpp). The expected
// checksums were computed once with a throwaway Python script from the text of ggml-common.h's
// iq3xxs_grid and iq3s_grid (llama.cpp ggml/src/ggml-common.h): parse the 0x........ literals in
// order, write each as 4 little-endian bytes, FNV-1a-64 the byte string.
class TstIq3Grids : public QObject {
    Q_OBJECT

private slots:
    void iq3xxsMatchesGgml() {
        const auto& grid = iqgrid::iq3xxs();
        QCOMPARE(fnv1a64(grid), 0xdfa5dc83d6a155d5ull);
        // Property: bytes are 4(2l+1) for levels 0..6 and 62 for level 7; entries are distinct
        // and ascending in their packed levels (ggml's kgrid_256 is sorted).
        auto levelOf = [](int byte) {
            if (byte == 62) {
                return 7;
            }
            return (byte % 8 == 4 && byte <= 52) ? byte / 8 : -1;
        };
        int previous = -1;
        for (const std::uint32_t entry : grid) {
            const int key = packedLevels(entry, levelOf);
            QVERIFY(key >= 0);
            QVERIFY(key > previous);
            previous = key;
        }
        QCOMPARE(grid.front(), 0x04040404u);
    }

    void iq3sMatchesGgml() {
        const auto& grid = iqgrid::iq3s();
        QCOMPARE(fnv1a64(grid), 0xfa37020c25b44829ull);
        // Property: bytes are the odd magnitudes 1..15; entries distinct and ascending.
        auto levelOf = [](int byte) {
            return (byte % 2 == 1 && byte <= 15) ? byte / 2 : -1;
        };
        int previous = -1;
        for (const std::uint32_t entry : grid) {
            const int key = packedLevels(entry, levelOf);
            QVERIFY(key >= 0);
            QVERIFY(key > previous);
            previous = key;
        }
        QCOMPARE(grid.front(), 0x01010101u);
        QCOMPARE(grid.back(), 0x0f0f0101u);
    }
};

QTEST_APPLESS_MAIN(TstIq3Grids)
#include "tst_iq3_grids.moc"
