#include "ui/app_paths.h"

#include <QDir>

namespace qs::ui {

QString stateDirectory() {
    QString base = qEnvironmentVariable("XDG_STATE_HOME");
    if (base.isEmpty()) {
        base = QDir::homePath() + QStringLiteral("/.local/state");
    }
    const QString dir = base + QStringLiteral("/quantscope");
    if (!QDir().mkpath(dir)) {
        return {};
    }
    return dir;
}

} // namespace qs::ui
