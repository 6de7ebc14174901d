// quantscope: the desktop workbench. Wires what the ui library cannot reach itself (the Vulkan
// devices) and hands over to ui: command line, window, automation.
#include "core/compute/compute_backend.h"
#include "core/logging.h"
#include "core/paths.h"
#include "core/version.h"
#include "ui/app_paths.h"
#include "ui/settings/app_settings.h"
#include "ui/settings/translations.h"
#include "ui/windows/automation.h"
#include "ui/windows/gui_command_line.h"
#include "ui/windows/main_window.h"
#include "vkcompute/device_choice.h"
#include "vkcompute/device_info.h"
#include "vkcompute/vulkan_backend.h"

#include <QApplication>

#include <cstdio>
#include <spdlog/spdlog.h>

namespace {

// Without a display Qt aborts inside QApplication; say what to do instead.
bool displayAvailable() {
    return !qEnvironmentVariableIsEmpty("DISPLAY") ||
           !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
           !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

// A Vulkan backend (device `index`, -1 = the preferred one), else the CPU; `note` says why.
std::shared_ptr<qs::core::ComputeBackend> makeBackend(bool cpu, int index, std::string cpuNote,
                                                      std::string* note) {
    if (cpu) {
        *note = std::move(cpuNote);
        return qs::core::makeCpuBackend();
    }
    qs::vk::VulkanBackendOptions options;
    options.deviceIndex = index;
    return qs::vk::createPreferredBackend(options, note);
}

} // namespace

int main(int argc, char** argv) {
    if (!displayAvailable()) {
        std::fprintf(stderr,
                     "quantscope: no display found (DISPLAY and WAYLAND_DISPLAY are unset).\n"
                     "Run it under a virtual X server:  xvfb-run -a quantscope [MODEL]\n"
                     "or headless:                      QT_QPA_PLATFORM=offscreen quantscope "
                     "--screenshot out.png [MODEL]\n"
                     "The command-line tool needs no display: quantscope-cli --help\n");
        return 1;
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("quantscope"));
    QApplication::setApplicationDisplayName(QStringLiteral("Quantscope"));
    QApplication::setApplicationVersion(QString::fromLatin1(qs::core::kVersion));
    QApplication::setOrganizationName(QStringLiteral("Quantscope"));
    const qs::ui::AppSettings settings = qs::ui::AppSettings::load();
    qs::ui::installTranslations(settings.language);

    const qs::ui::GuiOptions options = qs::ui::parseGuiCommandLine(app);
    // A mistyped device is a usage error, as in quantscope-cli: not a silent fallback.
    const auto deviceChoice =
        qs::vk::parseDeviceChoice(options.device.value_or(QStringLiteral("vulkan")).toStdString());
    if (!deviceChoice) {
        std::fprintf(stderr, "quantscope: --%s\n", deviceChoice.error().message.c_str());
        return 2;
    }
    const auto verbosity = options.verbose ? qs::core::Verbosity::Verbose
                           : options.quiet ? qs::core::Verbosity::Quiet
                                           : qs::core::Verbosity::Normal;
    const QString stateDir = qs::ui::stateDirectory();
    const std::string logFile = stateDir.isEmpty()
                                    ? std::string()
                                    : (stateDir + QStringLiteral("/quantscope.log")).toStdString();
    if (const std::string problem = qs::core::initLogging(verbosity, logFile); !problem.empty()) {
        std::fprintf(stderr, "quantscope: %s\n", problem.c_str());
    }
    auto log = qs::core::moduleLogger(qs::core::kLogApp);
    log->info("Quantscope {} starting; log file {}", qs::core::kVersion, logFile);

    qs::ui::MainWindow window;
    // The settings dialog offers the Vulkan devices found and recreates the backend through
    // this factory; the ui library itself has no Vulkan dependency.
    QStringList deviceNames;
    if (auto devices = qs::vk::enumerateDevices(); devices) {
        for (const auto& d : *devices) {
            deviceNames << QString::fromStdString(d.name);
        }
    }
    window.setBackendFactory(deviceNames, [log](const QString& name, int index, QString* note) {
        std::string text;
        auto backend =
            makeBackend(name == QLatin1String("cpu"), index, "CPU chosen in the settings", &text);
        log->info("Compute backend: {} ({})", backend->name(), text);
        *note = QString::fromStdString(text);
        return backend;
    });
    if (!options.device) {
        window.applySettings(settings);
    } else {
        // Vulkan where a device works, else the CPU; the status bar says which and why.
        std::string note;
        auto backend = makeBackend(deviceChoice->cpu, deviceChoice->vulkanIndex,
                                   "CPU chosen with --device cpu", &note);
        log->info("Compute backend: {} ({})", backend->name(), note);
        window.setComputeBackend(std::move(backend), QString::fromStdString(note));
    }
    QString modelPath = options.modelPath;
    if (modelPath.isEmpty()) {
        modelPath = QString::fromStdString(qs::core::defaultSampleModel());
    }
    window.show();
    auto* automation = new qs::ui::Automation(&window, options);
    return automation->exec(modelPath);
}
