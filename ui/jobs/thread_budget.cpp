#include "ui/jobs/thread_budget.h"

#include "core/jobs/threads.h"
#include "ui/jobs/job_runner.h"

#include <algorithm>

namespace qs::ui {

ThreadBudget::ThreadBudget(QObject* parent)
    : QObject(parent) {}

int ThreadBudget::total() const {
    return qs::core::effectiveThreads(m_requested);
}

int ThreadBudget::inUse() const {
    int sum = 0;
    for (const Lease& lease : m_leases) {
        if (lease.job && lease.job->isRunning()) {
            sum += lease.threads;
        }
    }
    return sum;
}

int ThreadBudget::acquire(JobRunner* job) {
    m_leases.removeIf([job](const Lease& lease) {
        return !lease.job || lease.job == job || !lease.job->isRunning();
    });
    const int share = std::max(1, total() - inUse());
    m_leases.push_back({job, share});
    return share;
}

} // namespace qs::ui
