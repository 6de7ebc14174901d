#pragma once

#include "core/error.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

namespace qs::core {

// A read-only memory mapping of a whole file. Opening reads nothing: pages are faulted in
// only when a view is touched, so opening a 16 GB model costs a few syscalls.
class MappedFile {
public:
    static Result<std::shared_ptr<const MappedFile>> open(const std::string& path);
    // An anonymous mapping of `size` bytes (memory, not a file) named `name`, for tensors made
    // on load (dequantized GPTQ/AWQ checkpoints); `fill` writes the bytes once.
    static Result<std::shared_ptr<const MappedFile>>
    anonymous(const std::string& name, std::uint64_t size,
              const std::function<Status(std::span<std::byte>)>& fill);

    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::string& path() const { return m_path; }
    std::uint64_t size() const { return m_size; }
    std::span<const std::byte> bytes() const { return {m_data, static_cast<std::size_t>(m_size)}; }
    // Bounds-checked sub-range; empty span with ok=false semantics left to callers, who
    // validate offsets against size() first.
    std::span<const std::byte> slice(std::uint64_t offset, std::uint64_t length) const;
    // Drops this process's pages of `range` (a span of bytes()): a streaming pass over a model
    // calls it once a tensor is consumed, so resident memory stays at a few tensors instead of
    // growing to the file size. The page cache keeps the data; touching it again re-reads it.
    // Only whole pages inside the range are dropped. A hint: failures are ignored.
    void releasePages(std::span<const std::byte> range) const;

private:
    MappedFile(std::string path, const std::byte* data, std::uint64_t size);

    std::string m_path;
    const std::byte* m_data = nullptr;
    std::uint64_t m_size = 0;
    bool m_anonymous = false; // memory, not a file: releasePages() must keep it
};

} // namespace qs::core
