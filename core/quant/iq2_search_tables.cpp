#include "core/quant/iq2_search_tables.h"

#include "core/quant/iq_grids.h"

#include <array>
#include <span>

namespace qs::core::quant::iqsearch {
namespace {

// Keys are 16-bit words of 2-bit fields; ggml sizes the map to just past the largest point key
// (0xAAAA, all levels 2).
constexpr int kMapSize = 43692;

// The level (0, 1, 2) of code book byte b: magnitudes 0x08, 0x19, 0x2b or ternary -1, 0, +1.
int levelOf(std::uint8_t b, bool ternary) {
    if (ternary) {
        return static_cast<std::int8_t>(b) + 1;
    }
    return b == 0x08 ? 0 : (b == 0x19 ? 1 : 2);
}

SearchTables build(std::span<const std::uint64_t> codeBook, bool ternary, int distancesWanted) {
    const int gridSize = static_cast<int>(codeBook.size());
    SearchTables t;
    t.grid.resize(codeBook.size());
    t.map.assign(kMapSize, -1);
    for (int i = 0; i < gridSize; ++i) {
        std::uint64_t point = 0;
        int key = 0;
        for (int k = 0; k < 8; ++k) {
            const int level = levelOf(static_cast<std::uint8_t>(codeBook[i] >> (8 * k)), ternary);
            point |= static_cast<std::uint64_t>(2 * level + 1) << (8 * k);
            key |= level << (2 * k);
        }
        t.grid[i] = point;
        t.map[key] = i;
    }

    // Neighbour lists, in ggml's order: sorted by (squared distance, index), keeping every point
    // at the `distancesWanted` smallest distinct distances. Distances are at most 8 * 4^2, so a
    // bucket per distance replaces the sort. Keys with a field of 3 never occur in a search
    // (levels are clamped to 0..2), so they get no list.
    constexpr int kMaxDistance = 8 * 16;
    std::vector<std::vector<std::uint16_t>> buckets(kMaxDistance + 1);
    for (int key = 0; key < kMapSize; ++key) {
        if (t.map[key] >= 0) {
            continue;
        }
        int pos[8];
        bool valid = true;
        for (int k = 0; k < 8; ++k) {
            const int level = (key >> (2 * k)) & 3;
            valid = valid && level < 3;
            pos[k] = 2 * level + 1;
        }
        if (!valid) {
            continue;
        }
        for (auto& b : buckets) {
            b.clear();
        }
        for (int j = 0; j < gridSize; ++j) {
            int d2 = 0;
            for (int k = 0; k < 8; ++k) {
                const int diff = gridCoordinate(t.grid[j], k) - pos[k];
                d2 += diff * diff;
            }
            buckets[d2].push_back(static_cast<std::uint16_t>(j));
        }
        const auto offset = static_cast<std::int32_t>(t.neighbours.size());
        t.map[key] = -(offset + 1);
        t.neighbours.push_back(0);
        int distances = 0;
        for (const auto& b : buckets) {
            if (b.empty()) {
                continue;
            }
            t.neighbours.insert(t.neighbours.end(), b.begin(), b.end());
            if (++distances == distancesWanted) {
                break;
            }
        }
        t.neighbours[offset] = static_cast<std::uint16_t>(t.neighbours.size() - offset - 1);
    }
    return t;
}

} // namespace

const SearchTables& searchTables(CodeBook book) {
    switch (book) {
    case CodeBook::IQ2XXS: {
        static const SearchTables t = build(iqgrid::iq2xxs(), false, 2);
        return t;
    }
    case CodeBook::IQ2XS: {
        static const SearchTables t = build(iqgrid::iq2xs(), false, 2);
        return t;
    }
    case CodeBook::IQ2S: {
        static const SearchTables t = build(iqgrid::iq2s(), false, 1);
        return t;
    }
    case CodeBook::IQ1:
        break;
    }
    static const SearchTables t = build(iqgrid::iq1s(), true, 3);
    return t;
}

} // namespace qs::core::quant::iqsearch
