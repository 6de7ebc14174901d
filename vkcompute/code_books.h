#pragma once

#include "core/quant/ggml_type.h"

#include <cstdint>
#include <vector>

// Internal: the i-quant code books (core/quant/iq_grids.h) laid out in one device buffer, which
// every dequant and matvec dispatch binds as a texel buffer of words (binding 3 of dequant, 4 of
// matvec; kernel_table.h). The kernels index the book of their type; other types get a valid
// range they never read. The tables are core's, so CPU and GPU read the same facts.
namespace qs::vk {

struct CodeBookRange {
    std::uint64_t offset = 0;
    std::uint64_t bytes = 0;
};

class CodeBooks {
public:
    // Each book starts at a multiple of `alignment` (the device's texel offset alignment).
    explicit CodeBooks(std::uint64_t alignment);

    const std::vector<std::uint8_t>& bytes() const { return m_bytes; }
    // The book the kernels of `type` read; the first book for types without one.
    CodeBookRange range(core::GgmlType type) const;

private:
    struct Entry {
        core::GgmlType type;
        CodeBookRange range;
    };
    std::vector<std::uint8_t> m_bytes;
    std::vector<Entry> m_entries;
};

} // namespace qs::vk
