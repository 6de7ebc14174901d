#pragma once

#include "core/error.h"

#include <string>

namespace qs::core {

// The evaluation text as llama-perplexity reads `-f FILE`: the whole file with one trailing
// newline removed (common's argument parser drops it), so token counts and chunks match.
Result<std::string> readEvalText(const std::string& path);

} // namespace qs::core
