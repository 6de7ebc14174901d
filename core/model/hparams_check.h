#pragma once

#include "core/error.h"

#include <string>

namespace qs::core {

class Model;

// Checks a model's hyper-parameters against the tensors it actually has, so that nothing is
// ever sized from a number the tensors contradict (a config.json claiming 10^9 layers for a
// file with 4): the layer count against the blk.N tensors present, the embedding width, the
// vocabulary, the attention head counts and the feed-forward width against the shapes of
// token_embd and the first block's matrices. Keys that are absent are not checked; models
// without an architecture (an imatrix file) pass. The error names the model, the key, its
// value and the tensor that disagrees.
// `source` names the file the hyper-parameters came from in messages (default: the model).
Status checkHyperparameters(const Model& model, const std::string& source = {});

} // namespace qs::core
