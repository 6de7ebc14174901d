#pragma once

#include <QString>

namespace qs::ui {

// Installs the application's translation for `language` ("" = the system locale, "en" = none)
// and Qt's own strings (dialog buttons) in the same language where installed. The compiled
// catalogues are embedded by qt_add_translations under :/i18n. Call after QApplication exists.
void installTranslations(const QString& language);

// The language a setting stands for ("" = the system locale): the translation it would
// install ("de", "zh_CN"), or "en" where there is none.
QString resolveLanguage(const QString& language);
// The language the running application shows, as resolveLanguage() names it ("en" until
// installTranslations() installs one). Translations load only at start-up.
QString runningLanguage();

} // namespace qs::ui
