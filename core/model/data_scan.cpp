#include "core/model/data_scan.h"

#include "core/model/model.h"
#include "core/quant/data_validation.h"

#include <algorithm>

namespace qs::core {
namespace {

constexpr std::uint64_t kSlabBytes = std::uint64_t{32} << 20;

} // namespace

Result<std::vector<TensorDataProblem>> scanModelData(const Model& model, CancelToken& cancel,
                                                     ProgressSink& progress) {
    std::uint64_t totalBytes = 0;
    for (const auto& t : model.tensors()) {
        totalBytes += t.byteSize;
    }
    std::vector<TensorDataProblem> problems;
    std::vector<std::byte> slab;
    std::uint64_t doneBytes = 0;
    for (const auto& t : model.tensors()) {
        const GgmlTypeInfo& info = ggmlTypeInfo(t.type);
        const std::uint64_t outerRows = t.outerRows();
        const std::uint64_t rowBytes = outerRows ? t.byteSize / outerRows : 0;
        if (rowBytes == 0 || info.isInteger) {
            doneBytes += t.byteSize;
            continue;
        }
        // ggml rows (dims[0] values) give the row and column of a problem.
        const std::uint64_t valueRowBytes =
            t.dims.empty() || t.ggmlRows() == 0 ? t.byteSize : t.byteSize / t.ggmlRows();
        const std::uint64_t rowsPerSlab = std::max<std::uint64_t>(1, kSlabBytes / rowBytes);
        TensorDataProblem found;
        for (std::uint64_t first = 0; first < outerRows; first += rowsPerSlab) {
            if (cancel.isCancelled()) {
                return makeError(ErrorCode::Cancelled, "data check cancelled");
            }
            const std::uint64_t count = std::min(rowsPerSlab, outerRows - first);
            slab.resize(count * rowBytes);
            if (Status s = model.readRows(t, first, count, slab); !s) {
                return s.error();
            }
            model.releaseRowPages(t, first, count);
            // Every bad value or block, not only the first: resume just past each one.
            std::span<const std::byte> rest(slab);
            std::uint64_t restOffset = first * rowBytes;
            while (auto bad = findInvalidData(t.type, rest)) {
                const std::uint64_t at = bad->index * info.bytesPerBlock;
                if (found.count++ == 0) {
                    const std::uint64_t byte = restOffset + at;
                    found.tensor = t.name;
                    found.firstRow = byte / valueRowBytes;
                    found.firstColumn = byte % valueRowBytes / info.bytesPerBlock * info.blockSize;
                    found.first = bad->describe();
                }
                rest = rest.subspan(at + info.bytesPerBlock);
                restOffset += at + info.bytesPerBlock;
            }
            doneBytes += count * rowBytes;
            progress.progress(doneBytes, totalBytes, "bytes", t.name);
        }
        model.releaseTensorPages(t);
        if (found.count) {
            problems.push_back(std::move(found));
        }
    }
    return problems;
}

} // namespace qs::core
