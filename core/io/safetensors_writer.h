#pragma once

#include "core/error.h"
#include "core/jobs/job_control.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace qs::core {

// One tensor to write: dtype as safetensors names it ("F16", "I32", "F32"), shape outermost
// first, raw little-endian bytes.
struct SafetensorsEntry {
    std::string name;
    std::string dtype;
    std::vector<std::uint64_t> shape;
    std::vector<std::byte> data;
};

// The bytes of one safetensors file: 8-byte header length, JSON header (padded with spaces to
// 8 bytes), data in entry order. `metadata` goes to "__metadata__" ({"format":"pt"}).
std::vector<std::byte> serializeSafetensorsHeader(const std::vector<SafetensorsEntry>& entries,
                                                  std::size_t first, std::size_t count);

// Writes `entries` into folder `dir` (which must exist) as model.safetensors, or, when the data
// exceeds maxShardBytes, as model-0000i-of-0000N.safetensors shards (each at most
// maxShardBytes unless one tensor is larger) plus model.safetensors.index.json
// ({"metadata": {"total_size"}, "weight_map"}), as transformers' save_pretrained does.
Status writeSafetensorsFolder(const std::string& dir, const std::vector<SafetensorsEntry>& entries,
                              std::uint64_t maxShardBytes, CancelToken& cancel);

} // namespace qs::core
