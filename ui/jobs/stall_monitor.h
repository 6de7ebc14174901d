#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace qs::ui {

// Measures how long the GUI thread is kept from its event loop: a 10 ms timer notes the gap
// between its ticks. Used by the responsiveness tests and by `quantscope --stall-report`,
// which logs every stall over a threshold and a summary at exit, so a long run on a large model
// can show that the window stayed usable. Not running by default: an idle app should not wake
// a hundred times a second.
class UiStallMonitor : public QObject {
    Q_OBJECT
public:
    explicit UiStallMonitor(QObject* parent = nullptr);

    void start();
    void stop();

    // Gaps longer than this many milliseconds are counted and, with logStalls, logged.
    void setStallThresholdMs(qint64 ms) { m_thresholdMs = ms; }
    void setLogStalls(bool on) { m_logStalls = on; }

    qint64 longestGapMs() const { return m_longestGapMs; }
    int stallCount() const { return m_stalls; }
    qint64 watchedMs() const { return m_watched.isValid() ? m_watched.elapsed() : 0; }

    // "longest GUI-thread gap 57 ms over 312.4 s; 0 gaps over 100 ms".
    QString summary() const;

private:
    void beat();

    QTimer m_timer;
    QElapsedTimer m_sinceLastBeat;
    QElapsedTimer m_watched;
    qint64 m_longestGapMs = 0;
    qint64 m_thresholdMs = 100;
    int m_stalls = 0;
    bool m_logStalls = false;
};

} // namespace qs::ui
