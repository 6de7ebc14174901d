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
// With an importance matrix (`hasImatrix`) also the i-quants between 2 and 3.5 bits that
// llama.cpp's own low-bit presets use (IQ2_XXS, IQ2_S, IQ3_XXS, IQ3_S): below ~3.3 bits they
// beat the k-quants at equal size, and without an imatrix they cannot be made.
std::vector<GgmlType> optimizerCandidateFormats(const Model& model, bool hasImatrix = false);

// general.file_type (a llama_ftype) of a GGUF written from `plan`: the preset's own when the
// plan is one (`preset`); otherwise the preset whose base type holds most parameters of the
// optimizable tensors (the _M variant where there are several), so tools that show the file
// type say something close to the truth. 0 (keep the input's) when no preset matches.
std::uint32_t planFileType(const Model& model, const QuantPlan& plan,
                           const LlamaPreset* preset = nullptr);

// The presets compared when the user names none: one per bit width from 2 to 8.
std::vector<std::string> defaultComparisonPresets();

// Whether quantizing `model` with `preset` and no importance matrix would be refused (some
// tensor gets an i-quant, or Q2_K in a Q2_K_S file): the GUI offers such presets only once an
// importance matrix is loaded.
bool presetNeedsImatrix(const Model& model, const LlamaPreset& preset);

} // namespace qs::core
