#pragma once

#include "core/error.h"
#include "core/jobs/job_control.h"
#include "core/workflows/compare_variants.h"

#include <functional>
#include <string>
#include <vector>

// Comparing variants of a model on a text file, as `quantscope-cli compare` and the GUI's
// Compare tab both run it.
namespace qs::core {

// The row name of a file variant given without one: a file by its stem, a folder by its name.
std::string fileVariantName(const std::string& path);

struct CompareRequest {
    std::string modelPath;
    std::string textPath; // read with readEvalText
    CompareVariantsOptions options;
    // Read when options.imatrix is not set; also the default of options.imatrixFileName.
    std::string imatrixPath;
};

Result<CompareVariantsResult>
runComparison(const CompareRequest& request, CancelToken& cancel, ProgressSink& progress,
              const std::function<void(const VariantResult&)>& onVariant = {});

} // namespace qs::core
