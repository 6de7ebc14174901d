#include "cli/cmd_calibrated.h"
#include "cli/commands.h"

namespace qs::cli {

int runAwq(const std::vector<std::string>& args) {
    return runCalibratedCommand(args, true);
}

} // namespace qs::cli
