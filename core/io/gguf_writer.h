#pragma once

#include "core/error.h"
#include "core/model/metadata.h"
#include "core/quant/ggml_type.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace qs::core {

struct GgufTensorSpec {
    std::string name;
    std::vector<std::uint64_t> dims; // GGUF order, ne0 first
    GgmlType type = GgmlType::F32;
};

// Streams a GGUF v3 file: header, metadata and tensor infos first, then tensor data in
// tensor-info order, each tensor zero-padded to the alignment (the layout ggml's loader
// demands). Everything goes to a temporary file beside the destination, which finish()
// fsyncs and renames, so the destination is complete or untouched. Destroying an unfinished
// writer (error, cancel) removes the temporary file.
class GgufWriter {
public:
    // Alignment comes from metadata's general.alignment (u32 power of two), else 32.
    static Result<std::unique_ptr<GgufWriter>>
    create(const std::string& path, const Metadata& metadata, std::vector<GgufTensorSpec> tensors);
    ~GgufWriter();
    GgufWriter(const GgufWriter&) = delete;
    GgufWriter& operator=(const GgufWriter&) = delete;

    // Appends bytes of the current tensor; may be called in any number of chunks. Moves on
    // to the next tensor (writing padding) once a tensor's byte size is reached.
    Status write(std::span<const std::byte> data);
    // Byte size of tensor i as written (dims and type).
    std::uint64_t tensorBytes(std::size_t i) const { return m_sizes[i]; }
    std::size_t currentTensor() const { return m_current; }
    std::uint64_t totalBytes() const { return m_totalBytes; } // final file size

    // All tensors must be complete. Flushes, fsyncs, renames onto the destination.
    Status finish();
    // Removes the temporary file; the writer is unusable afterwards.
    void abandon();

private:
    GgufWriter(std::string path, std::string tempPath, int fd);
    Status writeRaw(const void* data, std::size_t n);
    Status flush();
    Status padTo(std::uint64_t alignment);

    std::string m_path;
    std::string m_tempPath;
    int m_fd = -1;
    std::uint32_t m_alignment = 32;
    std::vector<std::uint64_t> m_sizes;
    std::vector<std::string> m_names;
    std::size_t m_current = 0;
    std::uint64_t m_writtenInTensor = 0;
    std::uint64_t m_position = 0;
    std::uint64_t m_totalBytes = 0;
    std::vector<std::byte> m_buffer;
    bool m_done = false;
};

// The byte size of the file GgufWriter writes for these tensors and metadata, exactly; and the
// alignment it pads tensor data to (general.alignment, else 32).
std::uint64_t ggufFileBytes(const Metadata& metadata, const std::vector<GgufTensorSpec>& tensors);
std::uint32_t ggufAlignment(const Metadata& metadata);

// The serialized header + metadata + tensor infos + padding of a GGUF file (exposed for
// tests and the hostile-file generator).
std::vector<std::byte> serializeGgufHeader(const Metadata& metadata,
                                           const std::vector<GgufTensorSpec>& tensors,
                                           std::uint32_t alignment,
                                           std::vector<std::uint64_t>* tensorSizes = nullptr);

} // namespace qs::core
