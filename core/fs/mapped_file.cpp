#include "core/fs/mapped_file.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace qs::core {

Result<std::shared_ptr<const MappedFile>> MappedFile::open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return Error::fromErrno(errno, path, "open");
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int e = errno;
        ::close(fd);
        return Error::fromErrno(e, path, "stat");
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return makeError(ErrorCode::Io, path + ": not a regular file");
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    const std::byte* data = nullptr;
    // mmap of length 0 fails; an empty file is a valid (if useless) mapping.
    if (size > 0) {
        void* p = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) {
            const int e = errno;
            ::close(fd);
            return Error::fromErrno(e, path, "memory-map");
        }
        data = static_cast<const std::byte*>(p);
    }
    ::close(fd); // the mapping keeps the file alive
    return std::shared_ptr<const MappedFile>(new MappedFile(path, data, size));
}

Result<std::shared_ptr<const MappedFile>>
MappedFile::anonymous(const std::string& name, std::uint64_t size,
                      const std::function<Status(std::span<std::byte>)>& fill) {
    std::byte* data = nullptr;
    if (size > 0) {
        void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            return Error::fromErrno(errno, name, "allocate memory for");
        }
        data = static_cast<std::byte*>(p);
    }
    // Owned from here on, so an error in fill() unmaps it.
    auto* owned = new MappedFile(name, data, size);
    owned->m_anonymous = true;
    std::shared_ptr<const MappedFile> mapped(owned);
    if (auto st = fill({data, static_cast<std::size_t>(size)}); !st) {
        return st.error();
    }
    return mapped;
}

MappedFile::MappedFile(std::string path, const std::byte* data, std::uint64_t size)
    : m_path(std::move(path))
    , m_data(data)
    , m_size(size) {}

MappedFile::~MappedFile() {
    if (m_data != nullptr) {
        ::munmap(const_cast<std::byte*>(m_data), m_size);
    }
}

void MappedFile::releasePages(std::span<const std::byte> range) const {
    if (range.empty() || range.data() < m_data || range.data() + range.size() > m_data + m_size) {
        return;
    }
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto begin = reinterpret_cast<std::uintptr_t>(range.data());
    const auto end = begin + range.size();
    const std::uintptr_t first = (begin + page - 1) / page * page;
    const std::uintptr_t last = end / page * page;
    if (last > first) {
        // Anonymous mappings (dequantized checkpoints) hold the only copy: never drop those.
        if (!m_anonymous) {
            ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
        }
    }
}

std::span<const std::byte> MappedFile::slice(std::uint64_t offset, std::uint64_t length) const {
    if (offset > m_size || length > m_size - offset) {
        return {};
    }
    return {m_data + offset, static_cast<std::size_t>(length)};
}

} // namespace qs::core
