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
class ThreadBudget;

// Exports the open model as GGUF, with the current plan or one of llama-quantize's presets,
// an optional importance matrix and name/author metadata; or as a GPTQ / AWQ checkpoint folder
// calibrated on a text (core::exportCalibratedCheckpoint). Shows the expected size, refuses
// the input as output, asks before overwriting a file or replacing a non-empty folder, runs in
// the background with progress and Cancel, writes atomically (a file or folder is complete
// or absent), and offers to open the result.
class ExportDialog : public QDialog {
    Q_OBJECT

public:
    ExportDialog(std::shared_ptr<const core::Model> model, core::QuantPlan currentPlan,
                 QWidget* parent = nullptr);
    ~ExportDialog() override;

    // What the Export button writes; the index of the "formatCombo".
    enum class Target { Gguf, Gptq, Awq };
    void setTarget(Target target);
    Target target() const;

    void setOutputPath(const QString& path);
    // Pre-fills the importance matrix (the one loaded in the main window).
    void setImatrixPath(const QString& path);
    // The export takes its threads from `budget` (shared by the GUI's jobs); without one,
    // every hardware thread.
    void setThreadBudget(ThreadBudget* budget) { m_budget = budget; }
    // Starts the export (what the Export button does). With `confirmOverwrite` false an
    // existing file (or non-empty folder) is replaced without asking (tests, automation).
    // False when the inputs
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
    void updateTargetPage();
    bool startCalibratedExport(const QString& output, bool confirmOverwrite);
    void finished(bool ok, const QString& message);
    // The threads of the export about to start (0: every hardware thread).
    unsigned threads();
    void done(int result) override;

    std::unique_ptr<::Ui::ExportDialog> m_ui;
    std::shared_ptr<const core::Model> m_model;
    core::QuantPlan m_currentPlan;
    JobRunner* m_job;
    ThreadBudget* m_budget = nullptr;
    QPushButton* m_exportButton;
    QPushButton* m_cancelButton;
    QPushButton* m_openButton;
    QString m_writtenPath;
    QString m_ggufOutput; // the output path of each kind, kept while switching targets
    QString m_folderOutput;
    QString m_folderStem; // beside the input, its name without extension
};

} // namespace qs::ui
