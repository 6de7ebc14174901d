#pragma once

#include <QString>
#include <QStringList>

// The workbench's persistent settings (QSettings), read through one place so the settings
// dialog, the main window and the comparison view agree on keys and defaults.
namespace qs::ui {

struct AppSettings {
    QString backend;      // "cpu" or "vulkan"
    int deviceIndex = -1; // Vulkan device index; -1 = the preferred device
    int threads = 0;      // worker threads; 0 = one per core
    QString evalTextPath; // default evaluation text; empty = the bundled one
    QString cacheDir;     // reference log-prob cache; empty = system temp folder
    QString language;     // "" = the system locale, else "en", "de", "zh_CN"

    static AppSettings load();
    void save() const;

    // The evaluation text to use: evalTextPath, else the bundled Shakespeare validation text.
    QString effectiveEvalText() const;
    // threads, or every hardware thread when 0 (qs::core::effectiveThreads).
    int effectiveThreads() const;
};

// The plan grid's colouring, "bits" (the default) or "error". Kept apart from AppSettings, which
// the settings dialog writes whole: the grid's own control sets it.
QString planGridColouring();
void savePlanGridColouring(const QString& colouring);

// The bundled default evaluation text (resources/text/shakespeare-val-a.txt); empty if absent.
QString bundledEvalText();
// The languages with a translation, as codes ("en" first) for the settings dialog.
QStringList availableLanguages();

} // namespace qs::ui
