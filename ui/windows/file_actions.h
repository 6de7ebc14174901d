#pragma once

#include <QObject>
#include <QString>

class QAction;
class QMenu;

namespace qs::ui {

class MainWindow;

// The File menu's file work: open a model or folder, recent models, plans, sessions and
// importance matrices (each behind its file dialog), and the settings and About boxes. The
// actions go into the window's menus; the work itself is the window's Workspace.
class FileActions : public QObject {
    Q_OBJECT

public:
    // Inserts the actions into `file` above `exportAction` (settings above `quitAction`).
    FileActions(MainWindow* window, QMenu* file, QMenu* recent, QAction* exportAction,
                QAction* quitAction);

    // Puts `path` first in the recent-models menu (kept in QSettings).
    void addRecentFile(const QString& path);

public slots:
    void chooseModel();
    void chooseFolder();
    void chooseAndLoadPlan();
    void chooseAndSavePlan();
    void chooseAndLoadSession();
    void chooseAndSaveSession();
    void chooseAndLoadImatrix();
    void chooseAndCollectImatrix();
    void showAbout();

private:
    void rebuildRecentMenu();
    QString modelFolder() const;

    MainWindow* m_window;
    QMenu* m_recent;
};

} // namespace qs::ui
