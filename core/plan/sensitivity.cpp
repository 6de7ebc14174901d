#include "core/plan/sensitivity.h"

#include "core/io/imatrix.h"
#include "core/jobs/parallel_for.h"
#include "core/jobs/threads.h"
#include "core/model/model.h"
#include "core/plan/sensitivity_cache.h"
#include "core/quant/format_registry.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace qs::core {
namespace {

// Rows per unit of work: a chunk of one format; small enough for prompt cancellation.
constexpr std::int64_t kRowsPerChunk = 32;

// Squared sums of one chunk, kept per chunk and added in order at the end so that the result
// does not depend on how chunks were spread over threads (cached and fresh values agree).
struct ChunkSums {
    double sqErr = 0;
    double refSq = 0;
    double wSqErr = 0;
    double wRefSq = 0;
};

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = s.find_last_not_of(" \t");
    return std::string(s.substr(first, last - first + 1));
}

} // namespace

std::vector<GgmlType> defaultCandidateFormats() {
    return {GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K,   GgmlType::Q5_K,
            GgmlType::Q6_K, GgmlType::Q8_0, GgmlType::IQ4_XS, GgmlType::F16};
}

Result<std::vector<GgmlType>> parseFormatList(std::string_view text) {
    std::vector<GgmlType> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        const std::string name = trim(text.substr(start, comma - start));
        start = comma + 1;
        if (name.empty()) {
            continue;
        }
        const GgmlTypeInfo* info = ggmlTypeByName(upper(name));
        if (!info) {
            return makeError(ErrorCode::InvalidArgument, "unknown format '" + name + "'");
        }
        const QuantFormat* format = quantFormat(info->type);
        if (!format || !format->cpuQuantize || !format->cpuDequantize) {
            return makeError(ErrorCode::InvalidArgument,
                             "format " + std::string(info->name) + " cannot be produced here");
        }
        if (std::find(out.begin(), out.end(), info->type) != out.end()) {
            return makeError(ErrorCode::InvalidArgument,
                             "format " + std::string(info->name) + " is listed twice");
        }
        out.push_back(info->type);
    }
    if (out.empty()) {
        return makeError(ErrorCode::InvalidArgument, "the format list is empty");
    }
    return out;
}

const SensitivityPoint* SensitivityRow::find(GgmlType type) const {
    for (const auto& p : points) {
        if (p.type == type) {
            return &p;
        }
    }
    return nullptr;
}

const SensitivityRow* SensitivityTable::find(std::string_view name) const {
    for (const auto& r : rows) {
        if (r.name == name) {
            return &r;
        }
    }
    return nullptr;
}

double SensitivityTable::bitsPerWeight(std::uint64_t totalBytes) const {
    return totalParameters
               ? 8.0 * static_cast<double>(totalBytes) / static_cast<double>(totalParameters)
               : 0.0;
}

bool isOptimizableTensor(std::string_view name, std::size_t dims, bool includeEmbeddings) {
    if (dims < 2 || !name.ends_with(".weight")) {
        return false;
    }
    const TensorRole role = tensorRole(name);
    switch (role) {
    case TensorRole::TokenEmbedding:
    case TensorRole::Output:
        return includeEmbeddings;
    case TensorRole::OutputNorm:
    case TensorRole::AttnNorm:
    case TensorRole::FfnNorm:
    case TensorRole::AttnQNorm:
    case TensorRole::AttnKNorm:
    case TensorRole::PostAttnNorm:
    case TensorRole::PostFfnNorm:
    case TensorRole::FfnGateInp:
        return false;
    default:
        break;
    }
    // MoE routers and positional/type embeddings stay as they are (llama-quantize skips them).
    for (std::string_view keep : {"ffn_gate_inp", "pos_embd", "token_types", "_norm"}) {
        if (name.find(keep) != std::string_view::npos) {
            return false;
        }
    }
    return true;
}

Result<SensitivityTable> measureSensitivity(const Model& model, const SensitivityOptions& options,
                                            CancelToken& cancel, ProgressSink& progress) {
    SensitivityTable table;
    table.formats = options.formats.empty() ? defaultCandidateFormats() : options.formats;
    for (GgmlType type : table.formats) {
        const QuantFormat* f = quantFormat(type);
        if (!f || !f->cpuQuantize || !f->cpuDequantize) {
            return makeError(ErrorCode::InvalidArgument, "format " +
                                                             std::string(ggmlTypeInfo(type).name) +
                                                             " cannot be produced here");
        }
    }
    const int threads = effectiveThreads(static_cast<int>(options.threads));

    std::optional<SensitivityCache> cache;
    if (!options.cacheDir.empty()) {
        cache = SensitivityCache::open(options.cacheDir, sensitivityModelKey(model),
                                       sensitivityImatrixKey(options.imatrix));
        table.cacheFile = cache->path();
    }

    // The tensor's importance weights (an entry of the right width), or nullptr.
    auto importanceOf = [&](const TensorInfo& t) -> const ImatrixEntry* {
        const ImatrixEntry* entry = options.imatrix ? options.imatrix->find(t.name) : nullptr;
        return entry && entry->columns == static_cast<std::int64_t>(t.dims[0]) ? entry : nullptr;
    };
    // A format is a candidate for a tensor when its block divides the rows and, for the types
    // that cannot be made without importance weights (the i-quants below IQ3_S), the tensor
    // has them: token_embd, for one, never does.
    auto isCandidate = [&](GgmlType type, const TensorInfo& t, bool weighted) {
        return ggmlRowBytes(type, t.dims[0]).has_value() &&
               (weighted || !quantFormat(type)->requiresImatrix);
    };

    // Which tensors and how many points, for progress in real units.
    std::vector<std::size_t> selected;
    std::uint64_t totalPoints = 0;
    for (std::size_t i = 0; i < model.tensors().size(); ++i) {
        const TensorInfo& t = model.tensors()[i];
        table.totalParameters += t.elementCount();
        // An empty tensor (a zero dimension) has no error to measure and no bytes to save.
        if (!isOptimizableTensor(t.name, t.dims.size(), options.includeEmbeddings) ||
            t.elementCount() == 0) {
            table.fixedBytes += t.byteSize;
            continue;
        }
        const QuantFormat* source = quantFormat(t.type);
        if (!source || !source->cpuDequantize) {
            return makeError(ErrorCode::Unsupported, model.path() + ": tensor " + t.name +
                                                         " is stored as " +
                                                         std::string(ggmlTypeInfo(t.type).name) +
                                                         ", which cannot be read back to floats");
        }
        selected.push_back(i);
        const bool weighted = importanceOf(t) != nullptr;
        for (GgmlType type : table.formats) {
            totalPoints += isCandidate(type, t, weighted) ? 1 : 0;
        }
    }

    std::uint64_t donePoints = 0;
    std::vector<std::byte> stored;
    std::vector<float> source;
    Status failure;
    for (std::size_t i : selected) {
        const TensorInfo& t = model.tensors()[i];
        progress.progress(donePoints, totalPoints, "points", t.name);
        SensitivityRow row;
        row.name = t.name;
        row.role = t.role();
        row.layer = tensorLayerIndex(t.name).value_or(-1);
        row.sourceType = t.type;
        row.parameters = t.elementCount();
        const auto perRow = static_cast<std::int64_t>(t.dims[0]);
        const auto rows = static_cast<std::int64_t>(t.ggmlRows());
        const ImatrixEntry* entry = importanceOf(t);
        row.weighted = entry != nullptr;

        std::vector<GgmlType> toMeasure;
        std::uint64_t candidates = 0;
        for (GgmlType type : table.formats) {
            if (!isCandidate(type, t, row.weighted)) {
                continue;
            }
            const auto rowBytes = ggmlRowBytes(type, t.dims[0]);
            ++candidates;
            bool weighted = false;
            if (cache) {
                if (auto hit = cache->find(t.name, type, &weighted);
                    hit && weighted == row.weighted && hit->bytes == *rowBytes * rows) {
                    row.points.push_back(*hit);
                    ++table.cachedPoints;
                    continue;
                }
            }
            toMeasure.push_back(type);
        }

        if (!toMeasure.empty()) {
            stored.resize(t.byteSize);
            if (Status s = model.readTensorData(t, stored); !s) {
                return s.error();
            }
            source.resize(static_cast<std::size_t>(rows * perRow));
            if (Status s = dequantizeRow(t.type, stored.data(), source.data(), rows * perRow); !s) {
                return s.error();
            }
            // llama-quantize gives the first matrix's weights to every row (quantizeModel
            // does the same), so the error is measured on the bytes it would write.
            const float* importance = entry ? entry->matrixWeights(0).data() : nullptr;
            const std::int64_t chunks = (rows + kRowsPerChunk - 1) / kRowsPerChunk;
            const std::int64_t items = chunks * static_cast<std::int64_t>(toMeasure.size());
            std::vector<ChunkSums> sums(static_cast<std::size_t>(items));
            // One item (a chunk of rows in one format) per chunk of the loop.
            const Status measured = parallelFor(
                threads, items, 1,
                [&](std::int64_t item, std::int64_t) -> Status {
                    const GgmlType type = toMeasure[static_cast<std::size_t>(item / chunks)];
                    const std::int64_t first = (item % chunks) * kRowsPerChunk;
                    const std::int64_t count = std::min(kRowsPerChunk, rows - first);
                    const float* src = source.data() + first * perRow;
                    std::vector<std::byte> packed(static_cast<std::size_t>(
                        *ggmlRowBytes(type, t.dims[0]) * static_cast<std::uint64_t>(count)));
                    std::vector<float> back(static_cast<std::size_t>(count * perRow));
                    Status s = quantizeRows(type, src, packed.data(), count, perRow, importance);
                    if (s) {
                        s = dequantizeRow(type, packed.data(), back.data(), count * perRow);
                    }
                    if (!s) {
                        return s;
                    }
                    ChunkSums c;
                    for (std::int64_t r = 0; r < count; ++r) {
                        const float* x = src + r * perRow;
                        const float* q = back.data() + r * perRow;
                        for (std::int64_t j = 0; j < perRow; ++j) {
                            const double ref = x[j];
                            const double d = ref - static_cast<double>(q[j]);
                            c.sqErr += d * d;
                            c.refSq += ref * ref;
                            if (importance) {
                                c.wSqErr += importance[j] * d * d;
                                c.wRefSq += importance[j] * ref * ref;
                            }
                        }
                    }
                    sums[static_cast<std::size_t>(item)] = c;
                    return {};
                },
                {&cancel, "sensitivity measurement cancelled"});
            if (!measured) {
                if (measured.error().code != ErrorCode::Cancelled) {
                    return measured.error();
                }
                // Cancelled: the tensors finished so far are still saved to the cache below.
                failure = measured;
                break;
            }
            for (std::size_t f = 0; f < toMeasure.size(); ++f) {
                ChunkSums total;
                for (std::int64_t c = 0; c < chunks; ++c) {
                    const ChunkSums& s =
                        sums[static_cast<std::size_t>(static_cast<std::int64_t>(f) * chunks + c)];
                    total.sqErr += s.sqErr;
                    total.refSq += s.refSq;
                    total.wSqErr += s.wSqErr;
                    total.wRefSq += s.wRefSq;
                }
                SensitivityPoint p;
                p.type = toMeasure[f];
                p.bytes = *ggmlRowBytes(p.type, t.dims[0]) * static_cast<std::uint64_t>(rows);
                p.mse = total.sqErr / static_cast<double>(rows * perRow);
                if (entry && total.wRefSq > 0) {
                    p.error = total.wSqErr / total.wRefSq;
                } else {
                    p.error = total.refSq > 0 ? total.sqErr / total.refSq : total.sqErr;
                }
                row.points.push_back(p);
                ++table.computedPoints;
                if (cache) {
                    cache->insert(t.name, p, row.weighted);
                }
            }
        }
        std::sort(row.points.begin(), row.points.end(), [](const auto& a, const auto& b) {
            return a.bytes != b.bytes ? a.bytes < b.bytes : a.error < b.error;
        });
        if (row.points.empty()) {
            // No candidate fits its rows: it stays as stored.
            table.fixedBytes += t.byteSize;
        } else {
            table.rows.push_back(std::move(row));
        }
        donePoints += candidates;
    }
    if (cache) {
        // Saved even when cancelled: the finished tensors need not be measured again.
        if (Status s = cache->save(); !s) {
            return s.error();
        }
    }
    if (!failure) {
        return failure.error();
    }
    progress.progress(totalPoints, totalPoints, "points", "");
    return table;
}

} // namespace qs::core
