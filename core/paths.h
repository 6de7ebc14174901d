#pragma once

#include <string>

namespace qs::core {

// Where the bundled sample models and texts live: <prefix>/share/quantscope when the running
// binary is installed, else the source tree's resources/ folder it was built from.
std::string bundledResourcesDir();

// The bundled sample model opened by default: shakespeare-3M (F16) where present, else
// stories260K (F32). Empty when neither exists.
std::string defaultSampleModel();

} // namespace qs::core
