#include "core/io/model_reader.h"

#include "core/io/gguf_format.h"
#include "core/io/gguf_reader.h"
#include "core/io/hf_reader.h"
#include "core/io/llama2c_reader.h"

#include <cstring>
#include <filesystem>
#include <fstream>

namespace qs::core {

namespace fs = std::filesystem;

Result<Model> openModel(const std::string& path, const std::string& tokenizerPath) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
        return makeError(ErrorCode::Io, path + ": no such file or folder");
    }
    if (fs::is_directory(status)) {
        return readHfFolder(path);
    }
    const fs::path p(path);
    const auto name = p.filename().string();
    if (name == "config.json" || name.ends_with(".safetensors") ||
        name == "model.safetensors.index.json") {
        return readHfFolder(p.parent_path().empty() ? "." : p.parent_path().string());
    }
    std::ifstream in(path, std::ios::binary);
    std::uint32_t magic = 0;
    in.read(reinterpret_cast<char*>(&magic), sizeof(magic));
    if (magic == gguf::kMagic) {
        return readGguf(path);
    }
    if (looksLikeLlama2c(path)) {
        return readLlama2c(path, tokenizerPath);
    }
    return makeError(ErrorCode::Format, path + ": not a GGUF file, a Hugging Face folder or a "
                                               "llama2.c checkpoint");
}

} // namespace qs::core
