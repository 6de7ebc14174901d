#pragma once

#include "core/plan/quant_plan.h"

#include <QDialog>

#include <memory>

namespace Ui {
class ExportDialog;
}
namespace qs::core {
class Model;
}

namespace qs::ui {

class JobRunner;

// Exports the open model as GGUF, with the current plan or one of llama-quantize's presets,
// an optional importance matrix and name/author metadata. Shows the expected size, refuses
// the input file as output, asks before overwriting, runs in the background with progress
// and Cancel, writes atomically, and offers to open the result.
class ExportDialog : public QDialog {
    Q_OBJECT

public:
    ExportDialog(std::shared_ptr<const core::Model> model, core::QuantPlan currentPlan,
                 QWidget* parent = nullptr);
    ~ExportDialog() override;

    void setOutputPath(const QString& path);
    // Pre-fills the importance matrix (the one loaded in the main window).
    void setImatrixPath(const QString& path);
    // Starts the export (what the Export button does). With `confirmOverwrite` false an
    // existing file is replaced without asking (tests, automation). False when the inputs
    // are invalid; the reason is shown in the dialog.
    bool startExport(bool confirmOverwrite = true);
    QString lastMessage() const;
    JobRunner* job() const { return m_job; }

signals:
    void exported(const QString& path);
    // The user asked to open the exported file in the main window.
    void openRequested(const QString& path);

private:
    core::QuantPlan chosenPlan(QString* error) const;
    void updateExpectedSize();
    void finished(bool ok, const QString& message);
    void done(int result) override;

    std::unique_ptr<::Ui::ExportDialog> m_ui;
    std::shared_ptr<const core::Model> m_model;
    core::QuantPlan m_currentPlan;
    JobRunner* m_job;
    QPushButton* m_exportButton;
    QPushButton* m_cancelButton;
    QPushButton* m_openButton;
    QString m_writtenPath;
};

} // namespace qs::ui
