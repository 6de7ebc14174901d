#pragma once

#include <QString>

namespace qs::ui {

// The folder for the GUI's log file: $XDG_STATE_HOME/quantscope, else ~/.local/state/quantscope
// (Qt 6.4 has no QStandardPaths location for state). Created on demand; empty on failure.
QString stateDirectory();

} // namespace qs::ui
