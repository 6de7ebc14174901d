#pragma once

#include <QDockWidget>

class QPlainTextEdit;

namespace qs::ui {

// A dock that shows every record of the module loggers (core, vk, ui, app). Records arrive
// from any thread through a spdlog sink and are appended on the GUI thread.
class LogDock : public QDockWidget {
    Q_OBJECT

public:
    explicit LogDock(QWidget* parent = nullptr);

    QString text() const;

public slots:
    void appendRecord(int level, const QString& logger, const QString& message);

private:
    QPlainTextEdit* m_view;
};

} // namespace qs::ui
