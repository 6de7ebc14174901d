#include "ui/jobs/stall_monitor.h"

#include "core/logging.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace qs::ui {

UiStallMonitor::UiStallMonitor(QObject* parent)
    : QObject(parent) {
    // Precise: a coarse timer may fire up to 5 % late by design, which would read as a stall.
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(10);
    connect(&m_timer, &QTimer::timeout, this, &UiStallMonitor::beat);
}

void UiStallMonitor::start() {
    m_longestGapMs = 0;
    m_stalls = 0;
    m_sinceLastBeat.start();
    m_watched.start();
    m_timer.start();
}

void UiStallMonitor::stop() {
    if (m_timer.isActive()) {
        beat(); // the gap up to now counts too
        m_timer.stop();
    }
}

void UiStallMonitor::beat() {
    const qint64 gap = m_sinceLastBeat.restart();
    m_longestGapMs = std::max(m_longestGapMs, gap);
    if (gap > m_thresholdMs) {
        ++m_stalls;
        if (m_logStalls) {
            core::moduleLogger(core::kLogApp)
                ->warn("GUI thread blocked for {} ms ({:.1f} s after the start)", gap,
                       static_cast<double>(m_watched.elapsed()) / 1000.0);
        }
    }
}

QString UiStallMonitor::summary() const {
    return QStringLiteral("longest GUI-thread gap %1 ms over %2 s; %3 gaps over %4 ms")
        .arg(m_longestGapMs)
        .arg(static_cast<double>(watchedMs()) / 1000.0, 0, 'f', 1)
        .arg(m_stalls)
        .arg(m_thresholdMs);
}

} // namespace qs::ui
