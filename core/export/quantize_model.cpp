#include "core/export/quantize_model.h"

#include "core/compute/compute_backend.h"
#include "core/export/gguf_writer.h"
#include "core/logging.h"
#include "core/model/model.h"
#include "core/plan/llama_presets.h"
#include "core/quant/error_metrics.h"
#include "core/quant/format_registry.h"
#include "core/quant/imatrix.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>
#include <spdlog/spdlog.h>
#include <thread>

namespace qs::core {
namespace {

// Rows per unit of work: small enough to check for cancellation often, large enough that
// thread hand-off costs nothing.
constexpr std::int64_t kRowsPerChunk = 32;

// Runs fn(firstRow, rowCount) over [0, rows) in chunks on `threads` threads. Stops early and
// returns the first error, or Cancelled.
Status parallelRows(std::int64_t rows, unsigned threads, CancelToken& cancel,
                    const std::function<Status(std::int64_t, std::int64_t)>& fn) {
    std::atomic<std::int64_t> next{0};
    std::mutex errorMutex;
    std::optional<Error> firstError;
    std::atomic<bool> stop{false};
    auto worker = [&] {
        while (!stop.load(std::memory_order_relaxed)) {
            if (cancel.isCancelled()) {
                stop = true;
                return;
            }
            const std::int64_t first = next.fetch_add(kRowsPerChunk);
            if (first >= rows) {
                return;
            }
            Status s = fn(first, std::min(kRowsPerChunk, rows - first));
            if (!s) {
                std::lock_guard lock(errorMutex);
                if (!firstError) {
                    firstError = s.error();
                }
                stop = true;
            }
        }
    };
    const unsigned n =
        std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>((rows + kRowsPerChunk - 1) /
                                                                       kRowsPerChunk)));
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < n; ++i) {
        pool.emplace_back(worker);
    }
    worker();
    for (auto& t : pool) {
        t.join();
    }
    if (firstError) {
        return *firstError;
    }
    if (cancel.isCancelled()) {
        return makeError(ErrorCode::Cancelled, "quantization cancelled");
    }
    return {};
}

// f32 values of one slab: the unit in which a tensor is converted, measured and written.
constexpr std::int64_t kSlabValues = std::int64_t{16} << 20; // 64 MiB of f32

// What converting one tensor needs besides the tensor itself.
struct TensorJob {
    const Model& model;
    const TensorInfo& tensor;
    GgmlType type;
    const float* importance;             // quantization weights, or null
    std::span<const float> errorWeights; // weights of the weighted MSE, or empty
    bool measureError;
    ComputeBackend* backend; // round trip of the error measurement; null: the CPU
    unsigned threads;
};

// Converts a tensor a slab of rows at a time: workers read their rows straight from the model
// (a 2-D tensor, the common case) or from `stored` (a copy of the whole tensor, for shapes
// whose rows readRows cannot address), dequantize, quantize; the slab is then measured and
// written. So memory is a few slabs however large the tensor: an 8B model's F16 token_embd
// (1 GB stored, 2 GB as f32) never needs more than about 200 MB.
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
    const std::int64_t slabRows = std::max<std::int64_t>(
        kRowsPerChunk * job.threads, kSlabValues / perRow / kRowsPerChunk * kRowsPerChunk);

    std::vector<float> source;
    std::vector<float> roundTrip;
    std::vector<std::byte> converted;
    ErrorAccumulator errors;
    for (std::int64_t slabFirst = 0; slabFirst < rows; slabFirst += slabRows) {
        const std::int64_t slabCount = std::min(slabRows, rows - slabFirst);
        source.resize(job.measureError ? static_cast<std::size_t>(slabCount * perRow) : 0);
        converted.resize(static_cast<std::size_t>(slabCount) * targetRowBytes);
        Status s = parallelRows(
            slabCount, job.threads, cancel, [&](std::int64_t first, std::int64_t count) {
                const std::int64_t row = slabFirst + first;
                std::vector<float> scratch;
                float* rowsF32 = source.data() + first * perRow;
                if (!job.measureError) {
                    scratch.resize(static_cast<std::size_t>(count * perRow));
                    rowsF32 = scratch.data();
                }
                std::vector<std::byte> chunkBytes;
                const std::byte* rowsStored = nullptr;
                if (streamRows) {
                    chunkBytes.resize(static_cast<std::size_t>(count) * sourceRowBytes);
                    const auto r0 = static_cast<std::uint64_t>(row);
                    const auto n = static_cast<std::uint64_t>(count);
                    if (Status r = job.model.readRows(t, r0, n, chunkBytes); !r) {
                        return r;
                    }
                    job.model.releaseRowPages(t, r0, n);
                    rowsStored = chunkBytes.data();
                } else {
                    rowsStored = stored.data() + row * sourceRowBytes;
                }
                if (Status d = dequantizeRow(t.type, rowsStored, rowsF32, count * perRow); !d) {
                    return d;
                }
                return quantizeRows(job.type, rowsF32, converted.data() + first * targetRowBytes,
                                    count, perRow, job.importance);
            });
        if (!s) {
            return s;
        }
        if (job.measureError) {
            roundTrip.resize(source.size());
            const WeightMatrix slab{job.type, converted.data(), slabCount, perRow};
            Status d = job.backend
                           ? job.backend->dequantize(slab, RowRange{0, slabCount}, roundTrip.data())
                           : dequantizeRow(job.type, converted.data(), roundTrip.data(),
                                           static_cast<std::int64_t>(roundTrip.size()));
            if (!d) {
                return d;
            }
            // Rows in order into one accumulator: the same sums as over the whole tensor.
            for (std::int64_t r = 0; r < slabCount; ++r) {
                const auto offset = static_cast<std::size_t>(r * perRow);
                const auto n = static_cast<std::size_t>(perRow);
                errors.addRow(std::span<const float>(source).subspan(offset, n),
                              std::span<const float>(roundTrip).subspan(offset, n),
                              job.errorWeights);
            }
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

    auto writer = GgufWriter::create(outputPath, quantizedMetadata(model, options), specs);
    if (!writer) {
        return writer.error();
    }
    const unsigned threads =
        options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());

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

        // A matrix that changes type is streamed by convertTensor; anything else (a copied
        // tensor, a shape readRows cannot split) is read whole first.
        const bool streamRows = type != t.type && t.dims.size() == 2;
        if (!streamRows) {
            stored.resize(t.byteSize);
            if (Status s = model.readTensorData(t, stored); !s) {
                return s.error();
            }
            model.releaseTensorPages(t);
        }
        if (type == t.type) {
            if (Status s = (*writer)->write(stored); !s) {
                return s.error();
            }
        } else {
            const auto perRow = static_cast<std::int64_t>(t.dims[0]);
            TensorJob job{model,           t,      type, nullptr, {}, options.measureError,
                          options.backend, threads};
            if (options.imatrix) {
                if (const ImatrixEntry* entry = options.imatrix->find(t.name);
                    entry && entry->columns == perRow) {
                    job.errorWeights = entry->matrixWeights(0);
                    if (quantFormat(type)->weightsChangeOutput) {
                        job.importance = job.errorWeights.data();
                        result.usedImportance = true;
                    }
                }
            }
            if (Status s = convertTensor(job, streamRows ? std::span<const std::byte>() : stored,
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
