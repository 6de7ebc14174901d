#include "cli/commands.h"

namespace qs::cli {

const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        {"devices", "List the Vulkan compute devices and the one used by default", &runDevices},
    };
    return table;
}

} // namespace qs::cli
