#include "core/fs/atomic_file.h"

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <unistd.h>

namespace qs::core {

Status writeFileAtomically(const std::string& path, std::string_view bytes) {
    // The process id keeps two writers of the same destination from sharing a temporary.
    const std::string temp = path + ".tmp." + std::to_string(::getpid());
    std::FILE* file = std::fopen(temp.c_str(), "wb");
    if (!file) {
        return Error::fromErrno(errno, path, "create");
    }
    // The first failure's errno names the problem (ENOSPC/EFBIG become NoSpace).
    int failure = 0;
    if (std::fwrite(bytes.data(), 1, bytes.size(), file) != bytes.size() ||
        std::fflush(file) != 0 || ::fsync(::fileno(file)) != 0) {
        failure = errno != 0 ? errno : EIO;
    }
    if (std::fclose(file) != 0 && failure == 0) {
        failure = errno != 0 ? errno : EIO;
    }
    if (failure != 0) {
        std::error_code ignored;
        std::filesystem::remove(temp, ignored);
        return Error::fromErrno(failure, path, "write");
    }
    std::error_code ec;
    std::filesystem::rename(temp, path, ec);
    if (ec) {
        std::error_code ignored;
        std::filesystem::remove(temp, ignored);
        return makeError(ErrorCode::Io, path + ": rename: " + ec.message());
    }
    return {};
}

} // namespace qs::core
