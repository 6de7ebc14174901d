// quantscope: the desktop workbench.
#include "core/compute/compute_backend.h"
#include "core/logging.h"
#include "core/paths.h"
#include "core/plan/llama_presets.h"
#include "core/version.h"
#include "ui/app_paths.h"
#include "ui/plan/plan_document.h"
#include "ui/windows/main_window.h"
#include "vkcompute/vulkan_backend.h"

#include <QApplication>
#include <QCommandLineParser>
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

    // The compiled translations are embedded by qt_add_translations under :/i18n.
    QTranslator translator;
    if (translator.load(QLocale(), QStringLiteral("quantscope"), QStringLiteral("_"),
                        QStringLiteral(":/i18n"))) {
        QApplication::installTranslator(&translator);
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
        QStringLiteral("Work tab to show at the end: plan, results, error or memory."),
        QStringLiteral("tab"));
    parser.addOptions({verbose, quiet, screenshot, device, preset, run, quit, tab});
    parser.addPositionalArgument(
        QStringLiteral("model"),
        QStringLiteral("GGUF file, HF folder or llama2.c checkpoint to open "
                       "(default: the bundled sample model)."),
        QStringLiteral("[model]"));
    parser.process(app);

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
        // Vulkan where a device works, else the CPU; the status bar says which and why.
        const QString choice = parser.value(device);
        std::shared_ptr<qs::core::ComputeBackend> backend;
        std::string note;
        if (choice == QLatin1String("cpu")) {
            backend = qs::core::makeCpuBackend();
            note = "CPU chosen with --device cpu";
        } else {
            qs::vk::VulkanBackendOptions options;
            if (choice.startsWith(QLatin1String("vulkan:"))) {
                options.deviceIndex = choice.mid(7).toInt();
            }
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
                     [&window, presetName, wantRun, deferredFinish, log] {
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
                         } else {
                             deferredFinish(true);
                         }
                     });
    QObject::connect(&window, &qs::ui::MainWindow::runFinished, &window, deferredFinish);
    QObject::connect(&window, &qs::ui::MainWindow::openFailed, &window,
                     [deferredFinish] { deferredFinish(false); });
    if (!modelPath.isEmpty()) {
        window.openModel(modelPath);
    } else if (quitWhenDone) {
        deferredFinish(true);
    }
    return QApplication::exec();
}
