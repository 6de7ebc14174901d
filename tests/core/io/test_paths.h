#pragma once

#include <QFileInfo>
#include <QString>

// Inputs of the I/O tests. Everything the core checks need is in the repository; the
// shared model folder, when present, adds the larger shakespeare-3M checks.
inline QString bundledGguf(const char* name) {
    return QStringLiteral(QS_RESOURCES_DIR "/models/") + QLatin1String(name);
}
inline QString ioData(const char* relative) {
    return QStringLiteral(QS_IO_DATA_DIR "/") + QLatin1String(relative);
}
inline QString sharedModels() {
    const QString dir = QStringLiteral(QS_SHARED_MODELS_DIR);
    return QFileInfo(dir).isDir() ? QFileInfo(dir).canonicalFilePath() : QString();
}
