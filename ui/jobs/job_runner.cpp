#include "ui/jobs/job_runner.h"

#include "ui/jobs/job_events.h"

#include <QElapsedTimer>
#include <QThreadPool>

#include <mutex>

namespace qs::ui {

// State shared between the GUI object and the worker, which may outlive the runner.
struct JobRunner::Shared {
    core::CancelToken cancel;
};

namespace {

// Forwards core progress to the GUI thread at most every 50 ms, plus the final report, so a
// fast job cannot flood the event loop.
class QueuedProgressSink final : public core::ProgressSink {
public:
    explicit QueuedProgressSink(JobEvents* events)
        : m_events(events) {
        m_clock.start();
    }

    void progress(std::uint64_t done, std::uint64_t total, const std::string& unit,
                  const std::string& what) override {
        {
            std::lock_guard lock(m_mutex);
            if (done < total && m_sentAny && m_clock.elapsed() < 50) {
                return;
            }
            m_clock.restart();
            m_sentAny = true;
        }
        emit m_events->progress(done, total, QString::fromStdString(unit),
                                QString::fromStdString(what));
    }

private:
    JobEvents* m_events;
    std::mutex m_mutex;
    QElapsedTimer m_clock;
    bool m_sentAny = false;
};

} // namespace

JobRunner::JobRunner(QObject* parent)
    : QObject(parent) {}

JobRunner::~JobRunner() {
    if (m_shared) {
        m_shared->cancel.requestCancel();
    }
}

bool JobRunner::start(const QString& title, Work work) {
    if (m_running) {
        return false;
    }
    m_running = true;
    m_title = title;
    m_shared = std::make_shared<Shared>();

    auto* events = new JobEvents;
    connect(events, &JobEvents::progress, this, &JobRunner::progressChanged, Qt::QueuedConnection);
    connect(events, &JobEvents::item, this, &JobRunner::itemReady, Qt::QueuedConnection);
    connect(
        events, &JobEvents::done, this,
        [this](bool ok, int code, const QString& message) {
            m_running = false;
            if (ok) {
                emit succeeded();
            } else {
                emit failed(code, message);
            }
            emit finished();
        },
        Qt::QueuedConnection);
    emit started(title);

    std::shared_ptr<Shared> shared = m_shared;
    QThreadPool::globalInstance()->start([events, shared, work = std::move(work)] {
        core::Status status;
        {
            QueuedProgressSink sink(events);
            const ItemSink post = [events](const QVariant& item) {
                emit events->item(item);
            };
            status = work(shared->cancel, sink, post);
        }
        if (status.ok()) {
            emit events->done(true, 0, QString());
        } else {
            emit events->done(false, static_cast<int>(status.error().code),
                              QString::fromStdString(status.error().message));
        }
        delete events; // never receives events, so deleting it off its thread is safe
    });
    return true;
}

void JobRunner::requestCancel() {
    if (m_shared) {
        m_shared->cancel.requestCancel();
    }
}

} // namespace qs::ui
