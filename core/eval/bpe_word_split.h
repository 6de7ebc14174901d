#pragma once

#include "core/io/bpe_pre_tokenizer.h"

#include <string>
#include <string_view>
#include <vector>

namespace qs::core {

// The words of `text` under a byte-level BPE pre-tokenizer's expression (bpe_pre_tokenizer.h),
// as llama.cpp's hand-written scanners cut them: each the UTF-8 of a run of the text's code
// points (invalid UTF-8 bytes become U+FFFD, as in llama.cpp), in order, together the whole
// text. Gpt2, Llama3 and Qwen2 only (Tokenizer::create refuses the others).
std::vector<std::string> splitBpeWords(std::string_view text, BpeSplit split);

} // namespace qs::core
