#pragma once

#include <QString>
#include <QStringList>

#include <optional>

class QCoreApplication;

namespace qs::ui {

// What `quantscope` was asked on its command line: logging, the compute device, the model to
// open and the automation for demos and tests (open, apply a preset, run, compare, show a
// tab, take a screenshot, quit).
struct GuiOptions {
    bool verbose = false;
    bool quiet = false;
    std::optional<QString> device; // "vulkan", "vulkan:N" or "cpu"; unset: the settings'
    QString modelPath;             // empty: the bundled sample model
    QString screenshotPath;
    QString preset;
    QString tab;
    bool run = false;
    bool compare = false;
    bool quit = false;
    bool stallReport = false;
    std::optional<QStringList> comparePresets;
    std::optional<int> compareContext;
    std::optional<int> compareChunks;
    QString compareReference; // a llama-perplexity --kl-divergence-base file
};

// Parses the application's arguments; --help, --version and usage errors exit, as
// QCommandLineParser::process does.
GuiOptions parseGuiCommandLine(const QCoreApplication& app);

} // namespace qs::ui
