#include "core/compute/compute_backend.h"

namespace qs::core {

Status validateWeights(const WeightMatrix& w, RowRange rows) {
    const GgmlTypeInfo& info = ggmlTypeInfo(w.type);
    if (w.nRows < 0 || w.nCols <= 0 || (w.nRows > 0 && w.data == nullptr)) {
        return makeError(ErrorCode::InvalidArgument,
                         "compute: empty or null weight matrix of type " + std::string(info.name));
    }
    if (w.nCols % info.blockSize != 0) {
        return makeError(ErrorCode::InvalidArgument, "compute: " + std::to_string(w.nCols) +
                                                         " columns is not a multiple of " +
                                                         std::string(info.name) + "'s block of " +
                                                         std::to_string(info.blockSize));
    }
    if (rows.first < 0 || rows.count < 0 || rows.first > w.nRows ||
        rows.count > w.nRows - rows.first) {
        return makeError(ErrorCode::InvalidArgument,
                         "compute: rows [" + std::to_string(rows.first) + ", +" +
                             std::to_string(rows.count) + ") outside a matrix of " +
                             std::to_string(w.nRows) + " rows");
    }
    return {};
}

Status ComputeBackend::matmul(const WeightMatrix& w, const float* x, std::int64_t n, float* y) {
    if (n < 0) {
        return makeError(ErrorCode::InvalidArgument,
                         "compute: a batch of " + std::to_string(n) + " tokens");
    }
    for (std::int64_t t = 0; t < n; ++t) {
        if (Status s = matvec(w, x + t * w.nCols, y + t * w.nRows); !s) {
            return s;
        }
    }
    return {};
}

} // namespace qs::core
