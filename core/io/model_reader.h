#pragma once

#include "core/error.h"
#include "core/model/model.h"

#include <string>

namespace qs::core {

// Opens any supported model by looking at it: a GGUF file (by magic), a Hugging Face folder
// (or its config.json / model.safetensors / index file), or a llama2.c checkpoint (by a
// plausible header). `tokenizerPath` is used for llama2.c only.
Result<Model> openModel(const std::string& path, const std::string& tokenizerPath = {});

} // namespace qs::core
