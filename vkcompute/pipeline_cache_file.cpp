#include "vkcompute/pipeline_cache_file.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <unistd.h>

namespace qs::vk {

std::string pipelineCachePath(std::uint32_t vendorId, std::uint32_t deviceId,
                              std::uint32_t driverVersion) {
    std::filesystem::path dir;
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
        dir = xdg;
    } else if (const char* home = std::getenv("HOME"); home && *home) {
        dir = std::filesystem::path(home) / ".cache";
    } else {
        dir = std::filesystem::temp_directory_path();
    }
    char name[96];
    std::snprintf(name, sizeof(name), "vk-pipelines-%04x-%04x-%08x.bin", vendorId, deviceId,
                  driverVersion);
    return (dir / "quantscope" / name).string();
}

std::vector<char> readPipelineCache(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return {};
    }
    return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

bool writePipelineCache(const std::string& path, const std::vector<char>& data,
                        std::string& error) {
    std::error_code ec;
    const std::filesystem::path target(path);
    std::filesystem::create_directories(target.parent_path(), ec);
    if (ec) {
        error = "cannot create " + target.parent_path().string() + ": " + ec.message();
        return false;
    }
    // A per-process temporary name: two processes saving at once must not interleave bytes.
    const std::filesystem::path temp = path + ".tmp" + std::to_string(::getpid());
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out.write(data.data(), static_cast<std::streamsize>(data.size()));
        if (!out) {
            error = "cannot write " + temp.string();
            std::filesystem::remove(temp, ec);
            return false;
        }
    }
    std::filesystem::rename(temp, target, ec);
    if (ec) {
        error = "cannot rename to " + path + ": " + ec.message();
        std::filesystem::remove(temp, ec);
        return false;
    }
    return true;
}

} // namespace qs::vk
