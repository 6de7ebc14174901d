#include "ui/settings/translations.h"

#include "ui/settings/app_settings.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace qs::ui {
namespace {

QString g_runningLanguage = QStringLiteral("en");

} // namespace

QString resolveLanguage(const QString& language) {
    if (language == QLatin1String("en")) {
        return language;
    }
    const QLocale locale = language.isEmpty() ? QLocale() : QLocale(language);
    // As QTranslator::load() falls back: "de" serves every German locale, "zh_CN" only itself.
    for (const QString& code : availableLanguages()) {
        const bool exact = locale.name() == code;
        const bool byLanguage =
            !code.contains(QLatin1Char('_')) && QLocale(code).language() == locale.language();
        if (code != QLatin1String("en") && (exact || byLanguage)) {
            return code;
        }
    }
    return QStringLiteral("en");
}

QString runningLanguage() {
    return g_runningLanguage;
}

void installTranslations(const QString& language) {
    if (language == QLatin1String("en")) {
        return;
    }
    const QLocale locale = language.isEmpty() ? QLocale() : QLocale(language);
    // Owned by the application, so they live as long as the strings they translate.
    auto* translator = new QTranslator(QCoreApplication::instance());
    if (translator->load(locale, QStringLiteral("quantscope"), QStringLiteral("_"),
                         QStringLiteral(":/i18n"))) {
        QCoreApplication::installTranslator(translator);
        // The catalogue's own language: the system's list of preferred languages may have
        // picked a later entry than the locale's name suggests.
        g_runningLanguage = resolveLanguage(translator->language());
    }
    auto* qtTranslator = new QTranslator(QCoreApplication::instance());
    if (qtTranslator->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                           QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(qtTranslator);
    }
}

} // namespace qs::ui
