#pragma once

#include "core/error.h"
#include "core/eval/imatrix_collector.h"
#include "core/io/imatrix.h"
#include "core/io/imatrix_writer.h"
#include "core/jobs/job_control.h"

#include <cstddef>
#include <string>

// Importance-matrix collection from files, as `quantscope-cli imatrix` and the GUI's
// File → Collect Importance Matrix both run it: open the model, read the text through
// readEvalText, tokenize with BOS, collect (llama-imatrix's chunking) and write the file.
namespace qs::core {

struct ImatrixCollectionRequest {
    std::string modelPath;
    std::string tokenizerPath; // overrides the model's tokenizer; empty: the model's own
    std::string textPath;      // also stored as the dataset name, as llama-imatrix stores -f
    std::string outputPath;
    ImatrixFormat format = ImatrixFormat::Gguf;
    // contextLength, maxChunks, batchSize, ubatchSize; datasetName is set from textPath.
    ImatrixCollectOptions collect;
    int threads = 0; // effectiveThreads(threads)
};

struct ImatrixCollectionResult {
    ImportanceMatrix matrix;
    std::size_t textTokens = 0; // tokens of the whole text, BOS included
};

// Fails without writing anything when the model has no tokenizer or the text cannot be read;
// the output is written complete or not at all.
Result<ImatrixCollectionResult> collectImatrixFromFiles(const ImatrixCollectionRequest& request,
                                                        CancelToken& cancel,
                                                        ProgressSink& progress);

} // namespace qs::core
