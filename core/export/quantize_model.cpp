#include "core/export/quantize_model.h"

#include "core/compute/compute_backend.h"
#include "core/export/imatrix_match.h"
#include "core/io/gguf_writer.h"
#include "core/io/imatrix.h"
#include "core/jobs/parallel_for.h"
#include "core/jobs/threads.h"
#include "core/logging.h"
#include "core/model/hparams_check.h"
#include "core/model/model.h"
#include "core/plan/llama_presets.h"
#include "core/quant/data_validation.h"
#include "core/quant/error_metrics.h"
#include "core/quant/format_registry.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <spdlog/spdlog.h>

namespace qs::core {
namespace {

// Rows per unit of work: small enough to check for cancellation often, large enough that
// thread hand-off costs nothing.
constexpr std::int64_t kRowsPerChunk = 32;

// Runs fn(firstRow, rowCount) over [0, rows) in chunks on `threads` threads. Stops early and
// returns the first error, or Cancelled.
Status parallelRows(std::int64_t rows, unsigned threads, CancelToken& cancel,
                    const std::function<Status(std::int64_t, std::int64_t)>& fn) {
    return parallelFor(static_cast<int>(threads), rows, kRowsPerChunk,
                       [&](std::int64_t begin, std::int64_t end) { return fn(begin, end - begin); },
                       {&cancel, "quantization cancelled"});
}

// f32 values of one slab: the unit in which a tensor is converted, measured and written.
constexpr std::int64_t kSlabValues = std::int64_t{16} << 20; // 64 MiB of f32

// What converting one tensor needs besides the tensor itself.
struct TensorJob {
    const Model& model;
    const TensorInfo& tensor;
    GgmlType type;
    // Importance weights: one slice of dims[0] values per matrix (per expert of a 3-D expert
    // tensor, as llama-quantize hands each expert its own slice), or empty.
    std::span<const float> importance;   // quantization weights, or empty
    std::span<const float> errorWeights; // weights of the weighted MSE, or empty
    bool measureError;
    ComputeBackend* backend; // round trip of the error measurement; null: the CPU
    unsigned threads;
};

// The file a tensor is stored in (one shard of a Hugging Face folder), for messages.
std::string sourcePath(const Model& model, const TensorInfo& t) {
    return t.source < model.sources().size() ? model.sources()[t.source]->path() : model.path();
}

// Rows of one matrix of a tensor: a 3-D expert tensor [ne0, ne1, n_expert] holds n_expert
// matrices of ne1 rows; anything else is one matrix.
std::int64_t rowsPerMatrix(const TensorInfo& t) {
    return t.dims.size() >= 3 ? static_cast<std::int64_t>(t.dims[1])
                              : static_cast<std::int64_t>(t.ggmlRows());
}

// The slice of per-matrix weights that row `row` uses, or nullptr.
const float* matrixSlice(std::span<const float> weights, const TensorInfo& t, std::int64_t row) {
    if (weights.empty()) {
        return nullptr;
    }
    const auto perRow = static_cast<std::int64_t>(t.dims[0]);
    return weights.data() + row / rowsPerMatrix(t) * perRow;
}

// "row 7 column 40" (", expert 2 row 3" for expert tensors): where a value sits in a tensor.
std::string rowColumn(const TensorInfo& t, std::int64_t row, std::int64_t column) {
    std::string where = "row " + std::to_string(row) + " column " + std::to_string(column);
    if (t.dims.size() >= 3) {
        const std::int64_t perMatrix = rowsPerMatrix(t);
        where += " (expert " + std::to_string(row / perMatrix) + ", its row " +
                 std::to_string(row % perMatrix) + ")";
    }
    return where;
}

// Where a value or block of stored data sits, for `rowBytes`-byte rows of `t`.
std::string dataLocation(const TensorInfo& t, GgmlType type, std::uint64_t rowBytes,
                         std::int64_t firstRow, const DataProblem& problem) {
    const GgmlTypeInfo& info = ggmlTypeInfo(type);
    // A plain type's index counts values, a block type's blocks: either is bytesPerBlock long.
    const std::uint64_t byte = problem.index * info.bytesPerBlock;
    const auto row = static_cast<std::int64_t>(byte / rowBytes);
    const auto column =
        static_cast<std::int64_t>(byte % rowBytes / info.bytesPerBlock * info.blockSize);
    return rowColumn(t, firstRow + row, column);
}

Error sourceValueError(const TensorJob& job, std::int64_t row, std::int64_t column, float value) {
    const TensorInfo& t = job.tensor;
    return makeError(ErrorCode::Format,
                     sourcePath(job.model, t) + ": tensor " + t.name + " " +
                         rowColumn(t, row, column) + " is " + nonFiniteName(value) +
                         "; a weight must be a finite number (nothing was written)");
}

Error outputBlockError(const TensorJob& job, std::int64_t firstRow, const DataProblem& problem,
                       std::uint64_t targetRowBytes) {
    const TensorInfo& t = job.tensor;
    const std::string type(ggmlTypeInfo(job.type).name);
    return makeError(ErrorCode::Format,
                     sourcePath(job.model, t) + ": tensor " + t.name + " " +
                         dataLocation(t, job.type, targetRowBytes, firstRow, problem) +
                         ": quantizing to " + type + " gives " + problem.describe() +
                         " (the values there are too large for the format's scale); llama.cpp "
                         "would reject the file, so nothing was written");
}

// Buffers of one chunk of rows in flight.
struct ChunkBuffers {
    std::vector<std::byte> stored; // the chunk's rows as stored (a streamed tensor)
    std::vector<float> values;     // the chunk's rows as f32
    std::vector<float> roundTrip;  // one row quantized and dequantized back
};

// Sets of chunk buffers, reused: a chunk takes one and gives it back, so that chunks do not
// allocate (and fault in) megabytes each, and there are never more sets than threads.
class BufferPool {
public:
    class Lease {
    public:
        explicit Lease(BufferPool& pool)
            : m_pool(pool)
            , m_buffers(pool.take()) {}
        ~Lease() { m_pool.give(std::move(m_buffers)); }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ChunkBuffers& operator*() { return *m_buffers; }

    private:
        BufferPool& m_pool;
        std::unique_ptr<ChunkBuffers> m_buffers;
    };

private:
    std::unique_ptr<ChunkBuffers> take() {
        const std::lock_guard lock(m_mutex);
        if (m_free.empty()) {
            return std::make_unique<ChunkBuffers>();
        }
        auto buffers = std::move(m_free.back());
        m_free.pop_back();
        return buffers;
    }
    void give(std::unique_ptr<ChunkBuffers> buffers) {
        const std::lock_guard lock(m_mutex);
        m_free.push_back(std::move(buffers));
    }

    std::mutex m_mutex;
    std::vector<std::unique_ptr<ChunkBuffers>> m_free;
};

// Converts a tensor a slab of rows at a time: workers read their rows straight from the model
// (a 2-D tensor, the common case) or from `stored` (a copy of the whole tensor, for shapes
// whose rows readRows cannot address), dequantize, quantize; the slab is then written. So
// memory is a few slabs however large the tensor: an 8B model's F16 token_embd (1 GB stored,
// 2 GB as f32) never needs more than about 200 MB.
// The error is measured by the workers too: each row, just quantized, is dequantized back
// while its values are still in cache and summed into its chunk's accumulator; the chunks'
// accumulators are merged in row order, so the metrics do not depend on the threads. A
// backend's round trip (job.backend) runs on whole slabs instead: the slab's f32 rows are
// kept, the backend dequantizes the slab, and the workers sum the same chunks.
Status convertTensor(const TensorJob& job, std::span<const std::byte> stored, GgufWriter& writer,
                     CancelToken& cancel, std::optional<ErrorMetrics>& error) {
    const TensorInfo& t = job.tensor;
    const std::int64_t perRow = static_cast<std::int64_t>(t.dims[0]);
    const auto rows = static_cast<std::int64_t>(t.ggmlRows());
    const std::uint64_t sourceRowBytes = *ggmlRowBytes(t.type, t.dims[0]);
    const std::uint64_t targetRowBytes = *ggmlRowBytes(job.type, t.dims[0]);
    const bool streamRows = stored.empty();
    if (rows == 0 || perRow == 0) {
        return {}; // an empty tensor (a zero dimension) has nothing to convert or write
    }
    // A multiple of the chunk, so that chunks are the same rows whatever the slab size.
    const std::int64_t slabRows = std::max<std::int64_t>(
        kRowsPerChunk * job.threads, kSlabValues / perRow / kRowsPerChunk * kRowsPerChunk);
    const bool measureInChunks = job.measureError && !job.backend;
    const bool measureSlabs = job.measureError && job.backend;
    const auto n = static_cast<std::size_t>(perRow);
    const auto errorWeights = [&](std::int64_t row) {
        const float* weights = matrixSlice(job.errorWeights, t, row);
        return weights ? std::span<const float>(weights, n) : std::span<const float>();
    };

    BufferPool pool;
    std::vector<float> slabValues; // measureSlabs: the slab's rows as f32
    std::vector<float> slabRoundTrip;
    std::vector<ErrorAccumulator> chunkErrors; // of the slab's chunks, merged in order
    std::vector<std::byte> converted;
    ErrorAccumulator errors;
    for (std::int64_t slabFirst = 0; slabFirst < rows; slabFirst += slabRows) {
        const std::int64_t slabCount = std::min(slabRows, rows - slabFirst);
        slabValues.resize(measureSlabs ? static_cast<std::size_t>(slabCount * perRow) : 0);
        chunkErrors.assign(job.measureError ? static_cast<std::size_t>(
                                                  (slabCount + kRowsPerChunk - 1) / kRowsPerChunk)
                                            : 0,
                           ErrorAccumulator());
        converted.resize(static_cast<std::size_t>(slabCount) * targetRowBytes);
        Status s = parallelRows(
            slabCount, job.threads, cancel, [&](std::int64_t first, std::int64_t count) {
                const std::int64_t row = slabFirst + first;
                BufferPool::Lease lease(pool);
                ChunkBuffers& buffers = *lease;
                float* rowsF32 = nullptr;
                if (measureSlabs) {
                    rowsF32 = slabValues.data() + first * perRow;
                } else {
                    buffers.values.resize(static_cast<std::size_t>(count * perRow));
                    rowsF32 = buffers.values.data();
                }
                const std::byte* rowsStored = nullptr;
                if (streamRows) {
                    buffers.stored.resize(static_cast<std::size_t>(count) * sourceRowBytes);
                    const auto r0 = static_cast<std::uint64_t>(row);
                    const auto c = static_cast<std::uint64_t>(count);
                    if (Status r = job.model.readGgmlRows(t, r0, c, buffers.stored); !r) {
                        return r;
                    }
                    job.model.releaseGgmlRowPages(t, r0, c);
                    rowsStored = buffers.stored.data();
                } else {
                    rowsStored = stored.data() + row * sourceRowBytes;
                }
                if (Status d = dequantizeRow(t.type, rowsStored, rowsF32, count * perRow); !d) {
                    return d;
                }
                if (auto bad = findNonFinite(rowsF32, static_cast<std::uint64_t>(count * perRow))) {
                    const auto at = static_cast<std::int64_t>(*bad);
                    return Status(
                        sourceValueError(job, row + at / perRow, at % perRow, rowsF32[at]));
                }
                ErrorAccumulator chunkError;
                if (measureInChunks) {
                    buffers.roundTrip.resize(n);
                }
                // One call per matrix: an expert's rows take that expert's importance slice.
                // When measuring, one call per row, measured while its values are in cache.
                std::byte* out = converted.data() + first * targetRowBytes;
                for (std::int64_t done = 0; done < count;) {
                    const std::int64_t r = row + done;
                    const std::int64_t rowsHere =
                        measureInChunks
                            ? 1
                            : std::min(count - done, rowsPerMatrix(t) - r % rowsPerMatrix(t));
                    float* values = rowsF32 + done * perRow;
                    std::byte* quantized = out + done * targetRowBytes;
                    if (Status q = quantizeRows(job.type, values, quantized, rowsHere, perRow,
                                                matrixSlice(job.importance, t, r));
                        !q) {
                        return q;
                    }
                    if (measureInChunks) {
                        if (Status d = dequantizeRow(job.type, quantized, buffers.roundTrip.data(),
                                                     perRow);
                            !d) {
                            return d;
                        }
                        chunkError.addRow(std::span<const float>(values, n), buffers.roundTrip,
                                          errorWeights(r));
                    }
                    done += rowsHere;
                }
                const std::span<const std::byte> written(out, static_cast<std::size_t>(count) *
                                                                  targetRowBytes);
                if (auto bad = findInvalidData(job.type, written)) {
                    return Status(outputBlockError(job, row, *bad, targetRowBytes));
                }
                if (measureInChunks) {
                    chunkErrors[static_cast<std::size_t>(first / kRowsPerChunk)] = chunkError;
                }
                return Status();
            });
        if (!s) {
            return s;
        }
        if (measureSlabs) {
            slabRoundTrip.resize(slabValues.size());
            const WeightMatrix slab{job.type, converted.data(), slabCount, perRow};
            if (Status d =
                    job.backend->dequantize(slab, RowRange{0, slabCount}, slabRoundTrip.data());
                !d) {
                return d;
            }
            s = parallelRows(
                slabCount, job.threads, cancel, [&](std::int64_t first, std::int64_t count) {
                    ErrorAccumulator chunkError;
                    for (std::int64_t r = first; r < first + count; ++r) {
                        const auto offset = static_cast<std::size_t>(r * perRow);
                        chunkError.addRow(std::span<const float>(slabValues).subspan(offset, n),
                                          std::span<const float>(slabRoundTrip).subspan(offset, n),
                                          errorWeights(slabFirst + r));
                    }
                    chunkErrors[static_cast<std::size_t>(first / kRowsPerChunk)] = chunkError;
                    return Status();
                });
            if (!s) {
                return s;
            }
        }
        for (const ErrorAccumulator& chunkError : chunkErrors) {
            errors.merge(chunkError);
        }
        if (Status w = writer.write(converted); !w) {
            return w;
        }
    }
    if (streamRows) {
        job.model.releaseTensorPages(t); // the pages that chunk edges shared
    }
    if (job.measureError) {
        error = errors.result();
    }
    return {};
}

// A whole tensor as f32 (the source of a precomputed tensor, to measure its error).
Result<std::vector<float>> readTensorF32(const Model& model, const TensorInfo& t) {
    std::vector<std::byte> raw(t.byteSize);
    if (Status s = model.readTensorData(t, raw); !s) {
        return s.error();
    }
    model.releaseTensorPages(t);
    std::vector<float> out(t.elementCount());
    if (Status s =
            dequantizeRow(t.type, raw.data(), out.data(), static_cast<std::int64_t>(out.size()));
        !s) {
        return s.error();
    }
    return out;
}

// Writes bytes made elsewhere for `job.tensor` (already checked to be the planned type's size)
// after the checks convertTensor makes on its own output, and measures them the same way.
Status writePrecomputed(const TensorJob& job, std::span<const std::byte> bytes, GgufWriter& writer,
                        std::optional<ErrorMetrics>& error) {
    const TensorInfo& t = job.tensor;
    const auto perRow = static_cast<std::int64_t>(t.dims[0]);
    const std::uint64_t targetRowBytes = *ggmlRowBytes(job.type, t.dims[0]);
    if (auto bad = findInvalidData(job.type, bytes)) {
        return Status(outputBlockError(job, 0, *bad, targetRowBytes));
    }
    if (job.measureError) {
        auto source = readTensorF32(job.model, t);
        if (!source) {
            return source.error();
        }
        std::vector<float> roundTrip(source->size());
        if (Status d = dequantizeRow(job.type, bytes.data(), roundTrip.data(),
                                     static_cast<std::int64_t>(roundTrip.size()));
            !d) {
            return d;
        }
        ErrorAccumulator errors;
        const auto rows = static_cast<std::int64_t>(t.ggmlRows());
        for (std::int64_t r = 0; r < rows; ++r) {
            const auto offset = static_cast<std::size_t>(r * perRow);
            const auto n = static_cast<std::size_t>(perRow);
            const float* weights = matrixSlice(job.errorWeights, t, r);
            errors.addRow(std::span<const float>(*source).subspan(offset, n),
                          std::span<const float>(roundTrip).subspan(offset, n),
                          weights ? std::span<const float>(weights, n) : std::span<const float>());
        }
        error = errors.result();
    }
    return writer.write(bytes);
}

Error storedDataError(const Model& model, const TensorInfo& t, std::uint64_t rowBytes,
                      const DataProblem& problem) {
    return makeError(ErrorCode::Format, sourcePath(model, t) + ": tensor " + t.name + " " +
                                            dataLocation(t, t.type, rowBytes, 0, problem) +
                                            " holds " + problem.describe() +
                                            "; llama.cpp rejects such data (nothing was written)");
}

} // namespace

std::vector<std::size_t> llamaFileOrder(const Model& model) {
    const auto& tensors = model.tensors();
    std::vector<std::size_t> order(tensors.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        order[i] = i;
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return llamaTensorNameLess(tensors[a].name, tensors[b].name);
    });
    return order;
}

namespace {

// llama-quantize hands the imatrix file name and dataset to llama_model_quantize as KV
// overrides, whose string is a 128-byte C buffer filled by strncpy(..., 127): what is written
// is the text up to its first NUL byte, at most 127 bytes (a multi-byte character may be cut).
std::string asKvOverrideString(const std::string& text) {
    constexpr std::size_t kMaxBytes = 127;
    return text.substr(0, std::min(text.find('\0'), kMaxBytes));
}

// gguf_set_* removes an existing key and appends it: the key ends up last.
void setLast(Metadata& meta, const std::string& key, MetaValue value) {
    meta.erase(key);
    meta.set(key, std::move(value));
}

} // namespace

Result<std::vector<std::span<const float>>> quantizeImportance(const Model& model,
                                                               const QuantizeOptions& options,
                                                               const std::vector<bool>& quantized) {
    if (!options.imatrix) {
        return std::vector<std::span<const float>>{};
    }
    return assignImatrix(model, *options.imatrix,
                         options.imatrixFileName.empty() ? std::string("imatrix")
                                                         : options.imatrixFileName,
                         quantized, options.imatrixMissing);
}

Metadata quantizedMetadata(const Model& model, const QuantizeOptions& options) {
    Metadata meta = model.metadata();
    // general.quantization_version and general.file_type end up last (gguf_set_*).
    const std::int64_t inputFileType = meta.integer("general.file_type").value_or(0);
    setLast(meta, "general.quantization_version", MetaValue(std::uint32_t{2}));
    setLast(
        meta, "general.file_type",
        MetaValue(static_cast<std::uint32_t>(options.fileType ? options.fileType : inputFileType)));
    // The output is one file: the split keys of a sharded input are dropped.
    for (const char* key : {"split.no", "split.count", "split.tensors.count"}) {
        meta.erase(key);
    }
    if (options.imatrix) {
        // The KV overrides, applied in llama-quantize's order; the chunk count only when the
        // imatrix knows it (a positive count).
        setLast(meta, "quantize.imatrix.file",
                MetaValue(asKvOverrideString(options.imatrixFileName)));
        if (!options.imatrix->datasets.empty()) {
            setLast(meta, "quantize.imatrix.dataset",
                    MetaValue(asKvOverrideString(options.imatrix->datasets.front())));
        }
        setLast(meta, "quantize.imatrix.entries_count",
                MetaValue(static_cast<std::uint32_t>(options.imatrix->entries.size())));
        if (options.imatrix->chunkCount > 0) {
            setLast(meta, "quantize.imatrix.chunks_count",
                    MetaValue(static_cast<std::uint32_t>(options.imatrix->chunkCount)));
        }
    }
    return meta;
}

Result<QuantizeReport>
quantizeModel(const Model& model, const QuantPlan& plan, const std::string& outputPath,
              const QuantizeOptions& options, CancelToken& cancel, ProgressSink& progress,
              const std::function<void(const TensorQuantResult&)>& onTensor) {
    namespace fs = std::filesystem;
    std::error_code ec;
    for (const auto& source : model.sources()) {
        if (fs::equivalent(source->path(), outputPath, ec)) {
            return makeError(ErrorCode::InvalidArgument,
                             outputPath + ": the output would overwrite the input model");
        }
    }
    // llama-quantize stops on a layer count its tensors contradict; so does this, before any
    // output exists, rather than write a file llama.cpp cannot load.
    if (Status s = checkHyperparameters(model); !s) {
        return s.error();
    }
    const auto& tensors = model.tensors();
    const std::vector<std::size_t> order = llamaFileOrder(model);

    // Decide every tensor's type and check it fits before writing anything.
    std::vector<GgufTensorSpec> specs;
    std::vector<GgmlType> targetTypes(tensors.size());
    std::uint64_t totalParameters = 0;
    for (std::size_t i : order) {
        const TensorInfo& t = tensors[i];
        const GgmlType type = plan.typeOf(t.name).value_or(t.type);
        if (type != t.type) {
            const QuantFormat* format = quantFormat(type);
            if (!format || !format->cpuQuantize) {
                return makeError(ErrorCode::Unsupported, t.name + ": cannot quantize to " +
                                                             std::string(ggmlTypeInfo(type).name));
            }
            const QuantFormat* source = quantFormat(t.type);
            if (!source || !source->cpuDequantize) {
                return makeError(ErrorCode::Unsupported,
                                 model.path() + ": tensor " + t.name + " is stored as " +
                                     std::string(ggmlTypeInfo(t.type).name) +
                                     ", which cannot be read back to floats");
            }
            if (t.dims.empty() || !ggmlRowBytes(type, t.dims[0])) {
                return makeError(
                    ErrorCode::InvalidArgument,
                    t.name + ": rows of " + std::to_string(t.dims.empty() ? 0 : t.dims[0]) +
                        " values are not a multiple of " + std::string(ggmlTypeInfo(type).name) +
                        "'s block of " + std::to_string(ggmlTypeInfo(type).blockSize));
            }
        }
        targetTypes[i] = type;
        specs.push_back({t.name, t.dims, type});
        totalParameters += t.elementCount();
    }

    // Importance weights per tensor, checked against the model before anything is written.
    std::vector<bool> quantized(tensors.size());
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        quantized[i] = targetTypes[i] != tensors[i].type;
    }
    auto assigned = quantizeImportance(model, options, quantized);
    if (!assigned) {
        return assigned.error();
    }
    const std::vector<std::span<const float>> importance = std::move(*assigned);
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        if (targetTypes[i] != tensors[i].type && quantizeNeedsImportance(targetTypes[i]) &&
            (importance.empty() || importance[i].empty())) {
            return makeError(ErrorCode::InvalidArgument,
                             tensors[i].name + ": " +
                                 std::string(ggmlTypeInfo(targetTypes[i]).name) +
                                 " cannot be made without importance weights, and " +
                                 (options.imatrix ? "the importance matrix has no entry for it"
                                                  : "no importance matrix was given"));
        }
    }

    if (options.precomputed) {
        for (const auto& [name, bytes] : *options.precomputed) {
            const TensorInfo* t = model.findTensor(name);
            if (!t) {
                return makeError(ErrorCode::InvalidArgument,
                                 name + ": precomputed data for a tensor the model does not have");
            }
            const std::size_t i = static_cast<std::size_t>(t - tensors.data());
            const std::uint64_t expected =
                ggmlRowBytes(targetTypes[i], t->dims[0]).value_or(0) * t->ggmlRows();
            if (targetTypes[i] == t->type || bytes.size() != expected) {
                return makeError(ErrorCode::InvalidArgument,
                                 name + ": precomputed data of " + std::to_string(bytes.size()) +
                                     " bytes, but the plan makes it " +
                                     std::string(ggmlTypeInfo(targetTypes[i]).name) + " of " +
                                     std::to_string(expected) + " bytes");
            }
        }
    }

    auto writer = GgufWriter::create(outputPath, quantizedMetadata(model, options), specs);
    if (!writer) {
        return writer.error();
    }
    const auto threads = static_cast<unsigned>(effectiveThreads(static_cast<int>(options.threads)));

    QuantizeReport report;
    std::vector<std::byte> stored;
    for (std::size_t k = 0; k < order.size(); ++k) {
        const std::size_t i = order[k];
        const TensorInfo& t = tensors[i];
        const GgmlType type = targetTypes[i];
        progress.progress(k, order.size(), "tensors", t.name);
        if (cancel.isCancelled()) {
            return makeError(ErrorCode::Cancelled, "quantization cancelled");
        }
        TensorQuantResult result;
        result.tensorIndex = i;
        result.name = t.name;
        result.sourceType = t.type;
        result.type = type;
        result.parameters = t.elementCount();
        result.bytes = (*writer)->tensorBytes(k);

        // A matrix that changes type is streamed by convertTensor (an expert tensor too, a slab
        // of rows of its experts at a time); anything else (a copied tensor, a shape whose
        // rows cannot be read apart) is read whole first.
        const std::vector<std::byte>* precomputed = nullptr;
        if (options.precomputed) {
            if (auto it = options.precomputed->find(t.name); it != options.precomputed->end()) {
                precomputed = &it->second;
            }
        }
        const bool streamRows = type != t.type && model.canReadGgmlRows(t);
        if (!streamRows && !precomputed) {
            stored.resize(t.byteSize);
            if (Status s = model.readTensorData(t, stored); !s) {
                return s.error();
            }
            model.releaseTensorPages(t);
        }
        if (type == t.type) {
            // Copied as stored, but checked as llama.cpp's loader checks it.
            if (auto bad = findInvalidData(t.type, stored)) {
                const std::uint64_t rowBytes =
                    t.dims.empty() ? t.byteSize : *ggmlRowBytes(t.type, t.dims[0]);
                return storedDataError(model, t, rowBytes, *bad);
            }
            if (Status s = (*writer)->write(stored); !s) {
                return s.error();
            }
        } else {
            TensorJob job{model, t, type, {}, {}, options.measureError, options.backend, threads};
            if (!importance.empty() && !importance[i].empty()) {
                job.errorWeights = importance[i];
                if (quantFormat(type)->weightsChangeOutput) {
                    job.importance = job.errorWeights;
                    result.usedImportance = true;
                }
            }
            if (precomputed) {
                if (Status s = writePrecomputed(job, *precomputed, **writer, result.error); !s) {
                    return s.error();
                }
            } else if (Status s =
                           convertTensor(job, streamRows ? std::span<const std::byte>() : stored,
                                         **writer, cancel, result.error);
                       !s) {
                return s.error();
            }
        }
        report.tensorBytes += result.bytes;
        if (onTensor) {
            onTensor(result);
        }
        report.tensors.push_back(std::move(result));
    }
    if (Status s = (*writer)->finish(); !s) {
        return s.error();
    }
    report.fileBytes = (*writer)->totalBytes();
    report.bitsPerWeight =
        totalParameters ? 8.0 * static_cast<double>(report.tensorBytes) / totalParameters : 0.0;
    progress.progress(order.size(), order.size(), "tensors", "");
    coreLog().info("{}: wrote {} tensors, {} bytes, {:.3f} bits per weight", outputPath,
                   report.tensors.size(), report.fileBytes, report.bitsPerWeight);
    return report;
}

} // namespace qs::core
