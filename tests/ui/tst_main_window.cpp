#include "ui/windows/main_window.h"

#include <QLabel>
#include <QSignalSpy>
#include <QTest>

using qs::ui::MainWindow;

class TestMainWindow : public QObject {
    Q_OBJECT

private slots:
    void opensBundledModelAndShowsNameAndSize() {
        MainWindow w;
        QSignalSpy opened(&w, &MainWindow::modelOpened);
        const QString path = QStringLiteral(QS_RESOURCES_DIR "/models/stories260K-f32.gguf");
        QVERIFY(w.openModel(path));
        QCOMPARE(opened.count(), 1);
        auto* summary = w.findChild<QLabel*>(QStringLiteral("modelSummaryLabel"));
        QVERIFY(summary);
        QVERIFY(summary->text().contains(QStringLiteral("stories260K-f32.gguf")));
        QVERIFY(w.windowTitle().contains(QStringLiteral("stories260K-f32.gguf")));
    }

    void missingFileShowsErrorInsteadOfCrashing() {
        MainWindow w;
        QSignalSpy opened(&w, &MainWindow::modelOpened);
        QVERIFY(!w.openModel(QStringLiteral("/nonexistent/model.gguf")));
        QCOMPARE(opened.count(), 0);
        auto* summary = w.findChild<QLabel*>(QStringLiteral("modelSummaryLabel"));
        QVERIFY(summary->text().contains(QStringLiteral("/nonexistent/model.gguf")));
        QVERIFY(w.currentModelPath().isEmpty());
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
