#pragma once

#include "core/error.h"
#include "core/jobs/job_control.h"
#include "core/workflows/calibrated_export.h"

#include <string>

// A GPTQ / AWQ export as `quantscope-cli gptq|awq` and the GUI's export dialog run it: the
// options normalized by the method's rules, then tokenize, quantize and write the folder
// (exportCalibratedCheckpoint). The calibration text is read with readEvalText there.
namespace qs::core {

class Model;

// `model` already open (the GUI's current model).
Result<CalibratedQuantization> runCalibratedExport(const Model& model, const std::string& outDir,
                                                   CalibratedExportOptions options,
                                                   CancelToken& cancel, ProgressSink& progress);

// Opens `modelPath` first. Invalid options fail before the model is read.
Result<CalibratedQuantization> runCalibratedExport(const std::string& modelPath,
                                                   const std::string& outDir,
                                                   CalibratedExportOptions options,
                                                   CancelToken& cancel, ProgressSink& progress);

} // namespace qs::core
