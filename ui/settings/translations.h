#pragma once

#include <QString>

namespace qs::ui {

// Installs the application's translation for `language` ("" = the system locale, "en" = none)
// and Qt's own strings (dialog buttons) in the same language where installed. The compiled
// catalogues are embedded by qt_add_translations under :/i18n. Call after QApplication exists.
void installTranslations(const QString& language);

} // namespace qs::ui
