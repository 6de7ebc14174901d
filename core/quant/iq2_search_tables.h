#pragma once

#include <cstdint>
#include <vector>

// Internal: the search tables of ggml's 8-wide i-quant quantizers (iq2xs_init_impl), built once
// per code book from iq_grids.h and shared by all threads.
//
// A candidate group is 8 levels l in {0, 1, 2}, keyed as sum(l_k << 2k). The quantizers look the
// key up in `map`: a code book point gives its index; any other key gives the list of code book
// points nearest to it (in the odd-integer coordinates 2l+1, squared distance), which the
// quantizer then searches with its own weighted error.
namespace qs::core::quant::iqsearch {

enum class CodeBook {
    IQ2XXS, // 256 points, neighbours at the 2 nearest distances
    IQ2XS,  // 512 points, 2 nearest distances
    IQ2S,   // 1024 points, the nearest distance only
    IQ1,    // 2048 points (IQ1_S and IQ1_M), 3 nearest distances
};

struct SearchTables {
    // Each point as 8 signed bytes 2l+1 (1, 3 or 5), coordinate k in byte k.
    std::vector<std::uint64_t> grid;
    // key -> point index (>= 0), or -(offset + 1) of its neighbour list in `neighbours`.
    std::vector<std::int32_t> map;
    // Neighbour lists: a count, then that many point indices in order of (distance, index).
    std::vector<std::uint16_t> neighbours;

    // The neighbour list of a key that is not a point: count first.
    const std::uint16_t* neighboursOf(int mapValue) const {
        return neighbours.data() + (-mapValue - 1);
    }
};

// Built on first use (thread-safe); lives for the rest of the program.
const SearchTables& searchTables(CodeBook book);

// Coordinate k of a search-grid point (1, 3 or 5).
inline int gridCoordinate(std::uint64_t point, int k) {
    return static_cast<int>((point >> (8 * k)) & 0xff);
}

} // namespace qs::core::quant::iqsearch
