#include "ui/windows/gui_command_line.h"

#include "core/workflows/policy.h"

#include <QCommandLineParser>
#include <QCoreApplication>

namespace qs::ui {

GuiOptions parseGuiCommandLine(const QCoreApplication& app) {
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
    QStringList defaultPresets;
    for (const std::string& name : core::defaultComparisonPresets()) {
        defaultPresets << QString::fromStdString(name);
    }
    const QCommandLineOption comparePresets(
        QStringLiteral("compare-presets"),
        QStringLiteral("Comma-separated presets for --compare (default %1).")
            .arg(defaultPresets.join(QLatin1Char(','))),
        QStringLiteral("list"));
    const QCommandLineOption compareContext(QStringLiteral("compare-ctx"),
                                            QStringLiteral("Context length for --compare."),
                                            QStringLiteral("tokens"));
    const QCommandLineOption compareChunks(
        QStringLiteral("compare-chunks"),
        QStringLiteral("Evaluate at most this many chunks of the text with --compare."),
        QStringLiteral("n"));
    const QCommandLineOption compareReference(
        QStringLiteral("compare-reference"),
        QStringLiteral("Measure --compare against this distribution, saved by llama-perplexity "
                       "--kl-divergence-base (its context is used)."),
        QStringLiteral("file"));
    const QCommandLineOption stallReport(
        QStringLiteral("stall-report"),
        QStringLiteral("Watch the GUI thread: log every stall over 100 ms and, at exit, the "
                       "longest one."));
    parser.addOptions({verbose, quiet, screenshot, device, preset, run, quit, tab, compare,
                       comparePresets, compareContext, compareChunks, compareReference,
                       stallReport});
    parser.addPositionalArgument(
        QStringLiteral("model"),
        QStringLiteral("GGUF file, HF folder or llama2.c checkpoint to open "
                       "(default: the bundled sample model)."),
        QStringLiteral("[model]"));
    parser.process(app);

    GuiOptions options;
    options.verbose = parser.isSet(verbose);
    options.quiet = parser.isSet(quiet);
    if (parser.isSet(device)) {
        options.device = parser.value(device);
    }
    options.modelPath = parser.positionalArguments().value(0);
    options.screenshotPath = parser.value(screenshot);
    options.preset = parser.value(preset);
    options.tab = parser.value(tab);
    options.run = parser.isSet(run);
    options.compare = parser.isSet(compare);
    options.quit = parser.isSet(quit);
    options.stallReport = parser.isSet(stallReport);
    if (parser.isSet(comparePresets)) {
        options.comparePresets =
            parser.value(comparePresets).split(QLatin1Char(','), Qt::SkipEmptyParts);
    }
    if (parser.isSet(compareContext)) {
        options.compareContext = parser.value(compareContext).toInt();
    }
    if (parser.isSet(compareChunks)) {
        options.compareChunks = parser.value(compareChunks).toInt();
    }
    options.compareReference = parser.value(compareReference);
    return options;
}

} // namespace qs::ui
