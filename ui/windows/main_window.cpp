#include "ui/windows/main_window.h"

#include "ui_main_window.h"

#include "core/version.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QLocale>
#include <QMessageBox>

namespace qs::ui {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_ui(std::make_unique<::Ui::MainWindow>()) {
    m_ui->setupUi(this);
    connect(m_ui->actionOpen, &QAction::triggered, this, &MainWindow::chooseAndOpenModel);
    connect(m_ui->actionQuit, &QAction::triggered, this, &QWidget::close);
    connect(m_ui->actionAbout, &QAction::triggered, this, &MainWindow::showAbout);
}

MainWindow::~MainWindow() = default;

bool MainWindow::openModel(const QString& path) {
    const QFileInfo info(path);
    if (!info.exists()) {
        m_ui->modelSummaryLabel->setText(tr("Cannot open %1: no such file or folder.").arg(path));
        statusBar()->showMessage(tr("Open failed"));
        return false;
    }
    if (info.isFile() && !info.isReadable()) {
        m_ui->modelSummaryLabel->setText(tr("Cannot open %1: permission denied.").arg(path));
        statusBar()->showMessage(tr("Open failed"));
        return false;
    }
    m_modelPath = info.absoluteFilePath();
    const QString size = QLocale().formattedDataSize(info.size());
    m_ui->modelSummaryLabel->setText(
        tr("<b>%1</b><br>%2<br>%3")
            .arg(info.fileName().toHtmlEscaped(), m_modelPath.toHtmlEscaped(), size));
    setWindowTitle(tr("%1 — Quantscope").arg(info.fileName()));
    statusBar()->showMessage(tr("Opened %1 (%2)").arg(info.fileName(), size));
    emit modelOpened(m_modelPath);
    return true;
}

void MainWindow::chooseAndOpenModel() {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open Model"), QFileInfo(m_modelPath).absolutePath(),
                                     tr("Models (*.gguf *.safetensors *.bin);;All files (*)"));
    if (!path.isEmpty()) {
        openModel(path);
    }
}

void MainWindow::showAbout() {
    QMessageBox::about(this, tr("About Quantscope"),
                       tr("<b>Quantscope %1</b><p>A workbench for quantizing large language "
                          "models: per-layer formats, error against FP16, GGUF and GPTQ export.")
                           .arg(QString::fromLatin1(core::kVersion)));
}

} // namespace qs::ui
