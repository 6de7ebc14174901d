#include "ui/settings/app_settings.h"

#include "core/jobs/threads.h"
#include "core/paths.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace qs::ui {
namespace {

const QString kBackend = QStringLiteral("compute/backend");
const QString kDevice = QStringLiteral("compute/deviceIndex");
const QString kThreads = QStringLiteral("compute/threads");
const QString kEvalText = QStringLiteral("evaluation/textPath");
const QString kCacheDir = QStringLiteral("evaluation/cacheDir");
const QString kLanguage = QStringLiteral("ui/language");
const QString kPlanGridColouring = QStringLiteral("ui/planGridColouring");

} // namespace

AppSettings AppSettings::load() {
    const QSettings s;
    AppSettings a;
    a.backend = s.value(kBackend, QStringLiteral("vulkan")).toString();
    a.deviceIndex = s.value(kDevice, -1).toInt();
    a.threads = s.value(kThreads, 0).toInt();
    a.evalTextPath = s.value(kEvalText).toString();
    a.cacheDir = s.value(kCacheDir).toString();
    a.language = s.value(kLanguage).toString();
    return a;
}

void AppSettings::save() const {
    QSettings s;
    s.setValue(kBackend, backend);
    s.setValue(kDevice, deviceIndex);
    s.setValue(kThreads, threads);
    s.setValue(kEvalText, evalTextPath);
    s.setValue(kCacheDir, cacheDir);
    s.setValue(kLanguage, language);
}

QString AppSettings::effectiveEvalText() const {
    return evalTextPath.isEmpty() ? bundledEvalText() : evalTextPath;
}

int AppSettings::effectiveThreads() const {
    return qs::core::effectiveThreads(threads);
}

QString planGridColouring() {
    return QSettings().value(kPlanGridColouring, QStringLiteral("bits")).toString();
}

void savePlanGridColouring(const QString& colouring) {
    QSettings().setValue(kPlanGridColouring, colouring);
}

QString bundledEvalText() {
    const QString dir = QString::fromStdString(core::bundledResourcesDir());
    const QString path = QDir(dir).filePath(QStringLiteral("text/shakespeare-val-a.txt"));
    return QFileInfo::exists(path) ? path : QString();
}

QStringList availableLanguages() {
    return {QStringLiteral("en"), QStringLiteral("de"), QStringLiteral("zh_CN")};
}

} // namespace qs::ui
