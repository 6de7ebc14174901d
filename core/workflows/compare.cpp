#include "core/workflows/compare.h"

#include "core/workflows/inputs.h"

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
    std::optional<ImportanceMatrix> storage;
    if (auto st = resolveImatrixInto(options, request.imatrixPath, storage); !st) {
        return st.error();
    }
    return compareVariantsOnTextFile(request.modelPath, request.textPath, options, cancel, progress,
                                     onVariant);
}

} // namespace qs::core
