#pragma once

#include "core/error.h"
#include "core/jobs/job_control.h"

#include <cstdint>
#include <string>
#include <vector>

namespace qs::core {

class Model;

// One tensor whose stored data llama.cpp would reject (data_validation.h): how many values
// (plain types) or blocks (quantized types) are bad, and where the first one is.
struct TensorDataProblem {
    std::string tensor;
    std::uint64_t count = 0; // bad values or blocks
    std::uint64_t firstRow = 0;
    std::uint64_t firstColumn = 0;
    std::string first; // "value nan", "+inf in the scale d"
};

// Reads every tensor of `model` a slab of rows at a time (memory stays at one slab, whatever
// the model's size) and lists those with non-finite values or scales, in file order.
// Progress counts bytes; cancel is checked between slabs.
Result<std::vector<TensorDataProblem>> scanModelData(const Model& model, CancelToken& cancel,
                                                     ProgressSink& progress);

} // namespace qs::core
