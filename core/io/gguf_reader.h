#pragma once

#include "core/error.h"
#include "core/model/model.h"

#include <string>

namespace qs::core {

// Opens a GGUF v2/v3 file: parses metadata and tensor infos from the mapping and validates
// them the way ggml's own loader does (contiguous offsets, power-of-two alignment, 63-byte
// names, whole blocks per row), plus bounds against the file size. Tensor data is not read.
// Types we cannot compute on are listed fine; unknown or removed type ids are Format errors.
Result<Model> readGguf(const std::string& path);

} // namespace qs::core
