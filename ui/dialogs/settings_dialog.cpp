#include "ui/dialogs/settings_dialog.h"

#include "core/jobs/threads.h"
#include "ui/settings/translations.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

namespace qs::ui {
namespace {

// A line edit with a "…" button that opens a file or folder chooser.
QWidget* withBrowse(QLineEdit* edit, QWidget* parent, bool folder, const QString& title) {
    auto* row = new QWidget(parent);
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit, 1);
    auto* browse = new QToolButton(row);
    browse->setText(QStringLiteral("…"));
    browse->setToolTip(title);
    layout->addWidget(browse);
    QObject::connect(browse, &QToolButton::clicked, row, [edit, row, folder, title] {
        const QString path = folder ? QFileDialog::getExistingDirectory(row, title, edit->text())
                                    : QFileDialog::getOpenFileName(row, title, edit->text());
        if (!path.isEmpty()) {
            edit->setText(path);
        }
    });
    return row;
}

} // namespace

SettingsDialog::SettingsDialog(const AppSettings& settings, const QStringList& vulkanDevices,
                               QWidget* parent)
    : QDialog(parent)
    , m_devices(vulkanDevices)
    , m_backendCombo(new QComboBox(this))
    , m_deviceCombo(new QComboBox(this))
    , m_threadsSpin(new QSpinBox(this))
    , m_textEdit(new QLineEdit(this))
    , m_cacheEdit(new QLineEdit(this))
    , m_languageCombo(new QComboBox(this)) {
    setWindowTitle(tr("Settings"));
    setObjectName(QStringLiteral("settingsDialog"));
    m_backendCombo->setObjectName(QStringLiteral("backendCombo"));
    m_deviceCombo->setObjectName(QStringLiteral("deviceCombo"));
    m_threadsSpin->setObjectName(QStringLiteral("threadsSpin"));
    m_textEdit->setObjectName(QStringLiteral("evalTextEdit"));
    m_cacheEdit->setObjectName(QStringLiteral("cacheDirEdit"));
    m_languageCombo->setObjectName(QStringLiteral("languageCombo"));

    m_backendCombo->addItem(tr("CPU"), QStringLiteral("cpu"));
    m_backendCombo->addItem(tr("Vulkan"), QStringLiteral("vulkan"));
    m_backendCombo->setToolTip(tr("Device that dequantizes during runs"));
    m_backendCombo->setCurrentIndex(std::max(0, m_backendCombo->findData(settings.backend)));
    updateDeviceCombo();
    m_deviceCombo->setCurrentIndex(std::max(0, m_deviceCombo->findData(settings.deviceIndex)));
    connect(m_backendCombo, &QComboBox::currentIndexChanged, this,
            &SettingsDialog::updateDeviceCombo);

    m_threadsSpin->setRange(0, 1024);
    m_threadsSpin->setSpecialValueText(tr("automatic (%1)").arg(qs::core::effectiveThreads(0)));
    m_threadsSpin->setValue(settings.threads);
    m_threadsSpin->setToolTip(tr("Worker threads for quantization and evaluation"));

    m_textEdit->setText(settings.evalTextPath);
    m_textEdit->setPlaceholderText(bundledEvalText());
    m_textEdit->setToolTip(tr("Text used for perplexity, KL divergence and importance matrices; "
                              "empty: the bundled Shakespeare text"));
    m_cacheEdit->setText(settings.cacheDir);
    m_cacheEdit->setPlaceholderText(tr("system temporary folder"));
    m_cacheEdit->setToolTip(tr("Where the reference model's log-probabilities are cached"));

    m_languageCombo->addItem(tr("System language"), QString());
    m_languageCombo->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_languageCombo->addItem(QStringLiteral("Deutsch"), QStringLiteral("de"));
    m_languageCombo->addItem(QStringLiteral("简体中文"), QStringLiteral("zh_CN"));
    m_languageCombo->setCurrentIndex(std::max(0, m_languageCombo->findData(settings.language)));

    auto* form = new QFormLayout;
    form->addRow(tr("&Backend:"), m_backendCombo);
    form->addRow(tr("&Device:"), m_deviceCombo);
    form->addRow(tr("&Threads:"), m_threadsSpin);
    form->addRow(tr("Default &text:"),
                 withBrowse(m_textEdit, this, false, tr("Choose the evaluation text")));
    form->addRow(tr("&Cache folder:"),
                 withBrowse(m_cacheEdit, this, true, tr("Choose the cache folder")));
    form->addRow(tr("&Language:"), m_languageCombo);
    // Translations load once at start-up (every tr() has already run): say so exactly when
    // the choice differs from what the window shows now, not as permanent small print.
    auto* note = new QLabel(tr("A new language applies after a restart."), this);
    note->setObjectName(QStringLiteral("languageRestartNote"));
    note->setWordWrap(true);
    const auto updateNote = [this, note] {
        note->setVisible(resolveLanguage(m_languageCombo->currentData().toString()) !=
                         runningLanguage());
    };
    updateNote();
    connect(m_languageCombo, &QComboBox::currentIndexChanged, this, updateNote);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(buttons);
}

void SettingsDialog::updateDeviceCombo() {
    m_deviceCombo->clear();
    const bool vulkan = m_backendCombo->currentData().toString() == QLatin1String("vulkan");
    if (!vulkan) {
        m_deviceCombo->addItem(tr("Worker threads"), -1);
    } else {
        m_deviceCombo->addItem(tr("Preferred device"), -1);
        for (int i = 0; i < m_devices.size(); ++i) {
            m_deviceCombo->addItem(QStringLiteral("%1: %2").arg(i).arg(m_devices[i]), i);
        }
    }
    m_deviceCombo->setEnabled(vulkan);
}

AppSettings SettingsDialog::settings() const {
    AppSettings s;
    s.backend = m_backendCombo->currentData().toString();
    s.deviceIndex = m_deviceCombo->currentData().toInt();
    s.threads = m_threadsSpin->value();
    s.evalTextPath = m_textEdit->text().trimmed();
    s.cacheDir = m_cacheEdit->text().trimmed();
    s.language = m_languageCombo->currentData().toString();
    return s;
}

} // namespace qs::ui
