#pragma once

#include "core/quant/ggml_type.h"

#include <cstdint>
#include <string>
#include <vector>

// Choices both front ends make the same way, so that `quantscope-cli` and the GUI give the
// same answer for the same model.
namespace qs::core {

class Model;
class QuantPlan;
struct LlamaPreset;

// The formats the optimizer measures for `model`: defaultCandidateFormats(), plus Q4_0 and
// Q5_0 when an optimizable tensor has rows that k-quant blocks (256) do not divide. llama.cpp
// falls back to those 32-element formats there; without them such tensors could only choose
// between Q8_0 and F16.
std::vector<GgmlType> optimizerCandidateFormats(const Model& model);

// general.file_type (a llama_ftype) of a GGUF written from `plan`: the preset's own when the
// plan is one (`preset`); otherwise the preset whose base type holds most parameters of the
// optimizable tensors (the _M variant where there are several), so tools that show the file
// type say something close to the truth. 0 (keep the input's) when no preset matches.
std::uint32_t planFileType(const Model& model, const QuantPlan& plan,
                           const LlamaPreset* preset = nullptr);

// The presets compared when the user names none: one per bit width from 2 to 8.
std::vector<std::string> defaultComparisonPresets();

} // namespace qs::core
