#include "vkcompute/code_books.h"

#include "core/quant/iq_grids.h"

#include <cstring>

namespace qs::vk {
namespace {

namespace grid = core::quant::iqgrid;

std::uint64_t roundUp(std::uint64_t n, std::uint64_t multiple) {
    return (n + multiple - 1) / multiple * multiple;
}

} // namespace

CodeBooks::CodeBooks(std::uint64_t alignment) {
    // Entries are little-endian words in memory already: byte k of an entry is byte k of the
    // book, as the shaders read it.
    auto add = [&](std::initializer_list<core::GgmlType> types, const void* data,
                   std::size_t bytes) {
        const std::uint64_t offset = roundUp(m_bytes.size(), alignment);
        m_bytes.resize(offset + bytes);
        std::memcpy(m_bytes.data() + offset, data, bytes);
        for (core::GgmlType type : types) {
            m_entries.push_back({type, {offset, bytes}});
        }
    };
    using T = core::GgmlType;
    add({T::IQ2_XXS}, grid::iq2xxs().data(), sizeof(grid::iq2xxs()));
    add({T::IQ2_XS}, grid::iq2xs().data(), sizeof(grid::iq2xs()));
    add({T::IQ2_S}, grid::iq2s().data(), sizeof(grid::iq2s()));
    add({T::IQ1_S, T::IQ1_M}, grid::iq1s().data(), sizeof(grid::iq1s()));
    add({T::IQ3_XXS}, grid::iq3xxs().data(), sizeof(grid::iq3xxs()));
    add({T::IQ3_S}, grid::iq3s().data(), sizeof(grid::iq3s()));
}

CodeBookRange CodeBooks::range(core::GgmlType type) const {
    for (const Entry& e : m_entries) {
        if (e.type == type) {
            return e.range;
        }
    }
    return m_entries.front().range;
}

} // namespace qs::vk
