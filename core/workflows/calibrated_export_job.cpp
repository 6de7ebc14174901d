#include "core/workflows/calibrated_export_job.h"

#include "core/io/model_reader.h"
#include "core/model/model.h"

namespace qs::core {

Result<CalibratedQuantization> runCalibratedExport(const Model& model, const std::string& outDir,
                                                   CalibratedExportOptions options,
                                                   CancelToken& cancel, ProgressSink& progress) {
    if (auto st = normalizeCalibratedOptions(options); !st) {
        return st.error();
    }
    return exportCalibratedCheckpoint(model, outDir, options, cancel, progress);
}

Result<CalibratedQuantization> runCalibratedExport(const std::string& modelPath,
                                                   const std::string& outDir,
                                                   CalibratedExportOptions options,
                                                   CancelToken& cancel, ProgressSink& progress) {
    if (auto st = normalizeCalibratedOptions(options); !st) {
        return st.error();
    }
    auto model = openModel(modelPath);
    if (!model) {
        return model.error();
    }
    return exportCalibratedCheckpoint(*model, outDir, options, cancel, progress);
}

} // namespace qs::core
