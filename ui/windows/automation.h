#pragma once

#include "ui/windows/gui_command_line.h"

#include <QObject>

namespace qs::ui {

class MainWindow;

// The command-line automation of `quantscope` for demos and tests: once the model is open,
// optionally apply a preset, run the plan and compare the variants; then show the asked tab,
// take the screenshot and quit when asked to.
class Automation : public QObject {
    Q_OBJECT

public:
    Automation(MainWindow* window, GuiOptions options);

    // Opens `modelPath` and runs the event loop until the application quits; returns its
    // exit status (1 when asked work failed or the screenshot could not be written).
    int exec(const QString& modelPath);

private:
    void modelOpened();
    void runFinished(bool ok);
    // Shows the final tab, then finishes once the layout requests posted by the new content
    // have run, so that the picture shows them.
    void finishDeferred(bool ok);
    void finish(bool ok);

    MainWindow* m_window;
    GuiOptions m_options;
};

} // namespace qs::ui
