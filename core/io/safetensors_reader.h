#pragma once

#include "core/error.h"
#include "core/fs/mapped_file.h"
#include "core/quant/ggml_type.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace qs::core {

struct SafetensorsTensor {
    std::string name;
    std::string dtype;                // "F32", "BF16", ...
    std::vector<std::uint64_t> shape; // outermost first, as PyTorch
    std::uint64_t offset = 0;         // absolute byte offset in the file
    std::uint64_t byteSize = 0;
};

struct SafetensorsFile {
    std::shared_ptr<const MappedFile> file;
    std::vector<SafetensorsTensor> tensors;      // in data-offset order
    std::map<std::string, std::string> metadata; // "__metadata__"
};

// Parses and validates a safetensors header: length within the file and at most 100 MB, JSON
// object, known dtypes, shapes whose byte size equals the data range, ranges inside the buffer
// and not overlapping. No tensor data is read.
Result<SafetensorsFile> readSafetensors(const std::string& path);

// ggml type of a safetensors dtype when ggml has one (F32, F16, BF16, F64, I8..I64).
std::optional<GgmlType> ggmlTypeForDtype(const std::string& dtype);

} // namespace qs::core
