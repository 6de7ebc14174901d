#pragma once

#include "core/error.h"
#include "core/export/quantized_checkpoint.h"
#include "core/gptq/calibrate.h"
#include "core/jobs/job_control.h"

#include <cstdint>
#include <string>

namespace qs::core {

class Model;

// Everything one GPTQ / AWQ export needs, shared by `quantscope-cli gptq|awq` and the GUI's
// export dialog so both apply the same rules.
struct CalibratedExportOptions {
    CalibratedMethod method = CalibratedMethod::Gptq;
    GptqOptions gptq;
    CalibrationOptions calibration;
    QuantizedCheckpointOptions checkpoint;
    std::string calibrationText; // path of a plain-text file
    // An existing non-empty output folder is replaced (only once the new one is complete)
    // instead of refused. Callers ask the user first.
    bool replaceExisting = false;
};

// Applies the method's fixed settings (AWQ: 4 bits, asymmetric, "gemm"; GPTQ: asymmetric
// output as gptq_v2 (gptqCheckpointFormat), v1 zeros kept >= 1) and checks the rest (bits,
// group size, format, nsamples >= 1, seqlen >= 2, damping in (0, 1)).
// The message of a failure is meant for the user ("group size must be ...").
Status normalizeCalibratedOptions(CalibratedExportOptions& options);

// Bytes of the checkpoint's tensors: packed integer weights, f16 scales, packed zeros and
// g_idx of every block linear, every other tensor in F16. Excludes JSON and tokenizer files.
std::uint64_t expectedCheckpointBytes(const Model& model, const CalibratedExportOptions& options);

// Tokenizes the calibration text with the model's tokenizer, quantizes (quantizeCalibrated)
// and writes the checkpoint folder (writeQuantizedCheckpoint): `outDir` is complete or absent
// (an existing folder being replaced stays untouched until the new one is complete). Refuses
// an `outDir` that is, or holds, one of the model's own files. `options` must be normalized.
Result<CalibratedQuantization> exportCalibratedCheckpoint(const Model& model,
                                                          const std::string& outDir,
                                                          const CalibratedExportOptions& options,
                                                          CancelToken& cancel,
                                                          ProgressSink& progress);

} // namespace qs::core
