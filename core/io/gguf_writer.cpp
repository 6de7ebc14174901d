#include "core/io/gguf_writer.h"

#include "core/io/gguf_format.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace qs::core {
namespace {

constexpr std::size_t kBufferBytes = 4u << 20;

class HeaderBuilder {
public:
    void append(const void* data, std::size_t n) {
        if (n == 0) {
            return;
        }
        const std::size_t at = out.size();
        out.resize(at + n);
        std::memcpy(out.data() + at, data, n);
    }
    template <typename T>
    void put(const T& v) {
        append(&v, sizeof(T));
    }
    void putString(const std::string& s) {
        put<std::uint64_t>(s.size());
        append(s.data(), s.size());
    }
    void putArray(const MetaArray& a) {
        put<std::uint32_t>(static_cast<std::uint32_t>(a.elementType));
        put<std::uint64_t>(a.size());
        if (a.elementType == MetaType::String) {
            for (const auto& s : a.strings) {
                putString(s);
            }
        } else if (a.elementType == MetaType::Array) {
            for (const auto& inner : a.arrays) {
                putArray(*inner.asArray());
            }
        } else {
            append(a.scalars.data(), a.scalars.size());
        }
    }
    void putValue(const MetaValue& v) {
        std::visit(
            [&](const auto& x) {
                using T = std::decay_t<decltype(x)>;
                if constexpr (std::is_same_v<T, std::string>) {
                    putString(x);
                } else if constexpr (std::is_same_v<T, MetaArray>) {
                    putArray(x);
                } else if constexpr (std::is_same_v<T, bool>) {
                    put<std::uint8_t>(x ? 1 : 0);
                } else {
                    put(x);
                }
            },
            v.storage());
    }
    std::vector<std::byte> out;
};

std::uint32_t alignmentOf(const Metadata& metadata) {
    if (const auto* a = metadata.find(gguf::kAlignmentKey)) {
        if (const auto* v = std::get_if<std::uint32_t>(&a->storage());
            v && *v != 0 && (*v & (*v - 1)) == 0) {
            return *v;
        }
    }
    return gguf::kDefaultAlignment;
}

// Header, then each tensor's data padded to the alignment (the last one too).
std::uint64_t paddedFileBytes(std::uint64_t headerBytes, const std::vector<std::uint64_t>& sizes,
                              std::uint32_t alignment) {
    std::uint64_t total = headerBytes;
    for (const auto bytes : sizes) {
        total = gguf::alignUp(total + bytes, alignment);
    }
    return total;
}

std::uint64_t specBytes(const GgufTensorSpec& t) {
    std::uint64_t rows = 1;
    for (std::size_t i = 1; i < t.dims.size(); ++i) {
        rows *= t.dims[i];
    }
    const std::uint64_t ne0 = t.dims.empty() ? 1 : t.dims[0];
    return ggmlRowBytes(t.type, ne0).value_or(0) * rows;
}

} // namespace

std::vector<std::byte> serializeGgufHeader(const Metadata& metadata,
                                           const std::vector<GgufTensorSpec>& tensors,
                                           std::uint32_t alignment,
                                           std::vector<std::uint64_t>* tensorSizes) {
    HeaderBuilder h;
    h.put<std::uint32_t>(gguf::kMagic);
    h.put<std::uint32_t>(gguf::kVersion);
    h.put<std::uint64_t>(tensors.size());
    h.put<std::uint64_t>(metadata.size());
    for (const auto& [key, value] : metadata.entries()) {
        h.putString(key);
        h.put<std::uint32_t>(static_cast<std::uint32_t>(value.type()));
        h.putValue(value);
    }
    std::uint64_t offset = 0;
    for (const auto& t : tensors) {
        h.putString(t.name);
        h.put<std::uint32_t>(static_cast<std::uint32_t>(t.dims.size()));
        for (auto d : t.dims) {
            h.put<std::uint64_t>(d);
        }
        h.put<std::uint32_t>(static_cast<std::uint32_t>(t.type));
        h.put<std::uint64_t>(offset);
        const std::uint64_t bytes = specBytes(t);
        if (tensorSizes) {
            tensorSizes->push_back(bytes);
        }
        offset = gguf::alignUp(offset + bytes, alignment);
    }
    h.out.resize(gguf::alignUp(h.out.size(), alignment), std::byte{0});
    return std::move(h.out);
}

Result<std::unique_ptr<GgufWriter>> GgufWriter::create(const std::string& path,
                                                       const Metadata& metadata,
                                                       std::vector<GgufTensorSpec> tensors) {
    for (const auto& t : tensors) {
        const std::uint64_t ne0 = t.dims.empty() ? 1 : t.dims[0];
        if (t.name.empty() || t.name.size() > gguf::kMaxNameBytes ||
            t.dims.size() > gguf::kMaxDims || !ggmlRowBytes(t.type, ne0)) {
            return makeError(ErrorCode::InvalidArgument,
                             path + ": tensor '" + t.name +
                                 "' cannot be written (name length, dims or block size)");
        }
    }
    // The temporary file sits in the destination folder so that rename() is atomic.
    const std::filesystem::path dest(path);
    const auto dir = dest.parent_path().empty() ? std::filesystem::path(".") : dest.parent_path();
    std::string leaf = ".";
    leaf.append(dest.filename().string()).append(".XXXXXX");
    std::string temp = (dir / leaf).string();
    const int fd = ::mkstemp(temp.data());
    if (fd < 0) {
        return Error::fromErrno(errno, path, "create a temporary file for");
    }
    std::unique_ptr<GgufWriter> w(new GgufWriter(path, temp, fd));
    w->m_alignment = alignmentOf(metadata);
    for (const auto& t : tensors) {
        w->m_names.push_back(t.name);
    }
    const auto header = serializeGgufHeader(metadata, tensors, w->m_alignment, &w->m_sizes);
    w->m_totalBytes = paddedFileBytes(header.size(), w->m_sizes, w->m_alignment);
    if (auto s = w->writeRaw(header.data(), header.size()); !s) {
        return s.error();
    }
    return w;
}

GgufWriter::GgufWriter(std::string path, std::string tempPath, int fd)
    : m_path(std::move(path))
    , m_tempPath(std::move(tempPath))
    , m_fd(fd) {
    m_buffer.reserve(kBufferBytes);
}

GgufWriter::~GgufWriter() {
    abandon();
}

void GgufWriter::abandon() {
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    if (!m_done && !m_tempPath.empty()) {
        ::unlink(m_tempPath.c_str());
        m_tempPath.clear();
    }
}

Status GgufWriter::flush() {
    std::size_t done = 0;
    while (done < m_buffer.size()) {
        const ssize_t n = ::write(m_fd, m_buffer.data() + done, m_buffer.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return Error::fromErrno(errno, m_path, "write");
        }
        done += static_cast<std::size_t>(n);
    }
    m_buffer.clear();
    return {};
}

Status GgufWriter::writeRaw(const void* data, std::size_t n) {
    if (m_fd < 0) {
        return makeError(ErrorCode::Internal, m_path + ": write after the writer was closed");
    }
    const auto* p = static_cast<const std::byte*>(data);
    while (n > 0) {
        const std::size_t take = std::min(n, kBufferBytes - m_buffer.size());
        const std::size_t at = m_buffer.size();
        m_buffer.resize(at + take);
        std::memcpy(m_buffer.data() + at, p, take);
        p += take;
        n -= take;
        m_position += take;
        if (m_buffer.size() == kBufferBytes) {
            if (auto s = flush(); !s) {
                return s;
            }
        }
    }
    return {};
}

Status GgufWriter::padTo(std::uint64_t alignment) {
    static const std::byte zeros[256] = {};
    const std::uint64_t pad = gguf::alignUp(m_position, alignment) - m_position;
    return writeRaw(zeros, static_cast<std::size_t>(pad));
}

Status GgufWriter::write(std::span<const std::byte> data) {
    while (!data.empty()) {
        if (m_current >= m_sizes.size()) {
            return makeError(ErrorCode::InvalidArgument,
                             m_path + ": more data written than the tensor infos declare");
        }
        const std::uint64_t left = m_sizes[m_current] - m_writtenInTensor;
        const std::size_t take =
            static_cast<std::size_t>(std::min<std::uint64_t>(left, data.size()));
        if (auto s = writeRaw(data.data(), take); !s) {
            return s;
        }
        data = data.subspan(take);
        m_writtenInTensor += take;
        if (m_writtenInTensor == m_sizes[m_current]) {
            ++m_current;
            m_writtenInTensor = 0;
            // Every tensor is padded, the last one included, as ggml's gguf writer does.
            if (auto s = padTo(m_alignment); !s) {
                return s;
            }
        }
    }
    // Zero-byte tensors complete without any data.
    while (m_current < m_sizes.size() && m_sizes[m_current] == 0) {
        ++m_current;
    }
    return {};
}

Status GgufWriter::finish() {
    if (auto s = write({}); !s) {
        return s;
    }
    if (m_current != m_sizes.size()) {
        return makeError(ErrorCode::InvalidArgument, m_path + ": finished before tensor '" +
                                                         m_names[m_current] + "' was complete");
    }
    if (auto s = flush(); !s) {
        return s;
    }
    if (::fsync(m_fd) != 0) {
        return Error::fromErrno(errno, m_path, "sync");
    }
    // mkstemp creates 0600; outputs get the usual 0644 (umask() is process-global, so not read).
    ::fchmod(m_fd, 0644);
    if (::close(m_fd) != 0) {
        m_fd = -1;
        return Error::fromErrno(errno, m_path, "close");
    }
    m_fd = -1;
    if (::rename(m_tempPath.c_str(), m_path.c_str()) != 0) {
        return Error::fromErrno(errno, m_path, "rename the temporary file onto");
    }
    m_done = true;
    // Make the rename itself durable.
    const auto dir = std::filesystem::path(m_path).parent_path();
    const int dirFd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
    return {};
}

std::uint32_t ggufAlignment(const Metadata& metadata) {
    return alignmentOf(metadata);
}

std::uint64_t ggufFileBytes(const Metadata& metadata, const std::vector<GgufTensorSpec>& tensors) {
    const std::uint32_t alignment = alignmentOf(metadata);
    std::vector<std::uint64_t> sizes;
    const auto header = serializeGgufHeader(metadata, tensors, alignment, &sizes);
    return paddedFileBytes(header.size(), sizes, alignment);
}

} // namespace qs::core
