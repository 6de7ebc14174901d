#include "core/workflows/kld_calibrate.h"

#include "core/eval/text_input.h"

namespace qs::core {

Result<KldCalibration> calibrateKldOnTextFile(const std::string& modelPath,
                                              const SensitivityTable& table,
                                              const std::string& textPath,
                                              KldCalibrationOptions options, CancelToken& cancel,
                                              ProgressSink& progress) {
    auto text = readEvalText(textPath);
    if (!text) {
        return text.error();
    }
    options.text = std::move(text).value();
    return calibrateWithKld(modelPath, table, options, cancel, progress);
}

} // namespace qs::core
