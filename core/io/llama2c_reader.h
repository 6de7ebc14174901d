#pragma once

#include "core/error.h"
#include "core/model/metadata.h"
#include "core/model/model.h"

#include <string>

namespace qs::core {

// Opens a llama2.c checkpoint (legacy "version 0": 7 int32 header, float32 arrays in run.c
// order; a negative vocab_size marks a separate classifier). Tensors are zero-copy views
// into the mapping under their GGUF names; a shared classifier is exposed as output.weight
// over the embedding bytes, as llama.cpp's llama2.c converter writes it.
// `tokenizerPath` empty: looks for tokenizer.bin or tok<vocab>.bin beside the checkpoint;
// without one the model has no tokenizer metadata (logged as a warning).
Result<Model> readLlama2c(const std::string& path, const std::string& tokenizerPath = {});

// Reads a llama2.c tokenizer.bin into GGUF tokenizer metadata (tokenizer.ggml.model =
// "llama", tokens with spaces as U+2581, scores, token types, unk/bos/eos = 0/1/2).
Status readLlama2cTokenizer(const std::string& path, std::uint32_t vocabSize, Metadata& out);

// True when the file starts like a llama2.c checkpoint header (plausible positive sizes).
bool looksLikeLlama2c(const std::string& path);

} // namespace qs::core
