#pragma once

#include "core/error.h"
#include "core/io/imatrix.h"

#include <string>

// Writers for llama.cpp's importance-matrix files, the counterparts of readImatrix():
// the same bytes llama-imatrix (commit de3ff815) writes for the same data.
namespace qs::core {

// GGUF (general.type = "imatrix"): keys general.type, imatrix.datasets (string array),
// imatrix.chunk_count and imatrix.chunk_size (u32); for every entry, in name order,
// "<name>.in_sum2" (F32 [columns * matrices]) and "<name>.counts" (F32 [matrices]).
// An entry read from a .dat file is written with count = ncall and sums = stored values.
// Atomic: a temporary file renamed at the end.
Status writeImatrixGguf(const ImportanceMatrix& matrix, const std::string& path);

// Legacy .dat: int32 entry count; per entry int32 name length, name, int32 ncall, int32 nval,
// nval f32 values (the mean * ncall, ncall = ceil(count / chunk size)); then int32 chunk count,
// int32 dataset-name length and the first dataset's name.
Status writeImatrixDat(const ImportanceMatrix& matrix, const std::string& path);

// By format.
Status writeImatrix(const ImportanceMatrix& matrix, const std::string& path, ImatrixFormat format);

} // namespace qs::core
