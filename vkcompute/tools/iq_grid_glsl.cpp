// Writes the i-quant code books of core/quant/iq_grids as a GLSL include, so that the Vulkan
// kernels read the very tables the CPU dequantizers read (one fact, one place). Run by the
// build (vkcompute/sources.cmake); each table is guarded by the QS_TYPE_<name> macros of the
// shaders that use it, so a kernel carries only its own type's grid.
#include "core/quant/iq_grids.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace {

namespace grid = qs::core::quant::iqgrid;

// A grid as 32-bit words, low word first (byte k of an entry is byte k of the words).
template <typename Entry, std::size_t N>
std::vector<std::uint32_t> asWords(const std::array<Entry, N>& table) {
    std::vector<std::uint32_t> words;
    for (const Entry e : table) {
        words.push_back(static_cast<std::uint32_t>(e));
        if constexpr (sizeof(Entry) == 8) {
            words.push_back(static_cast<std::uint32_t>(e >> 32));
        }
    }
    return words;
}

std::string glslArray(const std::string& guard, const std::vector<std::uint32_t>& words,
                      int wordsPerEntry) {
    std::string out = "#if " + guard + "\n";
    out += "#define QS_IQ_GRID_WORDS " + std::to_string(wordsPerEntry) + "u\n";
    const std::string n = std::to_string(words.size());
    out += "const uint kIqGrid[" + n + "] = uint[" + n + "](";
    char buffer[16];
    for (std::size_t i = 0; i < words.size(); ++i) {
        std::snprintf(buffer, sizeof(buffer), "0x%08Xu", words[i]);
        out +=
            (i % 6 == 0 ? "\n    " : " ") + std::string(buffer) + (i + 1 < words.size() ? "," : "");
    }
    out += ");\n#endif\n";
    return out;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUTPUT.glsl\n", argv[0]);
        return 2;
    }
    std::string text =
        "// Generated from core/quant/iq_grids by vkcompute/tools/iq_grid_glsl.cpp; do not edit.\n"
        "// kIqGrid: the code book of the shader's type, QS_IQ_GRID_WORDS words per entry.\n"
        "#ifndef QS_IQ_GRIDS_GLSL\n#define QS_IQ_GRIDS_GLSL\n";
    text += glslArray("defined(QS_TYPE_IQ2_XXS)", asWords(grid::iq2xxs()), 2);
    text += glslArray("defined(QS_TYPE_IQ2_XS)", asWords(grid::iq2xs()), 2);
    text += glslArray("defined(QS_TYPE_IQ2_S)", asWords(grid::iq2s()), 2);
    text += glslArray("defined(QS_TYPE_IQ1_S) || defined(QS_TYPE_IQ1_M)", asWords(grid::iq1s()), 2);
    text += glslArray("defined(QS_TYPE_IQ3_XXS)", asWords(grid::iq3xxs()), 1);
    text += glslArray("defined(QS_TYPE_IQ3_S)", asWords(grid::iq3s()), 1);
    text += "#endif\n";

    // Written only when it changed, so that an unchanged table does not recompile every shader.
    const std::string path = argv[1];
    if (FILE* old = std::fopen(path.c_str(), "rb")) {
        std::string existing;
        char chunk[4096];
        std::size_t got;
        while ((got = std::fread(chunk, 1, sizeof(chunk), old)) > 0) {
            existing.append(chunk, got);
        }
        std::fclose(old);
        if (existing == text) {
            return 0;
        }
    }
    FILE* out = std::fopen(path.c_str(), "wb");
    if (!out || std::fwrite(text.data(), 1, text.size(), out) != text.size() ||
        std::fclose(out) != 0) {
        std::fprintf(stderr, "iq_grid_glsl: cannot write %s\n", path.c_str());
        return 1;
    }
    return 0;
}
