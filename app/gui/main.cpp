// quantscope: the desktop workbench.
#include "core/logging.h"
#include "core/paths.h"
#include "core/version.h"
#include "ui/app_paths.h"
#include "ui/windows/main_window.h"

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
    parser.addOptions({verbose, quiet, screenshot});
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
    QString modelPath = parser.positionalArguments().value(0);
    if (modelPath.isEmpty()) {
        modelPath = QString::fromStdString(qs::core::defaultSampleModel());
    }
    window.show();

    if (parser.isSet(screenshot)) {
        // Saved once the model is open (or has failed to open), so the picture shows it.
        const QString out = parser.value(screenshot);
        auto takeScreenshot = [&window, out, log] {
            const bool saved = window.grab().save(out, "PNG");
            if (saved) {
                log->info("Screenshot written to {}", out.toStdString());
            } else {
                log->error("{}: cannot write the screenshot", out.toStdString());
            }
            QApplication::exit(saved ? 0 : 1);
        };
        if (modelPath.isEmpty()) {
            QTimer::singleShot(0, &window, takeScreenshot);
        } else {
            // Deferred so that the layout requests posted by the new content run first.
            auto deferred = [&window, takeScreenshot] {
                QTimer::singleShot(100, &window, takeScreenshot);
            };
            QObject::connect(&window, &qs::ui::MainWindow::modelOpened, &window, deferred);
            QObject::connect(&window, &qs::ui::MainWindow::openFailed, &window, deferred);
        }
    }
    if (!modelPath.isEmpty()) {
        window.openModel(modelPath);
    }
    return QApplication::exec();
}
