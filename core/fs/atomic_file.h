#pragma once

#include "core/error.h"

#include <string>
#include <string_view>

namespace qs::core {

// Writes `bytes` to `path` through a temporary file beside it that is renamed at the end, so
// readers see the old file or the complete new one, never a partial write (a full disk leaves
// the destination untouched and reports NoSpace). For small files (plans, sessions, configs);
// large outputs stream through GgufWriter.
Status writeFileAtomically(const std::string& path, std::string_view bytes);

} // namespace qs::core
