#include "core/model/model.h"
#include "ui/plan/optimizer_panel.h"
#include "ui/plan/plan_editor.h"
#include "ui/windows/main_window.h"

#include <QAbstractItemModel>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QTranslator>
#include <QTreeView>

using qs::ui::MainWindow;

class TestMainWindow : public QObject {
    Q_OBJECT

    static bool openShakespeare(MainWindow& w) {
        QSignalSpy opened(&w, &MainWindow::modelOpened);
        w.openModel(QStringLiteral(QS_RESOURCES_DIR "/models/shakespeare-3M-f16.gguf"));
        return opened.wait(10000);
    }

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

    // Issue 22: at 1280×800 the optimizer beside the plan grid no longer squeezes the grid's
    // columns until their role names are cut ("en_em" for token_embd), and it knows a model
    // is open (it was built before any and kept saying "No model").
    void planGridHeadersAreReadableAt1280x800() {
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(openShakespeare(w));
        QVERIFY(w.showTab(QStringLiteral("plan")));
        QCOMPARE(w.width(), 1280);
        QTableView* grid = w.planEditor()->grid();
        QHeaderView* header = grid->horizontalHeader();
        QTRY_VERIFY(header->count() >= 9); // token_embd, output and the seven layer matrices
        QTest::qWait(50);                  // the splitter lays out on a posted event
        const QFontMetrics metrics(header->font());
        for (int section = 0; section < header->count(); ++section) {
            if (header->isSectionHidden(section)) {
                continue;
            }
            const QString text = grid->model()->headerData(section, Qt::Horizontal).toString();
            QVERIFY2(header->sectionSize(section) >= metrics.horizontalAdvance(text),
                     qPrintable(QStringLiteral("%1: %2 px for %3 px of text")
                                    .arg(text)
                                    .arg(header->sectionSize(section))
                                    .arg(metrics.horizontalAdvance(text))));
            // And in view, without scrolling sideways.
            QVERIFY2(header->sectionViewportPosition(section) + header->sectionSize(section) <=
                         grid->viewport()->width(),
                     qPrintable(text));
        }
        qs::ui::OptimizerPanel* panel = w.planEditor()->optimizerPanel();
        QVERIFY(panel->isVisibleTo(&w));
        for (const QLabel* label : panel->findChildren<QLabel*>()) {
            QVERIFY2(!label->text().contains(QStringLiteral("No model")),
                     qPrintable(label->objectName()));
        }
        auto* preview = panel->findChild<QLabel*>(QStringLiteral("optimizerPreview"));
        QVERIFY(preview->text().contains(QStringLiteral("Measure")));
    }

    // Issue 22: the German strings are longer; the window must still fit a 1280-pixel screen,
    // with or without a model open.
    void fitsA1280PixelScreenInGerman() {
        QTranslator german;
        QVERIFY(german.load(QStringLiteral(":/i18n/quantscope_de.qm")));
        QVERIFY(QCoreApplication::installTranslator(&german));
        {
            MainWindow w;
            QCOMPARE(w.menuBar()->actions().first()->text(), QStringLiteral("&Datei"));
            w.resize(1280, 800);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            QVERIFY2(w.minimumSizeHint().width() <= 1280,
                     qPrintable(QString::number(w.minimumSizeHint().width())));
            QVERIFY(openShakespeare(w));
            QVERIFY(w.showTab(QStringLiteral("plan")));
            // The undo button names the last command ("Rückgängig: Preset Q4_K_M anwenden").
            auto* applyPreset = w.findChild<QPushButton*>(QStringLiteral("applyPresetButton"));
            QTest::mouseClick(applyPreset, Qt::LeftButton);
            QTest::qWait(50);
            QVERIFY2(w.minimumSizeHint().width() <= 1280,
                     qPrintable(QString::number(w.minimumSizeHint().width())));
            QCOMPARE(w.width(), 1280);
        }
        QCoreApplication::removeTranslator(&german);
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
