#pragma once

#include "core/error.h"
#include "core/eval/eval_model.h"
#include "core/io/imatrix.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// The inputs every workflow reads the same way, so that no two of them assemble them twice.
namespace qs::core {

// The importance matrix a workflow runs with: `held` when the caller has one loaded, else the
// file at `path` (llama-imatrix .gguf or .dat) read into `storage`; nullptr when neither. A
// file read names itself in `fileName` (what quantize.imatrix.file records) unless set.
Result<const ImportanceMatrix*> resolveImatrix(const ImportanceMatrix* held,
                                               const std::string& path,
                                               std::optional<ImportanceMatrix>& storage,
                                               std::string& fileName);

// resolveImatrix into the `imatrix` and `imatrixFileName` of a workflow's options (quantize,
// compare).
template <class Options>
Status resolveImatrixInto(Options& options, const std::string& path,
                          std::optional<ImportanceMatrix>& storage) {
    auto imatrix = resolveImatrix(options.imatrix, path, storage, options.imatrixFileName);
    if (!imatrix) {
        return imatrix.error();
    }
    options.imatrix = *imatrix;
    return {};
}

// A model ready for the forward pass and a text tokenized for it.
struct EvalInputs {
    EvalModel model;                  // with a tokenizer
    std::string text;                 // as readEvalText read it
    std::vector<std::int32_t> tokens; // BOS first
};

// Opens `modelPath` (its tokenizer, or `tokenizerPath` over it) and reads `textPath` through
// readEvalText, the one reader of evaluation text. Fails when there is no tokenizer.
Result<EvalInputs> openEvalInputs(const std::string& modelPath, const std::string& tokenizerPath,
                                  const std::string& textPath);

} // namespace qs::core
