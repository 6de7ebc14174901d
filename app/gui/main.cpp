// quantscope: the desktop workbench.
#include "core/compute/compute_backend.h"
#include "core/logging.h"
#include "core/paths.h"
#include "core/plan/llama_presets.h"
#include "core/version.h"
#include "ui/app_paths.h"
#include "ui/compare/compare_view.h"
#include "ui/jobs/stall_monitor.h"
#include "ui/plan/plan_document.h"
#include "ui/settings/app_settings.h"
#include "ui/windows/main_window.h"
#include "vkcompute/device_choice.h"
#include "vkcompute/device_info.h"
#include "vkcompute/vulkan_backend.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLibraryInfo>
#include <QLocale>
#include <QTimer>
#include <QTranslator>

#include <cstdio>
#include <cstdlib>
#include <spdlog/spdlog.h>

namespace {

// Without a display Qt aborts inside QApplication; say what to do instead.
bool displayAvailable() {
    return !qEnvironmentVariableIsEmpty("DISPLAY") ||
           !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
           !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
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

    // The compiled translations are embedded by qt_add_translations under :/i18n. The
    // language is the settings' choice, else the system locale's.
    const qs::ui::AppSettings settings = qs::ui::AppSettings::load();
    QTranslator translator;
    QTranslator qtTranslator;
    if (settings.language != QLatin1String("en")) {
        const QLocale locale = settings.language.isEmpty() ? QLocale() : QLocale(settings.language);
        if (translator.load(locale, QStringLiteral("quantscope"), QStringLiteral("_"),
                            QStringLiteral(":/i18n"))) {
            QApplication::installTranslator(&translator);
        }
        // Qt's own strings (dialog buttons) in the same language, where installed.
        if (qtTranslator.load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                              QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
            QApplication::installTranslator(&qtTranslator);
        }
    }

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Workbench for quantizing large language models."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption verbose(QStringLiteral("verbose"),
                                     QStringLiteral("Log debug details."));
    const QCommandLineOption quiet(QStringLiteral("quiet"),
                                   QStringLiteral("Log only warnings and errors."));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("Render the main window to a PNG file once the model is open, then exit."),
        QStringLiteral("file"));
    const QCommandLineOption device(
        QStringLiteral("device"),
        QStringLiteral("Compute device for runs: 'vulkan' (the preferred Vulkan device), "
                       "'vulkan:N' (device N of quantscope-cli devices) or 'cpu'."),
        QStringLiteral("device"), QStringLiteral("vulkan"));
    const QCommandLineOption preset(
        QStringLiteral("preset"),
        QStringLiteral("Apply a llama-quantize preset to the plan (e.g. Q4_K_M)."),
        QStringLiteral("preset"));
    const QCommandLineOption run(QStringLiteral("run"),
                                 QStringLiteral("Run the plan once the model is open."));
    const QCommandLineOption quit(
        QStringLiteral("quit"),
        QStringLiteral("Quit when the requested work (and screenshot) is done."));
    const QCommandLineOption tab(
        QStringLiteral("tab"),
        QStringLiteral("Work tab to show at the end: plan, results, error, memory, compare, "
                       "compare-kld, compare-ppl or compare-speed."),
        QStringLiteral("tab"));
    const QCommandLineOption compare(
        QStringLiteral("compare"),
        QStringLiteral("Compare the quantized variants once the model is open (after --run)."));
    const QCommandLineOption comparePresets(
        QStringLiteral("compare-presets"),
        QStringLiteral("Comma-separated presets for --compare (default Q2_K,Q3_K_M,Q4_K_M,"
                       "Q5_K_M,Q6_K,Q8_0)."),
        QStringLiteral("list"));
    const QCommandLineOption compareContext(QStringLiteral("compare-ctx"),
                                            QStringLiteral("Context length for --compare."),
                                            QStringLiteral("tokens"));
    const QCommandLineOption compareChunks(
        QStringLiteral("compare-chunks"),
        QStringLiteral("Evaluate at most this many chunks of the text with --compare."),
        QStringLiteral("n"));
    const QCommandLineOption stallReport(
        QStringLiteral("stall-report"),
        QStringLiteral("Watch the GUI thread: log every stall over 100 ms and, at exit, the "
                       "longest one."));
    parser.addOptions({verbose, quiet, screenshot, device, preset, run, quit, tab, compare,
                       comparePresets, compareContext, compareChunks, stallReport});
    parser.addPositionalArgument(
        QStringLiteral("model"),
        QStringLiteral("GGUF file, HF folder or llama2.c checkpoint to open "
                       "(default: the bundled sample model)."),
        QStringLiteral("[model]"));
    parser.process(app);
    // A mistyped device is a usage error, as in quantscope-cli: not a silent fallback.
    const auto deviceChoice = qs::vk::parseDeviceChoice(parser.value(device).toStdString());
    if (!deviceChoice) {
        std::fprintf(stderr, "quantscope: --%s\n", deviceChoice.error().message.c_str());
        return 2;
    }

    const auto verbosity = parser.isSet(verbose) ? qs::core::Verbosity::Verbose
                           : parser.isSet(quiet) ? qs::core::Verbosity::Quiet
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
    {
        // The settings dialog offers the Vulkan devices found and recreates the backend
        // through this factory; the ui library itself has no Vulkan dependency.
        QStringList deviceNames;
        if (auto devices = qs::vk::enumerateDevices(); devices) {
            for (const auto& d : *devices) {
                deviceNames << QString::fromStdString(d.name);
            }
        }
        window.setBackendFactory(deviceNames,
                                 [log](const QString& backendName, int deviceIndex, QString* note) {
                                     std::shared_ptr<qs::core::ComputeBackend> backend;
                                     std::string text;
                                     if (backendName == QLatin1String("cpu")) {
                                         backend = qs::core::makeCpuBackend();
                                         text = "CPU chosen in the settings";
                                     } else {
                                         qs::vk::VulkanBackendOptions options;
                                         options.deviceIndex = deviceIndex;
                                         backend = qs::vk::createPreferredBackend(options, &text);
                                     }
                                     log->info("Compute backend: {} ({})", backend->name(), text);
                                     *note = QString::fromStdString(text);
                                     return backend;
                                 });
    }
    if (!parser.isSet(device)) {
        window.applySettings(settings);
    } else {
        // Vulkan where a device works, else the CPU; the status bar says which and why.
        std::shared_ptr<qs::core::ComputeBackend> backend;
        std::string note;
        if (deviceChoice->cpu) {
            backend = qs::core::makeCpuBackend();
            note = "CPU chosen with --device cpu";
        } else {
            qs::vk::VulkanBackendOptions options;
            options.deviceIndex = deviceChoice->vulkanIndex;
            backend = qs::vk::createPreferredBackend(options, &note);
        }
        log->info("Compute backend: {} ({})", backend->name(), note);
        window.setComputeBackend(std::move(backend), QString::fromStdString(note));
    }
    QString modelPath = parser.positionalArguments().value(0);
    if (modelPath.isEmpty()) {
        modelPath = QString::fromStdString(qs::core::defaultSampleModel());
    }
    window.show();

    // Automation for demos and tests: open, optionally apply a preset and run, then take the
    // screenshot and/or quit once everything asked for is done.
    const bool wantRun = parser.isSet(run);
    const bool wantCompare = parser.isSet(compare);
    if (parser.isSet(comparePresets)) {
        window.compareView()->setCheckedPresets(
            parser.value(comparePresets).split(QLatin1Char(','), Qt::SkipEmptyParts));
    }
    if (parser.isSet(compareContext)) {
        window.compareView()->setContextLength(parser.value(compareContext).toInt());
    }
    if (parser.isSet(compareChunks)) {
        window.compareView()->setMaxChunks(parser.value(compareChunks).toInt());
    }
    const QString screenshotPath = parser.value(screenshot);
    const bool quitWhenDone = parser.isSet(quit) || !screenshotPath.isEmpty();
    const QString finalTab = parser.value(tab);
    auto finishAutomation = [&window, screenshotPath, quitWhenDone, log](bool ok) {
        bool saved = true;
        if (!screenshotPath.isEmpty()) {
            saved = window.grab().save(screenshotPath, "PNG");
            if (saved) {
                log->info("Screenshot written to {}", screenshotPath.toStdString());
            } else {
                log->error("{}: cannot write the screenshot", screenshotPath.toStdString());
            }
        }
        if (quitWhenDone) {
            QApplication::exit(saved && ok ? 0 : 1);
        }
    };
    // Deferred so that layout requests posted by the new content run before the picture.
    auto deferredFinish = [&window, finishAutomation, finalTab, log](bool ok) {
        if (!finalTab.isEmpty() && !window.showTab(finalTab)) {
            log->error("unknown tab {}", finalTab.toStdString());
        }
        QTimer::singleShot(150, &window, [finishAutomation, ok] { finishAutomation(ok); });
    };
    const QString presetName = parser.value(preset);
    QObject::connect(&window, &qs::ui::MainWindow::modelOpened, &window,
                     [&window, presetName, wantRun, wantCompare, deferredFinish, log] {
                         if (!presetName.isEmpty()) {
                             const auto* p = qs::core::llamaPresetByName(presetName.toStdString());
                             if (!p) {
                                 log->error("unknown preset {}", presetName.toStdString());
                                 deferredFinish(false);
                                 return;
                             }
                             window.planDocument()->applyPreset(*p);
                         }
                         if (wantRun) {
                             window.runPlan();
                         } else if (wantCompare) {
                             window.runComparison();
                         } else {
                             deferredFinish(true);
                         }
                     });
    QObject::connect(&window, &qs::ui::MainWindow::runFinished, &window,
                     [&window, wantCompare, deferredFinish](bool ok) {
                         if (ok && wantCompare) {
                             window.runComparison();
                         } else {
                             deferredFinish(ok);
                         }
                     });
    QObject::connect(&window, &qs::ui::MainWindow::comparisonFinished, &window, deferredFinish);
    QObject::connect(&window, &qs::ui::MainWindow::openFailed, &window,
                     [deferredFinish] { deferredFinish(false); });
    qs::ui::UiStallMonitor stallMonitor;
    if (parser.isSet(stallReport)) {
        stallMonitor.setLogStalls(true);
        stallMonitor.start();
    }
    if (!modelPath.isEmpty()) {
        window.openModel(modelPath);
    } else if (quitWhenDone) {
        deferredFinish(true);
    }
    const int status = QApplication::exec();
    if (parser.isSet(stallReport)) {
        stallMonitor.stop();
        log->info("{}", stallMonitor.summary().toStdString());
    }
    return status;
}
