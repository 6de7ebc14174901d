#include "core/eval/cpu_matmul.h"

#include "core/eval/activation_rounding.h"
#include "core/eval/vec_dot.h"
#include "core/eval/vec_dot_kernels.h"
#include "core/jobs/thread_pool.h"
#include "core/quant/format_registry.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace qs::core {

namespace {

float dotProductPortable(const float* a, const float* b, std::int64_t n) {
    float acc[16] = {};
    std::int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        for (int k = 0; k < 16; ++k) {
            acc[k] += a[i + k] * b[i + k];
        }
    }
    float sum = 0.0f;
    for (; i < n; ++i) {
        sum += a[i] * b[i];
    }
    for (int k = 0; k < 16; ++k) {
        sum += acc[k];
    }
    return sum;
}

} // namespace

float dotProduct(const float* a, const float* b, std::int64_t n) {
#if defined(QS_VEC_DOT_AVX2)
    if (avx2KernelsRun()) {
        return vecdot::dotProductAvx2(a, b, n);
    }
#endif
    return dotProductPortable(a, b, n);
}

void scaledDotProducts(const float* q, const float* rows, std::size_t rowStride, std::int64_t count,
                       std::int64_t n, float scale, float* out) {
#if defined(QS_VEC_DOT_AVX2)
    if (avx2KernelsRun()) {
        vecdot::scaledDotProductsAvx2(q, rows, rowStride, count, n, scale, out);
        return;
    }
#endif
    for (std::int64_t j = 0; j < count; ++j) {
        out[j] = dotProductPortable(q, rows + rowStride * static_cast<std::size_t>(j), n) * scale;
    }
}

void weightedSum(float* out, const float* rows, std::size_t rowStride, const float* weights,
                 float scale, std::int64_t count, std::int64_t n) {
#if defined(QS_VEC_DOT_AVX2)
    if (avx2KernelsRun()) {
        vecdot::weightedSumAvx2(out, rows, rowStride, weights, scale, count, n);
        return;
    }
#endif
    for (std::int64_t j = 0; j < count; ++j) {
        const float w = weights[j] * scale;
        const float* v = rows + rowStride * static_cast<std::size_t>(j);
        for (std::int64_t d = 0; d < n; ++d) {
            out[d] += w * v[d];
        }
    }
}

void cpuDequantizeRow(const WeightMatrix& w, std::int64_t r, float* out) {
    if (w.type == GgmlType::F32) {
        std::memcpy(out, matrixRow(w, r), static_cast<std::size_t>(w.nCols) * sizeof(float));
        return;
    }
    // LlamaWeights admitted only types with a CPU dequantizer and whole-block rows.
    [[maybe_unused]] const Status st = dequantizeRow(w.type, matrixRow(w, r), out, w.nCols);
    assert(st.ok());
}

void cpuMatmul(ParallelPool& pool, const WeightMatrix& w, const float* x, std::int64_t n,
               float* y) {
    const std::int64_t grain = std::max<std::int64_t>(1, w.nRows / (pool.threads() * 8));
    pool.parallelFor(w.nRows, grain, [&](std::int64_t begin, std::int64_t end) {
        thread_local std::vector<float> rowBuffer;
        if (w.type != GgmlType::F32 && rowBuffer.size() < static_cast<std::size_t>(w.nCols)) {
            rowBuffer.resize(static_cast<std::size_t>(w.nCols));
        }
        for (std::int64_t r = begin; r < end; ++r) {
            const float* row = nullptr;
            if (w.type == GgmlType::F32) {
                row = reinterpret_cast<const float*>(matrixRow(w, r));
            } else {
                cpuDequantizeRow(w, r, rowBuffer.data());
                row = rowBuffer.data();
            }
            for (std::int64_t t = 0; t < n; ++t) {
                y[t * w.nRows + r] = dotProduct(row, x + t * w.nCols, w.nCols);
            }
        }
    });
}

namespace {

// Converts the n inputs to w's vec_dot_type blocks, `stride` bytes apart. The inputs are small
// next to the matrix (one row of activations per token), so this runs on the calling thread;
// the buffer lives as long as that thread.
const std::byte* quantizeInputs(GgmlType type, const float* x, std::int64_t n, std::int64_t cols,
                                std::size_t stride) {
    thread_local std::vector<std::byte> activations;
    if (activations.size() < stride * static_cast<std::size_t>(n)) {
        activations.resize(stride * static_cast<std::size_t>(n));
    }
    for (std::int64_t t = 0; t < n; ++t) {
        quantizeVecDotActivations(type, x + t * cols,
                                  activations.data() + stride * static_cast<std::size_t>(t), cols);
    }
    return activations.data();
}

// Pieces of a matrix product: several per thread so that one slow thread (a busy machine) does
// not hold up the others.
std::int64_t matmulGrain(const ParallelPool& pool, std::int64_t items) {
    return std::max<std::int64_t>(1, items / (pool.threads() * 8));
}

#if defined(__linux__)
// Anonymous memory that may use transparent huge pages: decode streams every repacked matrix
// once per token, and with 4 KiB pages that stream reads ~20% slower here (TLB misses). The
// kernel backs only whole aligned 2 MiB ranges with huge pages, so the start is aligned (the
// extra address space is handed back at once). nullptr when the system refuses.
std::byte* allocateHugePageAligned(std::size_t bytes) {
    constexpr std::size_t kHuge = std::size_t{2} << 20;
    const std::size_t span = bytes >= kHuge ? bytes + kHuge : bytes;
    void* p = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        return nullptr;
    }
    auto* base = static_cast<std::byte*>(p);
    std::byte* start = base;
    if (span > bytes) {
        const auto address = reinterpret_cast<std::uintptr_t>(base);
        start = base + ((kHuge - address % kHuge) % kHuge);
        const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
        const std::size_t used = (bytes + page - 1) / page * page;
        if (start > base) {
            ::munmap(base, static_cast<std::size_t>(start - base));
        }
        if (base + span > start + used) {
            ::munmap(start + used, static_cast<std::size_t>(base + span - (start + used)));
        }
    }
    ::madvise(start, bytes, MADV_HUGEPAGE); // a hint: refused where THP is off
    return start;
}
#endif

} // namespace

bool cpuMatmulQuantized(ParallelPool& pool, const WeightMatrix& w, const float* x, std::int64_t n,
                        float* y) {
    const VecDotFn dot = vecDotFor(w.type);
    if (!dot) {
        return false;
    }
    const std::size_t stride = vecDotActivationBytes(w.type, w.nCols);
    const std::byte* act = quantizeInputs(w.type, x, n, w.nCols, stride);
    const auto* rows = static_cast<const std::byte*>(w.data);
    const std::size_t rowBytes = matrixRowBytes(w); // a table lookup: once, not per row
    const std::int64_t grain = matmulGrain(pool, w.nRows);
    // A prompt batch: each weight block decoded once per tile of inputs (vec_dot.h), the same
    // bits as the row kernel. One input (decode) keeps the row kernel.
    const VecDotTileFn tile = n > 1 ? vecDotTileFor(w.type) : nullptr;
    pool.parallelFor(w.nRows, grain, [&](std::int64_t begin, std::int64_t end) {
        if (tile) {
            // The piece's rows against a slice of the inputs at a time: the slice's activations
            // (tens of KiB) stay in cache for all the rows, where all n would not.
            constexpr std::int64_t kInputsPerPass = 32;
            for (std::int64_t t0 = 0; t0 < n; t0 += kInputsPerPass) {
                const std::int64_t count = std::min(kInputsPerPass, n - t0);
                const std::byte* slice = act + stride * static_cast<std::size_t>(t0);
                for (std::int64_t r = begin; r < end; ++r) {
                    tile(rows + rowBytes * static_cast<std::size_t>(r), slice, stride, count,
                         w.nCols, y + t0 * w.nRows + r, w.nRows);
                }
            }
            return;
        }
        for (std::int64_t r = begin; r < end; ++r) {
            const std::byte* row = rows + rowBytes * static_cast<std::size_t>(r);
            for (std::int64_t t = 0; t < n; ++t) {
                y[t * w.nRows + r] = dot(row, act + stride * static_cast<std::size_t>(t), w.nCols);
            }
        }
    });
    return true;
}

std::unique_ptr<RepackedMatrix> RepackedMatrix::build(ParallelPool& pool, const WeightMatrix& w) {
    const VecDot8Fn kernel = vecDot8For(w.type);
    if (!kernel || w.nRows <= 0 || w.nRows % 8 != 0) {
        return nullptr;
    }
    const std::size_t groupBytes = vecDot8GroupBytes(w.type, w.nCols);
    if (groupBytes == 0) {
        return nullptr;
    }
    std::unique_ptr<RepackedMatrix> m(new RepackedMatrix);
    m->m_source = w;
    m->m_kernel = kernel;
    m->m_tile = vecDot8TileFor(w.type);
    m->m_groupBytes = groupBytes;
    m->m_bytes = m->m_groupBytes * static_cast<std::size_t>(w.nRows / 8);
#if defined(__linux__)
    m->m_data = allocateHugePageAligned(m->m_bytes);
    m->m_mapped = m->m_data != nullptr;
#endif
    if (!m->m_data) {
        m->m_data = new std::byte[m->m_bytes];
    }
    const auto* rows = static_cast<const std::byte*>(w.data);
    const std::size_t rowBytes = matrixRowBytes(w);
    const std::int64_t groups = w.nRows / 8;
    RepackedMatrix& r = *m;
    pool.parallelFor(groups, matmulGrain(pool, groups), [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t g = begin; g < end; ++g) {
            repackRows8(w.type, rows + rowBytes * 8 * static_cast<std::size_t>(g), rowBytes,
                        w.nCols, r.m_data + r.m_groupBytes * static_cast<std::size_t>(g));
        }
    });
    return m;
}

RepackedMatrix::~RepackedMatrix() {
#if defined(__linux__)
    if (m_mapped) {
        ::munmap(m_data, m_bytes);
        return;
    }
#endif
    delete[] m_data;
}

void cpuMatmulRepacked(ParallelPool& pool, const RepackedMatrix& w, const float* x, std::int64_t n,
                       float* y) {
    const RepackedProduct product{&w, y};
    cpuMatmulRepacked(pool, std::span(&product, 1), x, n);
}

void cpuMatmulRepacked(ParallelPool& pool, std::span<const RepackedProduct> products,
                       const float* x, std::int64_t n) {
    constexpr std::size_t kMaxProducts = 4; // a llama block has at most 3 with one input
    if (products.size() > kMaxProducts) {
        cpuMatmulRepacked(pool, products.first(kMaxProducts), x, n);
        cpuMatmulRepacked(pool, products.subspan(kMaxProducts), x, n);
        return;
    }
    if (products.empty()) {
        return;
    }
    const WeightMatrix& first = products.front().w->source();
    const std::size_t stride = vecDotActivationBytes(first.type, first.nCols);
    const std::byte* act = quantizeInputs(first.type, x, n, first.nCols, stride);
    // Groups of all products in one index range: product k owns [offsets[k], offsets[k + 1]).
    std::int64_t offsets[kMaxProducts + 1] = {};
    for (std::size_t k = 0; k < products.size(); ++k) {
        const WeightMatrix& src = products[k].w->source();
        assert(src.nCols == first.nCols && vecDotActivationBytes(src.type, src.nCols) == stride &&
               activationTypeFor(src.type) == activationTypeFor(first.type));
        offsets[k + 1] = offsets[k] + src.nRows / 8;
    }
    const std::int64_t groups = offsets[products.size()];
    pool.parallelFor(groups, matmulGrain(pool, groups), [&](std::int64_t begin, std::int64_t end) {
        std::size_t k = 0;
        for (std::int64_t g = begin; g < end; ++g) {
            while (g >= offsets[k + 1]) {
                ++k;
            }
            const RepackedMatrix& w = *products[k].w;
            const std::int64_t local = g - offsets[k];
            const std::int64_t rows = w.source().nRows;
            // A prompt batch: each weight block decoded once per tile of inputs. One input
            // (decode) keeps the 8-row kernel, which has no tile bookkeeping.
            if (n > 1 && w.tile()) {
                w.tile()(w.group(local), act, stride, n, first.nCols, products[k].y + 8 * local,
                         rows);
                continue;
            }
            // Otherwise the group (a few KiB) is reused from cache for every input.
            for (std::int64_t t = 0; t < n; ++t) {
                w.kernel()(w.group(local), act + stride * static_cast<std::size_t>(t), first.nCols,
                           products[k].y + t * rows + 8 * local);
            }
        }
    });
}

} // namespace qs::core
