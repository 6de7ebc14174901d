#include "vkcompute/device_choice.h"

#include <charconv>

namespace qs::vk {

core::Result<DeviceChoice> parseDeviceChoice(const std::string& text) {
    DeviceChoice choice;
    if (text == "cpu") {
        choice.cpu = true;
        return choice;
    }
    if (text == "vulkan") {
        return choice;
    }
    constexpr std::string_view kPrefix = "vulkan:";
    if (text.rfind(kPrefix, 0) == 0) {
        const char* first = text.data() + kPrefix.size();
        const char* last = text.data() + text.size();
        int index = -1;
        // from_chars: no sign, no spaces, no trailing text ("vulkan:1x" is not device 1).
        const auto [end, ec] = std::from_chars(first, last, index);
        if (first != last && *first != '-' && ec == std::errc() && end == last) {
            choice.vulkanIndex = index;
            return choice;
        }
        return core::makeError(core::ErrorCode::InvalidArgument,
                               "device '" + text + "': expected vulkan:N with N >= 0");
    }
    return core::makeError(core::ErrorCode::InvalidArgument,
                           "device '" + text + "': expected cpu, vulkan or vulkan:N");
}

} // namespace qs::vk
