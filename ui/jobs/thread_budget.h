#pragma once

#include <QObject>
#include <QPointer>
#include <QVector>

namespace qs::ui {

class JobRunner;

// The CPU threads that the GUI's jobs share, so that two jobs at once (a run and a comparison,
// say) do not oversubscribe the cores. A job takes its share just before it starts and holds
// it while its runner is running. GUI thread only.
class ThreadBudget : public QObject {
    Q_OBJECT

public:
    explicit ThreadBudget(QObject* parent = nullptr);

    // The user's setting: a thread count, or 0 (or less) for every hardware thread.
    void setRequested(int requested) { m_requested = requested; }
    int requested() const { return m_requested; }
    // All threads the jobs may use together: qs::core::effectiveThreads(requested()).
    int total() const;
    // Threads held by the jobs running now.
    int inUse() const;

    // Threads for `job`, which is about to start: what the running jobs leave free, but at
    // least one, so that a job never waits for another.
    int acquire(JobRunner* job);

private:
    struct Lease {
        QPointer<JobRunner> job;
        int threads = 0;
    };
    int m_requested = 0;
    // Leases of runners that have finished are ignored, then dropped by the next acquire().
    QVector<Lease> m_leases;
};

} // namespace qs::ui
