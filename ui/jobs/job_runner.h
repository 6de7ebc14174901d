#pragma once

#include "core/error.h"
#include "core/jobs/job_control.h"

#include <QObject>
#include <QString>
#include <QVariant>

#include <functional>
#include <memory>

namespace qs::ui {

// Runs one core algorithm on the global QThreadPool and reports back on the GUI thread.
// The algorithm receives a CancelToken and a ProgressSink, as every core job does; progress
// is forwarded as a queued signal (coalesced so a fast job cannot flood the event loop).
class JobRunner : public QObject {
    Q_OBJECT

public:
    // Hands partial results (e.g. one tensor's metrics) to the GUI thread as they are made;
    // they arrive as itemReady() in order. Callable from any worker thread.
    using ItemSink = std::function<void(const QVariant&)>;
    using Work =
        std::function<core::Status(core::CancelToken&, core::ProgressSink&, const ItemSink&)>;

    explicit JobRunner(QObject* parent = nullptr);
    ~JobRunner() override;

    // Starts `work` unless a job is already running (then returns false).
    bool start(const QString& title, Work work);
    bool isRunning() const { return m_running; }
    QString title() const { return m_title; }

public slots:
    // Asks the running job to stop; it finishes with failed(Cancelled) at its next check.
    void requestCancel();

signals:
    void started(const QString& title);
    void progressChanged(quint64 done, quint64 total, const QString& unit, const QString& what);
    void itemReady(const QVariant& item);
    void succeeded();
    void failed(int errorCode, const QString& message);
    // Emitted after succeeded() or failed(), whatever the outcome.
    void finished();

private:
    struct Shared;
    std::shared_ptr<Shared> m_shared;
    QString m_title;
    bool m_running = false;
};

} // namespace qs::ui
