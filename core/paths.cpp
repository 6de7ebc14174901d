#include "core/paths.h"

#include <filesystem>

namespace qs::core {

std::string bundledResourcesDir() {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path installed = self.parent_path().parent_path() / "share" / "quantscope";
        if (fs::is_directory(installed / "models", ec)) {
            return installed.string();
        }
    }
    return QS_SOURCE_RESOURCES_DIR;
}

std::string defaultSampleModel() {
    const std::filesystem::path dir = bundledResourcesDir();
    for (const char* name : {"models/shakespeare-3M-f16.gguf", "models/stories260K-f32.gguf"}) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(dir / name, ec)) {
            return (dir / name).string();
        }
    }
    return {};
}

} // namespace qs::core
