#pragma once

#include <QObject>
#include <QString>
#include <QVariant>

namespace qs::ui {

// The worker side of a JobRunner: emitted from a pool thread, delivered to the runner through
// queued connections. If the runner is destroyed first, Qt drops the connections, so a late
// worker never touches a dead object.
class JobEvents : public QObject {
    Q_OBJECT

signals:
    void progress(quint64 done, quint64 total, const QString& unit, const QString& what);
    void item(const QVariant& item);
    void done(bool ok, int errorCode, const QString& message);
};

} // namespace qs::ui
