#include "core/export/quantize_model.h"

#include "core/compute/compute_backend.h"
#include "core/export/gguf_writer.h"
#include "core/logging.h"
#include "core/model/model.h"
#include "core/plan/llama_presets.h"
#include "core/quant/format_registry.h"
#include "core/quant/imatrix.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <spdlog/spdlog.h>
#include <thread>

namespace qs::core {
namespace {

// Rows per unit of work: small enough to check for cancellation often, large enough that
// thread hand-off costs nothing.
constexpr std::int64_t kRowsPerChunk = 32;

std::int64_t rowCountOf(const TensorInfo& t) {
    return t.dims.empty() ? 1 : static_cast<std::int64_t>(t.elementCount() / t.dims[0]);
}

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

Metadata quantizedMetadata(const Model& model, const QuantizeOptions& options) {
    Metadata meta = model.metadata();
    // gguf_set_* removes an existing key and appends it, so these two end up last.
    const std::int64_t inputFileType = meta.integer("general.file_type").value_or(0);
    meta.erase("general.quantization_version");
    meta.erase("general.file_type");
    meta.set("general.quantization_version", MetaValue(std::uint32_t{2}));
    meta.set("general.file_type", MetaValue(static_cast<std::uint32_t>(
                                      options.fileType ? options.fileType : inputFileType)));
    if (options.imatrix) {
        meta.set("quantize.imatrix.file", MetaValue(options.imatrixFileName));
        if (!options.imatrix->datasets.empty()) {
            meta.set("quantize.imatrix.dataset", MetaValue(options.imatrix->datasets.front()));
        }
        meta.set("quantize.imatrix.entries_count",
                 MetaValue(static_cast<std::uint32_t>(options.imatrix->entries.size())));
        meta.set("quantize.imatrix.chunks_count",
                 MetaValue(static_cast<std::uint32_t>(options.imatrix->chunkCount)));
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
    std::vector<float> source;
    std::vector<std::byte> converted;
    std::vector<float> roundTrip;
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

        stored.resize(t.byteSize);
        if (Status s = model.readTensorData(t, stored); !s) {
            return s.error();
        }
        model.releaseTensorPages(t);
        if (type == t.type) {
            if (Status s = (*writer)->write(stored); !s) {
                return s.error();
            }
        } else {
            const std::int64_t perRow = static_cast<std::int64_t>(t.dims[0]);
            const std::int64_t rows = rowCountOf(t);
            const std::uint64_t sourceRowBytes = *ggmlRowBytes(t.type, t.dims[0]);
            const std::uint64_t targetRowBytes = *ggmlRowBytes(type, t.dims[0]);
            const float* importance = nullptr;
            if (options.imatrix) {
                if (const ImatrixEntry* entry = options.imatrix->find(t.name);
                    entry && entry->columns == perRow && quantFormat(type)->weightsChangeOutput) {
                    importance = entry->matrixWeights(0).data();
                    result.usedImportance = true;
                }
            }
            // The f32 rows are kept for the whole tensor only when the error is measured
            // against them; otherwise each row chunk is converted through a small scratch, so
            // memory is the stored and the converted tensor, not four bytes per weight more.
            const bool keepSource = options.measureError;
            source.resize(keepSource ? static_cast<std::size_t>(rows * perRow) : 0);
            converted.resize(static_cast<std::size_t>(rows) * targetRowBytes);
            Status s =
                parallelRows(rows, threads, cancel, [&](std::int64_t first, std::int64_t count) {
                    std::vector<float> scratch;
                    if (!keepSource) {
                        scratch.resize(static_cast<std::size_t>(count * perRow));
                    }
                    float* rowsF32 = keepSource ? source.data() + first * perRow : scratch.data();
                    if (Status d = dequantizeRow(t.type, stored.data() + first * sourceRowBytes,
                                                 rowsF32, count * perRow);
                        !d) {
                        return d;
                    }
                    return quantizeRows(type, rowsF32, converted.data() + first * targetRowBytes,
                                        count, perRow, importance);
                });
            if (!s) {
                return s.error();
            }
            if (options.measureError) {
                roundTrip.resize(source.size());
                Status d = options.backend
                               ? options.backend->dequantize(
                                     WeightMatrix{type, converted.data(), rows, perRow},
                                     RowRange{0, rows}, roundTrip.data())
                               : dequantizeRow(type, converted.data(), roundTrip.data(),
                                               static_cast<std::int64_t>(roundTrip.size()));
                if (!d) {
                    return d.error();
                }
                std::span<const float> weights;
                if (options.imatrix) {
                    if (const ImatrixEntry* entry = options.imatrix->find(t.name);
                        entry && entry->columns == perRow) {
                        weights = entry->matrixWeights(0);
                    }
                }
                result.error = tensorErrorMetrics(source, roundTrip, perRow, weights);
            }
            if (Status w = (*writer)->write(converted); !w) {
                return w.error();
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
