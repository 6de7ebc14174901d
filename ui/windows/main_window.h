#pragma once

#include <QMainWindow>
#include <QString>

#include <memory>

namespace Ui {
class MainWindow;
}
namespace qs::core {
class Model;
}

namespace qs::ui {

class JobRunner;
class LogDock;
class PlanDocument;
class PlanEditor;
class TensorTreeModel;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a model file or folder in the background; modelOpened or openFailed follows.
    void openModel(const QString& path);
    QString currentModelPath() const { return m_modelPath; }
    std::shared_ptr<const core::Model> model() const { return m_model; }
    PlanDocument* planDocument() const { return m_plan; }
    PlanEditor* planEditor() const { return m_planEditor; }

signals:
    void modelOpened(const QString& path);
    void openFailed(const QString& path, const QString& message);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private slots:
    void chooseAndOpenModel();
    void chooseAndOpenFolder();
    void showAbout();

private:
    void showModel(const QString& path, std::shared_ptr<const core::Model> model);
    void showOpenError(const QString& path, const QString& message);
    void addRecentFile(const QString& path);
    void rebuildRecentMenu();

    std::unique_ptr<::Ui::MainWindow> m_ui;
    TensorTreeModel* m_tensorTree;
    LogDock* m_logDock;
    JobRunner* m_openJob;
    PlanDocument* m_plan;
    PlanEditor* m_planEditor;
    QString m_modelPath;
    std::shared_ptr<const core::Model> m_model;
};

} // namespace qs::ui
