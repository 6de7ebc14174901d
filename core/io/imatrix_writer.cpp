#include "core/io/imatrix_writer.h"

#include "core/fs/atomic_file.h"
#include "core/io/gguf_writer.h"
#include "core/quant/data_validation.h"

#include <algorithm>
#include <string_view>
#include <vector>

namespace qs::core {

namespace {

std::vector<const ImatrixEntry*> sortedEntries(const ImportanceMatrix& matrix) {
    std::vector<const ImatrixEntry*> entries;
    entries.reserve(matrix.entries.size());
    for (const ImatrixEntry& e : matrix.entries) {
        entries.push_back(&e);
    }
    std::stable_sort(
        entries.begin(), entries.end(),
        [](const ImatrixEntry* a, const ImatrixEntry* b) { return a->name < b->name; });
    return entries;
}

Status checkEntry(const ImatrixEntry& e) {
    const auto matrices = static_cast<std::size_t>(std::max<std::int64_t>(1, e.matrices));
    if (e.sums.empty() || e.sums.size() % matrices != 0 || e.counts.size() != matrices) {
        return makeError(ErrorCode::InvalidArgument,
                         "imatrix entry " + e.name + ": " + std::to_string(e.sums.size()) +
                             " sums and " + std::to_string(e.counts.size()) +
                             " counts do not fit " + std::to_string(matrices) + " matrices");
    }
    // A file with a NaN in it would be refused by llama-quantize (and by our reader): such
    // sums come from activations that were already broken, so say so instead of writing them.
    for (const auto* values : {&e.sums, &e.counts}) {
        if (const auto bad = findNonFinite(values->data(), values->size())) {
            return makeError(ErrorCode::Format,
                             "imatrix entry " + e.name + ": " +
                                 (values == &e.sums ? "sum " : "count ") + std::to_string(*bad) +
                                 " is " + nonFiniteName((*values)[*bad]) +
                                 "; nothing was written (the activations were not finite)");
        }
    }
    return {};
}

void appendBytes(std::vector<char>& out, const void* data, std::size_t n) {
    const auto* p = static_cast<const char*>(data);
    out.insert(out.end(), p, p + n);
}

void appendInt32(std::vector<char>& out, std::int32_t v) {
    appendBytes(out, &v, sizeof v);
}

} // namespace

Status writeImatrixGguf(const ImportanceMatrix& matrix, const std::string& path) {
    const auto entries = sortedEntries(matrix);
    Metadata meta;
    meta.set("general.type", MetaValue(std::string("imatrix")));
    meta.set("imatrix.datasets", MetaValue(MetaArray::ofStrings(matrix.datasets)));
    meta.set("imatrix.chunk_count", MetaValue(static_cast<std::uint32_t>(matrix.chunkCount)));
    meta.set("imatrix.chunk_size", MetaValue(static_cast<std::uint32_t>(matrix.chunkSize)));
    std::vector<GgufTensorSpec> specs;
    for (const ImatrixEntry* e : entries) {
        if (auto st = checkEntry(*e); !st) {
            return st;
        }
        const auto matrices = static_cast<std::uint64_t>(e->counts.size());
        std::vector<std::uint64_t> sumDims = {e->sums.size() / matrices};
        std::vector<std::uint64_t> countDims = {1};
        if (matrices > 1) {
            sumDims.push_back(matrices);
            countDims.push_back(matrices);
        }
        specs.push_back({e->name + ".in_sum2", sumDims, GgmlType::F32});
        specs.push_back({e->name + ".counts", countDims, GgmlType::F32});
    }
    auto writer = GgufWriter::create(path, meta, specs);
    if (!writer) {
        return writer.error();
    }
    for (const ImatrixEntry* e : entries) {
        for (const auto* values : {&e->sums, &e->counts}) {
            if (auto st = (*writer)->write(std::as_bytes(std::span(*values))); !st) {
                return st;
            }
        }
    }
    return (*writer)->finish();
}

Status writeImatrixDat(const ImportanceMatrix& matrix, const std::string& path) {
    const auto entries = sortedEntries(matrix);
    std::vector<char> out;
    appendInt32(out, static_cast<std::int32_t>(entries.size()));
    for (const ImatrixEntry* e : entries) {
        if (auto st = checkEntry(*e); !st) {
            return st;
        }
        appendInt32(out, static_cast<std::int32_t>(e->name.size()));
        appendBytes(out, e->name.data(), e->name.size());
        const std::size_t nval = e->sums.size();
        const std::size_t perMatrix = nval / e->counts.size();
        std::vector<float> values(nval);
        std::int32_t ncall = 0;
        if (matrix.format == ImatrixFormat::LegacyDat) {
            // Already mean * ncall, with counts = {ncall}.
            ncall = static_cast<std::int32_t>(e->counts.front());
            values = e->sums;
        } else {
            // llama-imatrix's save_imatrix_legacy: ncall is the largest count in chunks,
            // rounded up; each value is (sum / count) * ncall in f32, 1 * ncall without data.
            const float maxCount = *std::max_element(e->counts.begin(), e->counts.end());
            const auto chunkSize = std::max<std::int64_t>(1, matrix.chunkSize);
            ncall = static_cast<std::int32_t>(
                (static_cast<std::int64_t>(maxCount) + chunkSize - 1) / chunkSize);
            for (std::size_t i = 0; i < nval; ++i) {
                float count = e->counts[i / perMatrix];
                float value = e->sums[i];
                if (count == 0.0f) {
                    value = 1.0f;
                    count = 1.0f;
                }
                values[i] = (value / count) * static_cast<float>(ncall);
            }
        }
        appendInt32(out, ncall);
        appendInt32(out, static_cast<std::int32_t>(nval));
        appendBytes(out, values.data(), nval * sizeof(float));
    }
    appendInt32(out, static_cast<std::int32_t>(matrix.chunkCount));
    const std::string dataset = matrix.datasets.empty() ? std::string() : matrix.datasets.front();
    appendInt32(out, static_cast<std::int32_t>(dataset.size()));
    appendBytes(out, dataset.data(), dataset.size());

    return writeFileAtomically(path, std::string_view(out.data(), out.size()));
}

Status writeImatrix(const ImportanceMatrix& matrix, const std::string& path, ImatrixFormat format) {
    return format == ImatrixFormat::LegacyDat ? writeImatrixDat(matrix, path)
                                              : writeImatrixGguf(matrix, path);
}

} // namespace qs::core
