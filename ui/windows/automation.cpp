#include "ui/windows/automation.h"

#include "core/logging.h"
#include "core/plan/llama_presets.h"
#include "ui/compare/compare_view.h"
#include "ui/jobs/stall_monitor.h"
#include "ui/plan/plan_document.h"
#include "ui/windows/main_window.h"

#include <QApplication>
#include <QTimer>

#include <spdlog/spdlog.h>

namespace qs::ui {

Automation::Automation(MainWindow* window, GuiOptions options)
    : QObject(window)
    , m_window(window)
    , m_options(std::move(options)) {
    CompareView* compare = window->compareView();
    if (m_options.comparePresets) {
        compare->setCheckedPresets(*m_options.comparePresets);
    }
    if (m_options.compareContext) {
        compare->setContextLength(*m_options.compareContext);
    }
    if (m_options.compareChunks) {
        compare->setMaxChunks(*m_options.compareChunks);
    }
    if (!m_options.compareReference.isEmpty() &&
        !compare->setReferenceFile(m_options.compareReference)) {
        qWarning("%s", qPrintable(compare->lastMessage()));
    }
    if (!m_options.screenshotPath.isEmpty()) {
        m_options.quit = true;
    }
    connect(window, &MainWindow::modelOpened, this, &Automation::modelOpened);
    connect(window, &MainWindow::runFinished, this, &Automation::runFinished);
    connect(window, &MainWindow::comparisonFinished, this, &Automation::finishDeferred);
    connect(window, &MainWindow::openFailed, this, [this] { finishDeferred(false); });
}

int Automation::exec(const QString& modelPath) {
    UiStallMonitor stallMonitor;
    if (m_options.stallReport) {
        stallMonitor.setLogStalls(true);
        stallMonitor.start();
    }
    if (!modelPath.isEmpty()) {
        m_window->openModel(modelPath);
    } else if (m_options.quit) {
        finishDeferred(true);
    }
    const int status = QApplication::exec();
    if (m_options.stallReport) {
        stallMonitor.stop();
        core::moduleLogger(core::kLogApp)->info("{}", stallMonitor.summary().toStdString());
    }
    return status;
}

void Automation::modelOpened() {
    if (!m_options.preset.isEmpty()) {
        const auto* preset = core::llamaPresetByName(m_options.preset.toStdString());
        if (!preset) {
            core::moduleLogger(core::kLogApp)
                ->error("unknown preset {}", m_options.preset.toStdString());
            finishDeferred(false);
            return;
        }
        m_window->planDocument()->applyPreset(*preset);
    }
    if (m_options.run) {
        m_window->runPlan();
    } else if (m_options.compare) {
        m_window->runComparison();
    } else {
        finishDeferred(true);
    }
}

void Automation::runFinished(bool ok) {
    if (ok && m_options.compare) {
        m_window->runComparison();
    } else {
        finishDeferred(ok);
    }
}

void Automation::finishDeferred(bool ok) {
    if (!m_options.tab.isEmpty() && !m_window->showTab(m_options.tab)) {
        core::moduleLogger(core::kLogApp)->error("unknown tab {}", m_options.tab.toStdString());
    }
    QTimer::singleShot(150, m_window, [this, ok] { finish(ok); });
}

void Automation::finish(bool ok) {
    bool saved = true;
    if (!m_options.screenshotPath.isEmpty()) {
        const auto log = core::moduleLogger(core::kLogApp);
        saved = m_window->grab().save(m_options.screenshotPath, "PNG");
        if (saved) {
            log->info("Screenshot written to {}", m_options.screenshotPath.toStdString());
        } else {
            log->error("{}: cannot write the screenshot", m_options.screenshotPath.toStdString());
        }
    }
    if (m_options.quit) {
        QApplication::exit(saved && ok ? 0 : 1);
    }
}

} // namespace qs::ui
