#include "core/gptq/gptq.h"

#include "core/jobs/parallel_for.h"
#include "core/jobs/thread_pool.h"
#include "core/jobs/threads.h"
#include "core/quant/half.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <numeric>
#include <sstream>
#include <string>

namespace qs::core {

namespace {

struct GroupParams {
    float scale = 1.0f;
    int zero = 0;
};

// The reference quantizer (formats.md 5.3, Quantizer.find_params) over one row's group of
// values; the scale is rounded to f16 first because that is what the checkpoint stores, so
// the error GPTQ feeds forward is the error of the stored weights.
GroupParams findParams(const float* x, int n, int maxq, bool sym, bool minZeroOne,
                       float shrink = 1.0f) {
    float xmin = 0.0f, xmax = 0.0f; // the range always includes 0
    for (int i = 0; i < n; ++i) {
        xmin = std::min(xmin, x[i]);
        xmax = std::max(xmax, x[i]);
    }
    xmin *= shrink;
    xmax *= shrink;
    if (sym) {
        xmax = std::max(-xmin, xmax);
        if (xmin < 0) {
            xmin = -xmax;
        }
    }
    if (xmin == 0.0f && xmax == 0.0f) {
        xmin = -1.0f;
        xmax = 1.0f;
    }
    GroupParams p;
    p.scale = (xmax - xmin) / static_cast<float>(maxq);
    if (sym) {
        p.zero = (maxq + 1) / 2;
    } else {
        p.zero = static_cast<int>(std::nearbyint(-xmin / p.scale));
        if (minZeroOne && p.zero < 1) {
            // v1 stores zero - 1; keep zero at 1 and stretch the scale to still reach xmax.
            p.zero = 1;
            p.scale = xmax / static_cast<float>(maxq - 1);
        }
        p.zero = std::clamp(p.zero, 0, maxq);
    }
    p.scale = fp16ToFp32(fp32ToFp16(p.scale));
    if (!(p.scale > 0.0f)) {
        p.scale = fp16ToFp32(1); // the smallest f16 subnormal: an all-tiny group
    }
    return p;
}

inline int quantizeValue(float x, const GroupParams& p, int maxq) {
    const int q = static_cast<int>(std::nearbyint(x / p.scale)) + p.zero;
    return std::clamp(q, 0, maxq);
}

inline float dequantValue(int q, const GroupParams& p) {
    return p.scale * static_cast<float>(q - p.zero);
}

int groupWidth(const GptqOptions& o, int cols) {
    return o.groupSize == -1 ? cols : o.groupSize;
}

// a[i][0..len) -= f * b[0..len): the inner step of both factorisations below (contiguous, so
// it vectorises without reassociating a sum). Built for AVX-512 and AVX2 as well, picked at
// run time.
__attribute__((target_clones("avx512f", "avx2", "default"))) void
subtractScaled(double* a, const double* b, double f, std::size_t len) {
    for (std::size_t k = 0; k < len; ++k) {
        a[k] -= f * b[k];
    }
}

// Upper Cholesky factor U of H^-1 (H^-1 = U^T U), the matrix the reference gets with
// cholesky, cholesky_inverse and cholesky(upper=True), in two triangular steps instead of
// four: H = R R^T with R upper triangular (Cholesky from the last index down), so
// H^-1 = (R^-1)^T R^-1 and U = R^-1, an upper triangle with a positive diagonal like the
// Cholesky factor, which is unique. False when H is not positive definite.
bool inverseUpperCholesky(std::vector<double> a, int cols, std::vector<float>& upper,
                          ParallelPool& pool) {
    // Steps below this many rows (or columns) run on the calling thread: a pool round trip
    // costs more than their few thousand multiply-adds.
    constexpr std::size_t kParallelFrom = 384;
    const std::size_t n = static_cast<std::size_t>(cols);
    // R column by column from the last: column j is row j of what is left of H (symmetric)
    // over its diagonal; then the leading j x j block loses c c^T (lower halves only).
    std::vector<double> r(n * n, 0.0); // R^T: row j holds column j of R
    for (std::size_t j = n; j-- > 0;) {
        double* rowJ = a.data() + j * n;
        const double d = rowJ[j];
        if (!(d > 0.0) || !std::isfinite(d)) {
            return false;
        }
        const double root = std::sqrt(d);
        double* c = r.data() + j * n;
        for (std::size_t i = 0; i < j; ++i) {
            c[i] = rowJ[i] / root;
        }
        c[j] = root;
        // Each row of the leading block on its own: the same operations on any number of
        // threads.
        const auto updateRows = [&](std::int64_t begin, std::int64_t end) {
            for (auto i = static_cast<std::size_t>(begin); i < static_cast<std::size_t>(end); ++i) {
                subtractScaled(a.data() + i * n, c, c[i], i + 1);
            }
        };
        if (j >= kParallelFrom) {
            pool.parallelFor(static_cast<std::int64_t>(j), 64, updateRows);
        } else {
            updateRows(0, static_cast<std::int64_t>(j));
        }
    }
    // U = R^-1 row by row from the last: U[i][i] = 1 / R[i][i] and, for j > i,
    // U[i][j] = -(sum over k > i of R[i][k] U[k][j]) / R[i][i].
    std::vector<double> u(n * n, 0.0);
    for (std::size_t i = n; i-- > 0;) {
        double* rowI = u.data() + i * n;
        const double rii = r[i * n + i];
        // Columns i+1..n-1 in pieces, each receiving the rows k <= its last column in rising
        // k: every value gets the same terms in the same order on any number of threads.
        const auto updateColumns = [&](std::int64_t begin, std::int64_t end) {
            const std::size_t c0 = i + 1 + static_cast<std::size_t>(begin);
            const std::size_t c1 = i + 1 + static_cast<std::size_t>(end);
            for (std::size_t k = i + 1; k < c1; ++k) {
                const double rik = r[k * n + i]; // R[i][k]: column k of R is row k of r
                if (rik != 0.0) {
                    const std::size_t from = std::max(k, c0);
                    subtractScaled(rowI + from, u.data() + k * n + from, rik, c1 - from);
                }
            }
        };
        const auto width = static_cast<std::int64_t>(n - i - 1);
        if (n - i - 1 >= kParallelFrom) {
            pool.parallelFor(width, 256, updateColumns);
        } else {
            updateColumns(0, width);
        }
        for (std::size_t j = i + 1; j < n; ++j) {
            rowI[j] /= rii;
        }
        rowI[i] = 1.0 / rii;
    }
    upper.assign(n * n, 0.0f);
    for (std::size_t i = 0; i < n * n; ++i) {
        upper[i] = static_cast<float>(u[i]);
    }
    return true;
}

} // namespace

Status dampedInverseFactor(const std::vector<double>& h, int cols, double dampPercent,
                           std::vector<float>& upper) {
    const std::size_t n = static_cast<std::size_t>(cols);
    double meanDiag = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        meanDiag += h[i * n + i];
    }
    meanDiag /= static_cast<double>(n);
    double damp = dampPercent * meanDiag;
    ParallelPool pool(effectiveThreads(0));
    for (int attempt = 0; attempt < 7; ++attempt) {
        std::vector<double> hd = h;
        for (std::size_t i = 0; i < n; ++i) {
            hd[i * n + i] += damp;
        }
        if (inverseUpperCholesky(std::move(hd), cols, upper, pool)) {
            return {};
        }
        // Ill-conditioned H (few calibration tokens, correlated inputs): damp harder.
        damp = damp > 0.0 ? damp * 10.0 : 0.01 * meanDiag + 1e-8;
    }
    return makeError(ErrorCode::Internal,
                     "GPTQ: the Hessian is not positive definite even with extra damping");
}

Status validateGptqOptions(const GptqOptions& o, int cols) {
    if (o.bits != 2 && o.bits != 3 && o.bits != 4 && o.bits != 8) {
        return makeError(ErrorCode::InvalidArgument,
                         "GPTQ bits must be 2, 3, 4 or 8, not " + std::to_string(o.bits));
    }
    if (o.groupSize != -1 && o.groupSize <= 0) {
        return makeError(ErrorCode::InvalidArgument,
                         "group size must be positive or -1, not " + std::to_string(o.groupSize));
    }
    if (o.groupSize > 0 && cols % o.groupSize != 0) {
        return makeError(ErrorCode::InvalidArgument, "group size " + std::to_string(o.groupSize) +
                                                         " does not divide " +
                                                         std::to_string(cols) + " input features");
    }
    // AutoGPTQ, GPTQModel, transformers and optimum reject damp_percent outside (0, 1), so a
    // checkpoint whose config carries such a value would not load there. NaN fails too.
    if (!(o.dampPercent > 0.0 && o.dampPercent < 1.0)) {
        std::ostringstream value;
        value << std::setprecision(12) << o.dampPercent;
        return makeError(ErrorCode::InvalidArgument,
                         "GPTQ damping (damp_percent) must lie in the open interval (0, 1), "
                         "a fraction of the mean Hessian diagonal (0.01 = 1%), not " +
                             value.str());
    }
    if (o.blockSize <= 0) {
        return makeError(ErrorCode::InvalidArgument,
                         "GPTQ block size must be positive, not " + std::to_string(o.blockSize));
    }
    return {};
}

namespace {

// Element (i, j >= i) of an n x n upper triangle packed row by row: row i holds n - i values.
std::size_t packedIndex(std::size_t n, std::size_t i, std::size_t j) {
    return i * n - i * (i - 1) / 2 + (j - i);
}

std::size_t packedSize(std::size_t n) {
    return n * (n + 1) / 2;
}

} // namespace

HessianAccumulator::HessianAccumulator(int columns)
    : m_columns(columns)
    , m_sum(packedSize(static_cast<std::size_t>(columns)), 0.0) {}

void HessianAccumulator::add(const float* x, std::int64_t tokens) {
    std::vector<float> scratch;
    add(x, tokens, scratch);
}

void HessianAccumulator::add(const float* x, std::int64_t tokens, std::vector<float>& block) {
    // x x^T per token as axpy rows into a float block (vectorised), flushed into the double
    // sums every kChunk tokens so that long runs keep their precision. Upper triangle only.
    const std::size_t n = static_cast<std::size_t>(m_columns);
    constexpr std::int64_t kChunk = 64;
    if (block.size() < packedSize(n)) {
        block.assign(packedSize(n), 0.0f);
    }
    for (std::int64_t t0 = 0; t0 < tokens; t0 += kChunk) {
        const std::int64_t nt = std::min(kChunk, tokens - t0);
        for (std::int64_t t = 0; t < nt; ++t) {
            const float* row = x + (t0 + t) * static_cast<std::int64_t>(n);
            for (std::size_t i = 0; i < n; ++i) {
                const float xi = row[i];
                if (xi == 0.0f) {
                    continue;
                }
                float* out = block.data() + packedIndex(n, i, i);
                const float* from = row + i;
                for (std::size_t j = 0; j < n - i; ++j) {
                    out[j] += xi * from[j];
                }
            }
        }
        const std::size_t used = packedSize(n);
        for (std::size_t k = 0; k < used; ++k) {
            m_sum[k] += block[k];
            block[k] = 0.0f;
        }
    }
    m_samples += tokens;
}

std::vector<double> HessianAccumulator::hessian() const {
    const std::size_t n = static_cast<std::size_t>(m_columns);
    std::vector<double> h(n * n);
    const double f = m_samples > 0 ? 2.0 / static_cast<double>(m_samples) : 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = i; j < n; ++j) {
            const double v = m_sum[packedIndex(n, i, j)] * f;
            h[i * n + j] = v;
            h[j * n + i] = v;
        }
    }
    return h;
}

Result<QuantizedLinear> rtnQuantize(const std::vector<float>& w, int rows, int cols,
                                    const GptqOptions& options) {
    if (auto s = validateGptqOptions(options, cols); !s) {
        return s.error();
    }
    const int maxq = (1 << options.bits) - 1;
    const int g = groupWidth(options, cols);
    const int groups = cols / g;
    QuantizedLinear out;
    out.rows = rows;
    out.cols = cols;
    out.bits = options.bits;
    out.groupSize = options.groupSize;
    out.sym = options.sym;
    out.q.resize(static_cast<std::size_t>(rows) * cols);
    out.scales.resize(static_cast<std::size_t>(groups) * rows);
    out.zeros.resize(static_cast<std::size_t>(groups) * rows);
    out.gIdx.resize(static_cast<std::size_t>(cols));
    for (int c = 0; c < cols; ++c) {
        out.gIdx[c] = c / g;
    }
    for (int r = 0; r < rows; ++r) {
        for (int k = 0; k < groups; ++k) {
            const float* x = w.data() + static_cast<std::size_t>(r) * cols + k * g;
            const GroupParams p = findParams(x, g, maxq, options.sym, options.minZeroOne);
            out.scales[static_cast<std::size_t>(k) * rows + r] = p.scale;
            out.zeros[static_cast<std::size_t>(k) * rows + r] = p.zero;
            for (int c = 0; c < g; ++c) {
                out.q[static_cast<std::size_t>(r) * cols + k * g + c] =
                    static_cast<std::uint8_t>(quantizeValue(x[c], p, maxq));
            }
        }
    }
    return out;
}

Result<QuantizedLinear> gptqQuantize(const std::vector<float>& wIn, int rows, int cols,
                                     const std::vector<double>& hIn, const GptqOptions& options) {
    if (auto s = validateGptqOptions(options, cols); !s) {
        return s.error();
    }
    if (wIn.size() != static_cast<std::size_t>(rows) * cols ||
        hIn.size() != static_cast<std::size_t>(cols) * cols) {
        return makeError(ErrorCode::InvalidArgument, "GPTQ: weight or Hessian size mismatch");
    }
    const int maxq = (1 << options.bits) - 1;
    const int g = groupWidth(options, cols);
    const std::size_t n = static_cast<std::size_t>(cols);
    std::vector<double> h = hIn;
    std::vector<float> w = wIn;

    // Dead inputs (never non-zero in calibration) carry no information: weight 0, H_dd = 1.
    for (int d = 0; d < cols; ++d) {
        if (h[d * n + d] == 0.0) {
            h[d * n + d] = 1.0;
            for (int r = 0; r < rows; ++r) {
                w[static_cast<std::size_t>(r) * n + d] = 0.0f;
            }
        }
    }
    std::vector<int> perm(n);
    std::iota(perm.begin(), perm.end(), 0);
    if (options.descAct) {
        std::stable_sort(perm.begin(), perm.end(),
                         [&](int a, int b) { return h[a * n + a] > h[b * n + b]; });
        std::vector<float> pw(w.size());
        for (int r = 0; r < rows; ++r) {
            for (std::size_t c = 0; c < n; ++c) {
                pw[r * n + c] = w[r * n + perm[c]];
            }
        }
        w.swap(pw);
        std::vector<double> ph(h.size());
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                ph[i * n + j] = h[perm[i] * n + perm[j]];
            }
        }
        h.swap(ph);
    }
    std::vector<float> u;
    if (Status s = dampedInverseFactor(h, cols, options.dampPercent, u); !s) {
        return s.error();
    }

    QuantizedLinear out;
    out.rows = rows;
    out.cols = cols;
    out.bits = options.bits;
    out.groupSize = options.groupSize;
    out.sym = options.sym;
    const int groups = cols / g;
    out.q.resize(static_cast<std::size_t>(rows) * n);
    out.scales.resize(static_cast<std::size_t>(groups) * rows);
    out.zeros.resize(static_cast<std::size_t>(groups) * rows);
    out.gIdx.resize(n);
    std::vector<GroupParams> params(static_cast<std::size_t>(rows));
    std::vector<std::uint8_t> qPerm(static_cast<std::size_t>(rows) * n);
    const int block = options.blockSize;
    std::vector<float> err(static_cast<std::size_t>(rows) * block);
    for (int i1 = 0; i1 < cols; i1 += block) {
        const int i2 = std::min(i1 + block, cols);
        const int width = i2 - i1;
        for (int i = i1; i < i2; ++i) {
            if (i % g == 0) {
                const int k = i / g;
                for (int r = 0; r < rows; ++r) {
                    params[r] =
                        findParams(w.data() + r * n + i, g, maxq, options.sym, options.minZeroOne);
                    out.scales[static_cast<std::size_t>(k) * rows + r] = params[r].scale;
                    out.zeros[static_cast<std::size_t>(k) * rows + r] = params[r].zero;
                }
            }
            const float* uRow = u.data() + i * n;
            const float d = uRow[i];
            for (int r = 0; r < rows; ++r) {
                float* wr = w.data() + r * n;
                const int qv = quantizeValue(wr[i], params[r], maxq);
                qPerm[r * n + i] = static_cast<std::uint8_t>(qv);
                const float e = (wr[i] - dequantValue(qv, params[r])) / d;
                for (int j = i + 1; j < i2; ++j) {
                    wr[j] -= e * uRow[j];
                }
                err[static_cast<std::size_t>(r) * block + (i - i1)] = e;
            }
        }
        // Lazy batch: the columns after the block get the block's error in one pass.
        if (i2 < cols) {
            for (int r = 0; r < rows; ++r) {
                float* wr = w.data() + r * n;
                for (int k = 0; k < width; ++k) {
                    const float e = err[static_cast<std::size_t>(r) * block + k];
                    const float* uRow = u.data() + (i1 + k) * n;
                    for (int j = i2; j < cols; ++j) {
                        wr[j] -= e * uRow[j];
                    }
                }
            }
        }
    }
    for (std::size_t c = 0; c < n; ++c) {
        out.gIdx[perm[c]] = static_cast<int>(c) / g;
        for (int r = 0; r < rows; ++r) {
            out.q[r * n + perm[c]] = qPerm[r * n + c];
        }
    }
    return out;
}

Result<QuantizedLinear> rtnQuantizeClipped(const std::vector<float>& w, int rows, int cols,
                                           const std::vector<double>& h, const GptqOptions& options,
                                           int shrinkSteps) {
    auto out = rtnQuantize(w, rows, cols, options);
    if (!out || h.empty() || shrinkSteps <= 1) {
        return out;
    }
    const int maxq = (1 << options.bits) - 1;
    const int g = groupWidth(options, cols);
    const int groups = cols / g;
    const std::size_t n = static_cast<std::size_t>(cols);
    std::vector<double> d(static_cast<std::size_t>(g));
    std::vector<std::uint8_t> qs(static_cast<std::size_t>(g));
    for (int r = 0; r < rows; ++r) {
        for (int k = 0; k < groups; ++k) {
            const float* x = w.data() + r * n + k * g;
            double best = -1.0;
            for (int step = 0; step < shrinkSteps; ++step) {
                const float shrink = 1.0f - 0.05f * static_cast<float>(step);
                const GroupParams p =
                    findParams(x, g, maxq, options.sym, options.minZeroOne, shrink);
                for (int c = 0; c < g; ++c) {
                    qs[c] = static_cast<std::uint8_t>(quantizeValue(x[c], p, maxq));
                    d[c] = static_cast<double>(x[c]) - dequantValue(qs[c], p);
                }
                double e = 0.0;
                for (int i = 0; i < g; ++i) {
                    const double* hi = h.data() + (static_cast<std::size_t>(k) * g + i) * n + k * g;
                    double s = 0.0;
                    for (int j = 0; j < g; ++j) {
                        s += hi[j] * d[j];
                    }
                    e += d[i] * s;
                }
                if (best < 0.0 || e < best) {
                    best = e;
                    out->scales[static_cast<std::size_t>(k) * rows + r] = p.scale;
                    out->zeros[static_cast<std::size_t>(k) * rows + r] = p.zero;
                    std::copy(qs.begin(), qs.end(), out->q.begin() + r * n + k * g);
                }
            }
        }
    }
    return out;
}

namespace {

// For `count` rows d_k of n values: e_k = d_k H d_k^T with H (n x n floats, row-major), via
// t_k = d_k H as scaled rows of H (axpy: vectorised without reassociating a sum). One pass
// over H serves all the rows. Built for AVX-512 and AVX2 as well, picked at run time: this is
// most of GPTQ's time on wide layers.
__attribute__((target_clones("avx512f", "avx2", "default"))) void
rowsTimesSymmetric(const float* d, int count, const float* h, std::size_t n, float* t,
                   double* error) {
    std::fill(t, t + static_cast<std::size_t>(count) * n, 0.0f);
    for (std::size_t i = 0; i < n; ++i) {
        const float* hi = h + i * n;
        for (int k = 0; k < count; ++k) {
            const float di = d[static_cast<std::size_t>(k) * n + i];
            if (di == 0.0f) {
                continue;
            }
            float* tk = t + static_cast<std::size_t>(k) * n;
            for (std::size_t j = 0; j < n; ++j) {
                tk[j] += di * hi[j];
            }
        }
    }
    for (int k = 0; k < count; ++k) {
        double e = 0.0;
        const float* tk = t + static_cast<std::size_t>(k) * n;
        const float* dk = d + static_cast<std::size_t>(k) * n;
        for (std::size_t c = 0; c < n; ++c) {
            e += static_cast<double>(tk[c]) * dk[c];
        }
        error[k] = e;
    }
}

} // namespace

double outputError(const std::vector<float>& w, const std::vector<float>& dq, int rows, int cols,
                   const std::vector<double>& h, int threads) {
    // Per row: t = d H as a sum of scaled rows of H (an axpy the compiler vectorises, unlike a
    // float dot product), then d . t; single precision is plenty for comparing errors. Rows go
    // kRows at a time so that each row of H, read from memory once, serves all of them (H of a
    // 2048-wide input is 16 MB: read once per row it made this memory-bound, a second per call
    // for an expert's up projection). Each row's error lands in its own slot and the slots are
    // added in row order, so the total has the same bits on any number of threads.
    const std::size_t n = static_cast<std::size_t>(cols);
    const std::vector<float> hf(h.begin(), h.end());
    std::vector<double> rowError(static_cast<std::size_t>(rows), 0.0);
    constexpr std::int64_t kRows = 8;
    const std::int64_t blocks = (rows + kRows - 1) / kRows;
    const Status done = parallelFor(threads, blocks, 1, [&](std::int64_t begin, std::int64_t end) {
        std::vector<float> d(kRows * n), t(kRows * n);
        for (std::int64_t b = begin; b < end; ++b) {
            const std::int64_t first = b * kRows;
            const std::int64_t count = std::min<std::int64_t>(kRows, rows - first);
            for (std::int64_t k = 0; k < count; ++k) {
                const std::size_t r = static_cast<std::size_t>(first + k);
                for (std::size_t c = 0; c < n; ++c) {
                    d[static_cast<std::size_t>(k) * n + c] = w[r * n + c] - dq[r * n + c];
                }
            }
            rowsTimesSymmetric(d.data(), static_cast<int>(count), hf.data(), n, t.data(),
                               rowError.data() + first);
        }
        return Status{};
    });
    (void)done; // the body cannot fail and nothing cancels it
    double total = 0.0;
    for (const double e : rowError) {
        total += e;
    }
    return total;
}

double relativeOutputError(const std::vector<float>& w, const std::vector<float>& dq, int rows,
                           int cols, const std::vector<double>& h) {
    const double den = outputError(w, std::vector<float>(w.size(), 0.0f), rows, cols, h);
    return den > 0.0 ? outputError(w, dq, rows, cols, h) / den : 0.0;
}

} // namespace qs::core
