#include "core/workflows/compare.h"

#include "core/quant/imatrix.h"

#include <filesystem>
#include <optional>

namespace fs = std::filesystem;

namespace qs::core {

std::string fileVariantName(const std::string& path) {
    fs::path p = fs::path(path).lexically_normal();
    if (!p.has_filename()) {
        p = p.parent_path();
    }
    return fs::is_directory(p) ? p.filename().string() : p.stem().string();
}

Result<CompareVariantsResult>
runComparison(const CompareRequest& request, CancelToken& cancel, ProgressSink& progress,
              const std::function<void(const VariantResult&)>& onVariant) {
    CompareVariantsOptions options = request.options;
    std::optional<ImportanceMatrix> read;
    if (!options.imatrix && !request.imatrixPath.empty()) {
        auto matrix = readImatrix(request.imatrixPath);
        if (!matrix) {
            return matrix.error();
        }
        read = std::move(matrix).value();
        options.imatrix = &*read;
        if (options.imatrixFileName.empty()) {
            options.imatrixFileName = request.imatrixPath;
        }
    }
    return compareVariantsOnTextFile(request.modelPath, request.textPath, options, cancel, progress,
                                     onVariant);
}

} // namespace qs::core
