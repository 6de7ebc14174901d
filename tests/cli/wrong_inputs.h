#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

// Well-formed but wrong inputs (issue 24): files that every parser accepts whose numbers,
// shapes or names are wrong — weights with NaN/Inf/huge values, importance matrices with bad
// values, counts, lengths and names, plans with unknown types and tensors, Hugging Face configs
// that disagree with their tensors, evaluation texts that cannot be evaluated. Each case is a
// quantscope-cli command over its files with the exit code and message it must give.
//
// The files are made here from a tiny synthetic model (2 layers, 32 wide, 64 tokens, ~90 KB) and
// committed under tests/data/wrong; QS_WRITE_WRONG_CORPUS=1 tst_cli_wrong_inputs writes them
// anew, and the test checks that the committed files are what this generator makes.
namespace qs::test {

struct WrongInput {
    std::string name;
    // Paths relative to the corpus folder, shared by cases that name the same path.
    std::map<std::string, std::vector<std::uint8_t>> files;
    // CLI arguments; "{data}" is replaced by the corpus folder and "{out}" by a path in a
    // temporary folder that must not exist afterwards when the command fails.
    std::vector<std::string> args;
    int exitCode = 1;
    std::string message; // must appear in what the command printed (stderr or stdout)
};

// Builds every case. `work` is an empty scratch folder for intermediate files.
std::vector<WrongInput> wrongInputs(const std::string& work);

} // namespace qs::test
