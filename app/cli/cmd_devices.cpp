#include "cli/cli_common.h"
#include "cli/commands.h"

#include "vkcompute/device_info.h"

#include <iostream>
#include <nlohmann/json.hpp>

namespace qs::cli {

int runDevices(const std::vector<std::string>& args) {
    ArgParser parser("devices", "List the Vulkan devices that can run Quantscope's kernels.\n"
                                "The marked device is the default; pick another with --device N "
                                "where a command offers it.");
    parser.addFlag("json", "Print the list as JSON");
    int exitCode = kExitOk;
    if (!parseOrExit(parser, args, exitCode)) {
        return exitCode;
    }
    auto devices = vk::enumerateDevices();
    if (!devices) {
        return reportError(devices.error());
    }
    const std::size_t preferred = vk::preferredDeviceIndex(*devices);
    if (parser.isSet("json")) {
        nlohmann::json list = nlohmann::json::array();
        for (std::size_t i = 0; i < devices->size(); ++i) {
            const auto& d = (*devices)[i];
            list.push_back({{"index", d.index},
                            {"name", d.name},
                            {"kind", vk::deviceKindName(d.kind)},
                            {"api", std::to_string(d.apiVersionMajor) + "." +
                                        std::to_string(d.apiVersionMinor)},
                            {"driver", d.driverInfo},
                            {"max_storage_buffer_range", d.maxStorageBufferRange},
                            {"subgroup_size", d.subgroupSize},
                            {"default", i == preferred}});
        }
        std::cout << list.dump(2) << "\n";
        return kExitOk;
    }
    if (devices->empty()) {
        std::cout << "No Vulkan device with a compute queue was found.\n";
        return kExitOk;
    }
    for (std::size_t i = 0; i < devices->size(); ++i) {
        const auto& d = (*devices)[i];
        std::cout << (i == preferred ? "* " : "  ") << d.index << ": " << d.name << " ("
                  << vk::deviceKindName(d.kind) << ", Vulkan " << d.apiVersionMajor << "."
                  << d.apiVersionMinor << ", " << d.driverInfo << ", subgroup " << d.subgroupSize
                  << ", max storage buffer " << (d.maxStorageBufferRange >> 20) << " MiB)\n";
    }
    return kExitOk;
}

} // namespace qs::cli
