#pragma once

#include "ui/settings/app_settings.h"

#include <QDialog>
#include <QStringList>

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace qs::ui {

// Backend and device, worker threads, default evaluation text, cache folder and language.
// Edits an AppSettings value; the caller saves and applies it when accepted.
class SettingsDialog : public QDialog {
    Q_OBJECT

public:
    // `vulkanDevices`: names of the Vulkan devices the app found (index = device index).
    SettingsDialog(const AppSettings& settings, const QStringList& vulkanDevices,
                   QWidget* parent = nullptr);

    AppSettings settings() const;

private:
    void updateDeviceCombo();

    QStringList m_devices;
    QComboBox* m_backendCombo;
    QComboBox* m_deviceCombo;
    QSpinBox* m_threadsSpin;
    QLineEdit* m_textEdit;
    QLineEdit* m_cacheEdit;
    QComboBox* m_languageCombo;
};

} // namespace qs::ui
