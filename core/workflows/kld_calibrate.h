#pragma once

#include "core/error.h"
#include "core/jobs/job_control.h"
#include "core/plan/sensitivity.h"
#include "core/workflows/kld_calibration.h"

#include <string>

// KLD calibration of a sensitivity table on a text file (`quantscope-cli plan --calibrate-kld`):
// the text is read with readEvalText, as every evaluation reads it.
namespace qs::core {

// `options.text` is replaced by the contents of `textPath`.
Result<KldCalibration> calibrateKldOnTextFile(const std::string& modelPath,
                                              const SensitivityTable& table,
                                              const std::string& textPath,
                                              KldCalibrationOptions options, CancelToken& cancel,
                                              ProgressSink& progress);

} // namespace qs::core
