#include "core/gptq/ggml_rounding.h"

#include "core/gptq/gptq.h"
#include "core/jobs/parallel_for.h"
#include "core/quant/block_grid.h"
#include "core/quant/format_registry.h"

#include <algorithm>
#include <cstring>

namespace qs::core {

bool ggmlCalibratedRoundingSupports(GgmlType type) {
    return blockGridSupports(type);
}

Result<std::vector<std::byte>> ggmlCalibratedQuantize(GgmlType type, const std::vector<float>& w,
                                                      int rows, int cols,
                                                      const std::vector<double>& hIn,
                                                      const float* importance,
                                                      const GgmlRoundingOptions& options) {
    const std::string typeName(ggmlTypeInfo(type).name);
    if (!blockGridSupports(type)) {
        return makeError(ErrorCode::Unsupported,
                         "calibrated rounding does not cover " + typeName + " yet");
    }
    const auto rowBytesOpt = ggmlRowBytes(type, static_cast<std::uint64_t>(cols));
    if (rows <= 0 || cols <= 0 || !rowBytesOpt) {
        return makeError(ErrorCode::InvalidArgument,
                         "calibrated rounding: rows of " + std::to_string(cols) +
                             " values are not a multiple of " + typeName + "'s block");
    }
    const std::size_t n = static_cast<std::size_t>(cols);
    if (w.size() != static_cast<std::size_t>(rows) * n || hIn.size() != n * n) {
        return makeError(ErrorCode::InvalidArgument,
                         "calibrated rounding: weight or Hessian size mismatch");
    }
    // Dead inputs (never non-zero in calibration): H_dd = 1 keeps the factorisation defined;
    // their rows of H^-1 are then zero off the diagonal, so their error goes nowhere and they
    // are rounded as the format's quantizer would (unlike GPTQ, which zeroes them: here the
    // block's scales must still fit them).
    std::vector<double> h = hIn;
    for (std::size_t d = 0; d < n; ++d) {
        if (h[d * n + d] == 0.0) {
            h[d * n + d] = 1.0;
        }
    }
    std::vector<float> u;
    if (Status s = dampedInverseFactor(h, cols, options.dampPercent, u); !s) {
        return s.error();
    }

    const GgmlTypeInfo& info = ggmlTypeInfo(type);
    const int blockSize = static_cast<int>(info.blockSize);
    const std::size_t blockBytes = info.bytesPerBlock;
    const std::size_t rowBytes = static_cast<std::size_t>(*rowBytesOpt);
    // The legacy formats' importance path weights values by the spread of the whole row
    // (sigma2 over nPerRow), so their blocks are chosen by quantizing the whole current row;
    // the k-quants' search only looks at its own super-block.
    const bool wholeRow = blockSize == 32 && importance != nullptr;
    std::vector<std::byte> out(rowBytes * static_cast<std::size_t>(rows));
    Status status = parallelFor(
        static_cast<int>(options.threads), rows, 4, [&](std::int64_t begin, std::int64_t end) {
            std::vector<float> x(n);
            std::vector<std::byte> scratch(wholeRow ? rowBytes : 0);
            BlockGrid grid;
            int levels[256];
            for (std::int64_t r = begin; r < end; ++r) {
                std::copy_n(w.data() + static_cast<std::size_t>(r) * n, n, x.data());
                std::byte* rowOut = out.data() + static_cast<std::size_t>(r) * rowBytes;
                for (int c0 = 0; c0 < cols; c0 += blockSize) {
                    std::byte* block =
                        rowOut + static_cast<std::size_t>(c0 / blockSize) * blockBytes;
                    // The block's scales: the format's own search on the updated weights.
                    if (wholeRow) {
                        if (Status s =
                                quantizeRows(type, x.data(), scratch.data(), 1, cols, importance);
                            !s) {
                            return s;
                        }
                        std::memcpy(block,
                                    scratch.data() +
                                        static_cast<std::size_t>(c0 / blockSize) * blockBytes,
                                    blockBytes);
                    } else if (Status s = quantizeRows(type, x.data() + c0, block, 1, blockSize,
                                                       importance ? importance + c0 : nullptr);
                               !s) {
                        return s;
                    }
                    if (Status s = readBlockGrid(type, block, grid); !s) {
                        return s;
                    }
                    for (int j = 0; j < blockSize; ++j) {
                        const std::size_t c = static_cast<std::size_t>(c0 + j);
                        const int q = grid.nearest(j, x[c]);
                        levels[j] = q;
                        const float* uRow = u.data() + c * n;
                        const float e = (x[c] - grid.value(j, q)) / uRow[c];
                        for (std::size_t k = c + 1; k < n; ++k) {
                            x[k] -= e * uRow[k];
                        }
                    }
                    if (Status s = writeBlockLevels(type, block, levels); !s) {
                        return s;
                    }
                }
            }
            return Status();
        });
    if (!status) {
        return status.error();
    }
    return out;
}

} // namespace qs::core
