#pragma once

#include <QMainWindow>
#include <QString>

#include <memory>

namespace Ui {
class MainWindow;
}

namespace qs::ui {

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a model file or folder; on failure shows the reason in the window and returns false.
    bool openModel(const QString& path);
    QString currentModelPath() const { return m_modelPath; }

signals:
    void modelOpened(const QString& path);

private slots:
    void chooseAndOpenModel();
    void showAbout();

private:
    std::unique_ptr<::Ui::MainWindow> m_ui;
    QString m_modelPath;
};

} // namespace qs::ui
