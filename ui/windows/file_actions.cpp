#include "ui/windows/file_actions.h"

#include "core/version.h"
#include "ui/jobs/job_runner.h"
#include "ui/settings/app_settings.h"
#include "ui/windows/main_window.h"

#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QSettings>

namespace qs::ui {
namespace {

constexpr int kMaxRecentFiles = 8;
const QString kRecentKey = QStringLiteral("recentModels");

} // namespace

FileActions::FileActions(MainWindow* window, QMenu* file, QMenu* recent, QAction* exportAction,
                         QAction* quitAction)
    : QObject(window)
    , m_window(window)
    , m_recent(recent) {
    // Plans, sessions and importance matrices, above Export.
    auto add = [this, file, exportAction](const QString& text, const QString& name,
                                          const QKeySequence& key, void (FileActions::*slot)()) {
        auto* action = new QAction(text, m_window);
        action->setObjectName(name);
        action->setShortcut(key);
        connect(action, &QAction::triggered, this, slot);
        file->insertAction(exportAction, action);
        return action;
    };
    add(tr("Load &Plan…"), QStringLiteral("actionLoadPlan"),
        QKeySequence(QStringLiteral("Ctrl+Alt+O")), &FileActions::chooseAndLoadPlan);
    add(tr("&Save Plan…"), QStringLiteral("actionSavePlan"), QKeySequence::Save,
        &FileActions::chooseAndSavePlan);
    file->insertSeparator(exportAction);
    add(tr("Open Sessio&n…"), QStringLiteral("actionLoadSession"),
        QKeySequence(QStringLiteral("Ctrl+Shift+N")), &FileActions::chooseAndLoadSession);
    add(tr("Save Session &As…"), QStringLiteral("actionSaveSession"), QKeySequence::SaveAs,
        &FileActions::chooseAndSaveSession);
    file->insertSeparator(exportAction);
    add(tr("Load &Importance Matrix…"), QStringLiteral("actionLoadImatrix"),
        QKeySequence(QStringLiteral("Ctrl+I")), &FileActions::chooseAndLoadImatrix);
    add(tr("&Collect Importance Matrix…"), QStringLiteral("actionCollectImatrix"),
        QKeySequence(QStringLiteral("Ctrl+Shift+I")), &FileActions::chooseAndCollectImatrix);
    JobRunner* imatrixJob = window->imatrixJob();
    auto* cancelImatrix = new QAction(tr("Cancel Importance Matrix"), m_window);
    cancelImatrix->setObjectName(QStringLiteral("actionCancelImatrix"));
    cancelImatrix->setEnabled(false);
    connect(cancelImatrix, &QAction::triggered, imatrixJob, &JobRunner::requestCancel);
    connect(imatrixJob, &JobRunner::started, cancelImatrix,
            [cancelImatrix] { cancelImatrix->setEnabled(true); });
    connect(imatrixJob, &JobRunner::finished, cancelImatrix,
            [cancelImatrix] { cancelImatrix->setEnabled(false); });
    file->insertAction(exportAction, cancelImatrix);
    file->insertSeparator(exportAction);
    auto* settings = new QAction(tr("Se&ttings…"), m_window);
    settings->setObjectName(QStringLiteral("actionSettings"));
    settings->setShortcut(QKeySequence(QStringLiteral("Ctrl+,")));
    settings->setMenuRole(QAction::PreferencesRole);
    connect(settings, &QAction::triggered, window, &MainWindow::showSettingsDialog);
    file->insertAction(quitAction, settings);
    file->insertSeparator(quitAction);
    rebuildRecentMenu();
}

QString FileActions::modelFolder() const {
    return QFileInfo(m_window->currentModelPath()).absolutePath();
}

void FileActions::chooseModel() {
    const QString path =
        QFileDialog::getOpenFileName(m_window, tr("Open Model"), modelFolder(),
                                     tr("Models (*.gguf *.safetensors *.bin);;All files (*)"));
    if (!path.isEmpty()) {
        m_window->openModel(path);
    }
}

void FileActions::chooseFolder() {
    const QString path = QFileDialog::getExistingDirectory(
        m_window, tr("Open Hugging Face Model Folder"), modelFolder());
    if (!path.isEmpty()) {
        m_window->openModel(path);
    }
}

void FileActions::addRecentFile(const QString& path) {
    QSettings settings;
    QStringList recent = settings.value(kRecentKey).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecentFiles) {
        recent.removeLast();
    }
    settings.setValue(kRecentKey, recent);
    rebuildRecentMenu();
}

void FileActions::rebuildRecentMenu() {
    m_recent->clear();
    const QStringList recent = QSettings().value(kRecentKey).toStringList();
    for (int i = 0; i < recent.size(); ++i) {
        QAction* action = m_recent->addAction(
            QStringLiteral("&%1 %2").arg(i + 1).arg(QFileInfo(recent[i]).fileName()));
        action->setToolTip(recent[i]);
        const QString path = recent[i];
        connect(action, &QAction::triggered, m_window, [this, path] { m_window->openModel(path); });
    }
    m_recent->setEnabled(!recent.isEmpty());
}

void FileActions::chooseAndLoadPlan() {
    const QString path = QFileDialog::getOpenFileName(
        m_window, tr("Load Plan"), modelFolder(), tr("Quantscope plans (*.json);;All files (*)"));
    if (path.isEmpty()) {
        return;
    }
    QString message;
    if (!m_window->loadPlan(path, &message)) {
        QMessageBox::warning(m_window, tr("Load Plan"), message);
    } else if (message.contains(QLatin1Char(':'))) {
        QMessageBox::information(m_window, tr("Load Plan"), message);
    }
}

void FileActions::chooseAndSavePlan() {
    if (!m_window->model()) {
        return;
    }
    const QString model = m_window->currentModelPath();
    const QString path = QFileDialog::getSaveFileName(m_window, tr("Save Plan"),
                                                      modelFolder() + QLatin1Char('/') +
                                                          QFileInfo(model).completeBaseName() +
                                                          QStringLiteral("-plan.json"),
                                                      tr("Quantscope plans (*.json)"));
    QString error;
    if (!path.isEmpty() && !m_window->savePlan(path, &error)) {
        QMessageBox::warning(m_window, tr("Save Plan"), error);
    }
}

void FileActions::chooseAndLoadSession() {
    const QString path = QFileDialog::getOpenFileName(
        m_window, tr("Open Session"),
        QFileInfo(m_window->workspace()->sessionPath()).absolutePath(),
        tr("Quantscope sessions (*.qsession.json *.json);;All files (*)"));
    QString error;
    if (!path.isEmpty() && !m_window->loadSession(path, &error)) {
        QMessageBox::warning(m_window, tr("Open Session"), error);
    }
}

void FileActions::chooseAndSaveSession() {
    const QString sessionPath = m_window->workspace()->sessionPath();
    const QString path = QFileDialog::getSaveFileName(
        m_window, tr("Save Session"), sessionPath.isEmpty() ? modelFolder() : sessionPath,
        tr("Quantscope sessions (*.qsession.json)"));
    QString error;
    if (!path.isEmpty() && !m_window->saveSession(path, &error)) {
        QMessageBox::warning(m_window, tr("Save Session"), error);
    }
}

void FileActions::chooseAndLoadImatrix() {
    const QString path =
        QFileDialog::getOpenFileName(m_window, tr("Load Importance Matrix"), modelFolder(),
                                     tr("Importance matrices (*.gguf *.dat);;All files (*)"));
    if (!path.isEmpty()) {
        m_window->loadImatrix(path);
    }
}

void FileActions::chooseAndCollectImatrix() {
    if (!m_window->model()) {
        return;
    }
    const QString text = AppSettings::load().effectiveEvalText();
    const QString model = m_window->currentModelPath();
    const QString path = QFileDialog::getSaveFileName(
        m_window, tr("Collect Importance Matrix on %1").arg(QFileInfo(text).fileName()),
        modelFolder() + QLatin1Char('/') + QFileInfo(model).completeBaseName() +
            QStringLiteral("-imatrix.gguf"),
        tr("Importance matrices (*.gguf)"));
    if (!path.isEmpty()) {
        m_window->collectImatrix(text, path, 512, -1);
    }
}

void FileActions::showAbout() {
    QMessageBox::about(m_window, tr("About Quantscope"),
                       tr("<b>Quantscope %1</b><p>A workbench for quantizing large language "
                          "models: per-layer formats, error against FP16, GGUF and GPTQ export.")
                           .arg(QString::fromLatin1(core::kVersion)));
}

} // namespace qs::ui
