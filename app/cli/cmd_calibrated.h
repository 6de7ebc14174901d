#pragma once

#include <string>
#include <vector>

namespace qs::cli {

// The shared body of `gptq` and `awq` (cmd_gptq.cpp).
int runCalibratedCommand(const std::vector<std::string>& args, bool awq);

} // namespace qs::cli
