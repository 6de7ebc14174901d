#pragma once

#include "core/export/quantize_model.h"

#include <cstdint>

// What a size target means: the bytes of the whole GGUF file quantizeModel writes (header,
// metadata with the quantize.* keys, tensor infos, every tensor, those outside the plan as
// stored, and the alignment padding), not only the planned tensors. `plan --target-size`, the
// optimizer's slider and `--match-preset` all budget the file.
namespace qs::core {

// The exact size of the file quantizeModel(model, plan, ..., options) writes.
std::uint64_t quantizedFileBytes(const Model& model, const QuantPlan& plan,
                                 const QuantizeOptions& options);

// The bytes of that file outside the tensor data, with room for the most padding any choice of
// types can need (alignment - 1 bytes per tensor): whatever types the optimizer picks, the
// file is at most this plus the tensors' bytes.
std::uint64_t quantizedFileOverhead(const Model& model, const QuantizeOptions& options);

} // namespace qs::core
