#include "core/model/model.h"
#include "ui/windows/main_window.h"

#include <QAbstractItemModel>
#include <QLabel>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTreeView>

using qs::ui::MainWindow;

class TestMainWindow : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void opensBundledModelAndShowsSummaryAndTensorTree() {
        MainWindow w;
        QSignalSpy opened(&w, &MainWindow::modelOpened);
        const QString path = QStringLiteral(QS_RESOURCES_DIR "/models/stories260K-f32.gguf");
        w.openModel(path);
        QVERIFY(opened.wait(10000));
        QVERIFY(w.model());
        auto* summary = w.findChild<QLabel*>(QStringLiteral("modelSummaryLabel"));
        QVERIFY(summary->text().contains(QStringLiteral("stories260K-f32.gguf")));
        QVERIFY(summary->text().contains(QStringLiteral("Layers")));
        QVERIFY(w.windowTitle().contains(QStringLiteral("stories260K-f32.gguf")));

        // Global group + 5 layers; every tensor appears exactly once.
        auto* tree = w.findChild<QTreeView*>(QStringLiteral("tensorTree"));
        QAbstractItemModel* m = tree->model();
        QCOMPARE(m->rowCount(), 6);
        int tensors = 0;
        for (int g = 0; g < m->rowCount(); ++g) {
            tensors += m->rowCount(m->index(g, 0));
        }
        QCOMPARE(tensors, 48);
        const QModelIndex layer0 = m->index(1, 0);
        QCOMPARE(m->data(layer0).toString(), QStringLiteral("Layer 0"));
        QCOMPARE(m->rowCount(layer0), 9);
    }

    void missingFileShowsErrorInsteadOfCrashing() {
        MainWindow w;
        QSignalSpy failed(&w, &MainWindow::openFailed);
        w.openModel(QStringLiteral("/nonexistent/model.gguf"));
        QVERIFY(failed.wait(10000));
        auto* summary = w.findChild<QLabel*>(QStringLiteral("modelSummaryLabel"));
        QVERIFY(summary->text().contains(QStringLiteral("/nonexistent/model.gguf")));
        QVERIFY(w.currentModelPath().isEmpty());
        QVERIFY(!w.model());
    }

    void corruptFileShowsCoreError() {
        MainWindow w;
        QSignalSpy failed(&w, &MainWindow::openFailed);
        w.openModel(QStringLiteral(QS_RESOURCES_DIR "/text/shakespeare-val-a.txt"));
        QVERIFY(failed.wait(10000));
        QVERIFY(!failed.first().at(1).toString().isEmpty());
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
