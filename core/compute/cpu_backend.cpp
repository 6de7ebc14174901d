#include "core/compute/compute_backend.h"
#include "core/compute/packed_cpu.h"
#include "core/jobs/parallel_for.h"
#include "core/jobs/threads.h"
#include "core/quant/format_registry.h"
#include "core/quant/half.h"

#include <algorithm>
#include <functional>
#include <vector>

namespace qs::core {
namespace {

// Rows below this many per thread are not worth a thread start (~tens of microseconds).
constexpr std::int64_t kMinRowsPerThread = 16;

class CpuBackend final : public ComputeBackend {
public:
    explicit CpuBackend(unsigned threads)
        : m_threads(static_cast<unsigned>(effectiveThreads(static_cast<int>(threads)))) {}

    std::string name() const override {
        return "CPU (" + std::to_string(m_threads) + " thread" + (m_threads == 1 ? "" : "s") + ")";
    }

    bool runsOnHostCpu() const override { return true; }

    bool supports(GgmlType type) const override {
        const QuantFormat* format = quantFormat(type);
        return format && format->cpuDequantize;
    }

    Status dequantize(const WeightMatrix& w, RowRange rows, float* dst) override {
        if (Status s = check(w, rows, dst); !s) {
            return s;
        }
        return forRows(rows, 0, [&](std::int64_t row, std::vector<float>&) {
            return dequantizeRow(w.type, rowData(w, row), dst + (row - rows.first) * w.nCols,
                                 w.nCols);
        });
    }

    Status dequantizeF16(const WeightMatrix& w, RowRange rows, std::uint16_t* dst) override {
        if (Status s = check(w, rows, dst); !s) {
            return s;
        }
        return forRows(rows, w.nCols, [&](std::int64_t row, std::vector<float>& scratch) -> Status {
            if (Status s = dequantizeRow(w.type, rowData(w, row), scratch.data(), w.nCols); !s) {
                return s;
            }
            std::uint16_t* out = dst + (row - rows.first) * w.nCols;
            for (std::int64_t i = 0; i < w.nCols; ++i) {
                out[i] = fp32ToFp16(scratch[i]);
            }
            return {};
        });
    }

    Status matvec(const WeightMatrix& w, const float* x, float* y) override {
        if (Status s = check(w, {0, w.nRows}, y); !s) {
            return s;
        }
        if (!x) {
            return makeError(ErrorCode::InvalidArgument, "matvec: null x");
        }
        return forRows(
            {0, w.nRows}, w.nCols, [&](std::int64_t row, std::vector<float>& scratch) -> Status {
                if (Status s = dequantizeRow(w.type, rowData(w, row), scratch.data(), w.nCols);
                    !s) {
                    return s;
                }
                // Eight independent partial sums: lets the compiler keep several FMA chains in
                // flight without -ffast-math, and halves the rounding error of one long chain.
                float partial[8] = {};
                std::int64_t i = 0;
                for (; i + 8 <= w.nCols; i += 8) {
                    for (int k = 0; k < 8; ++k) {
                        partial[k] += scratch[i + k] * x[i + k];
                    }
                }
                for (; i < w.nCols; ++i) {
                    partial[0] += scratch[i] * x[i];
                }
                y[row] = ((partial[0] + partial[1]) + (partial[2] + partial[3])) +
                         ((partial[4] + partial[5]) + (partial[6] + partial[7]));
                return {};
            });
    }

    Status dequantize(const PackedLinear& w, RowRange rows, float* dst) override {
        if (Status s = checkPacked(w, rows, dst); !s) {
            return s;
        }
        cpuDequantizePacked(w, rows, dst, nullptr, m_threads);
        return {};
    }

    Status dequantizeF16(const PackedLinear& w, RowRange rows, std::uint16_t* dst) override {
        if (Status s = checkPacked(w, rows, dst); !s) {
            return s;
        }
        cpuDequantizePacked(w, rows, nullptr, dst, m_threads);
        return {};
    }

    Status matvec(const PackedLinear& w, const float* x, float* y) override {
        if (Status s = checkPacked(w, {0, w.out}, y); !s) {
            return s;
        }
        if (!x) {
            return makeError(ErrorCode::InvalidArgument, "matvec: null x");
        }
        cpuMatvecPacked(w, x, y, m_threads);
        return {};
    }

private:
    template <typename T>
    static Status checkPacked(const PackedLinear& w, RowRange rows, T* dst) {
        if (Status s = validatePackedRows(w, rows.first, rows.count); !s) {
            return s;
        }
        if (!dst && rows.count > 0) {
            return makeError(ErrorCode::InvalidArgument, "compute: null destination");
        }
        return {};
    }

    template <typename T>
    Status check(const WeightMatrix& w, RowRange rows, T* dst) const {
        if (Status s = validateWeights(w, rows); !s) {
            return s;
        }
        if (!dst && rows.count > 0) {
            return makeError(ErrorCode::InvalidArgument, "compute: null destination");
        }
        if (!supports(w.type)) {
            return makeError(ErrorCode::Unsupported,
                             "CPU backend cannot read " + std::string(ggmlTypeInfo(w.type).name));
        }
        return {};
    }

    static const void* rowData(const WeightMatrix& w, std::int64_t row) {
        const std::uint64_t rowBytes = *ggmlRowBytes(w.type, static_cast<std::uint64_t>(w.nCols));
        return static_cast<const std::uint8_t*>(w.data) +
               static_cast<std::uint64_t>(row) * rowBytes;
    }

    // Runs fn(row, scratch) for every row of the range on up to m_threads threads, with a
    // row-sized scratch buffer per batch of rows. Returns the first error any row reported.
    Status forRows(RowRange rows, std::int64_t scratchLength,
                   const std::function<Status(std::int64_t, std::vector<float>&)>& fn) const {
        if (rows.count == 0) {
            return {};
        }
        const std::int64_t nThreads = std::clamp<std::int64_t>(
            rows.count / kMinRowsPerThread, 1, static_cast<std::int64_t>(m_threads));
        // Rows handed out in small batches balance threads whose rows cost the same.
        const std::int64_t batch = std::max<std::int64_t>(1, rows.count / (nThreads * 8));
        return parallelFor(static_cast<int>(nThreads), rows.count, batch,
                           [&](std::int64_t begin, std::int64_t end) -> Status {
                               std::vector<float> scratch(static_cast<std::size_t>(scratchLength));
                               for (std::int64_t row = begin; row < end; ++row) {
                                   if (Status s = fn(rows.first + row, scratch); !s) {
                                       return s;
                                   }
                               }
                               return {};
                           });
    }

    unsigned m_threads;
};

} // namespace

std::unique_ptr<ComputeBackend> makeCpuBackend(unsigned threads) {
    return std::make_unique<CpuBackend>(threads);
}

} // namespace qs::core
