#include "core/export/file_budget.h"
#include "core/io/model_reader.h"
#include "core/model/model.h"
#include "core/plan/sensitivity.h"
#include "ui/jobs/job_runner.h"
#include "ui/plan/optimizer_panel.h"
#include "ui/plan/plan_document.h"
#include "ui/plan/plan_editor.h"
#include "ui/plan/plan_grid_model.h"
#include "ui/plots/sensitivity_plot.h"

#include <QLabel>
#include <QPushButton>
#include <QSemaphore>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <QUndoStack>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

using namespace qs;

// The optimizer panel of the plan editor. shakespeare-3M (rows of 256/768) takes every k-quant,
// so a 5 bpw target is reachable; stories260K (rows of 64 and 172) checks the legacy fallback
// candidates and a target below the smallest possible plan.
class TestOptimizerPanel : public QObject {
    Q_OBJECT

    std::shared_ptr<const core::Model> m_model;
    std::shared_ptr<const core::Model> m_small;
    QTemporaryDir m_cache;

    std::size_t tensorIndex(const std::string& name) const {
        const auto* t = m_model->findTensor(name);
        return static_cast<std::size_t>(t - m_model->tensors().data());
    }

    static QStringList gridTexts(const ui::PlanGridModel* grid) {
        QStringList texts;
        for (int r = 0; r < grid->rowCount(); ++r) {
            for (int c = 0; c < grid->columnCount(); ++c) {
                texts << grid->data(grid->index(r, c)).toString();
            }
        }
        return texts;
    }

    // Measures with the test's cache folder and waits for the table.
    static bool measure(ui::OptimizerPanel* panel) {
        QSignalSpy finished(panel, &ui::OptimizerPanel::measurementFinished);
        if (!panel->measure()) {
            return false;
        }
        if (!finished.wait(300000) && finished.isEmpty()) {
            return false;
        }
        return finished.at(0).at(0).toBool() && panel->hasTable();
    }

private slots:
    void initTestCase() {
        QVERIFY(m_cache.isValid());
        auto opened = core::openModel(QS_RESOURCES_DIR "/models/shakespeare-3M-f16.gguf");
        QVERIFY2(opened.ok(), opened.ok() ? "" : opened.error().message.c_str());
        m_model = std::make_shared<const core::Model>(std::move(opened).value());
        auto small = core::openModel(QS_RESOURCES_DIR "/models/stories260K-f32.gguf");
        QVERIFY2(small.ok(), small.ok() ? "" : small.error().message.c_str());
        m_small = std::make_shared<const core::Model>(std::move(small).value());
    }

    void smallRowsGetLegacyCandidatesAndTargetsStopAtTheSmallestPlan() {
        ui::PlanDocument doc;
        doc.setModel(m_small);
        ui::PlanEditor editor(&doc);
        ui::OptimizerPanel* panel = editor.optimizerPanel();
        panel->setCacheDirectory(m_cache.path());
        QVERIFY(measure(panel));
        const auto& formats = panel->table()->formats;
        QVERIFY(std::count(formats.begin(), formats.end(), core::GgmlType::Q4_0) == 1);
        QVERIFY(std::count(formats.begin(), formats.end(), core::GgmlType::Q5_0) == 1);
        // Rows of 64 take the 32-element formats; ffn_down's rows of 172 only plain types.
        QVERIFY(panel->table()->find("blk.0.attn_q.weight")->find(core::GgmlType::Q4_0));
        QCOMPARE(panel->table()->find("blk.0.ffn_down.weight")->points.size(), std::size_t(1));

        // ffn_down stuck at F16 keeps the whole model above 5 bpw: the target stops at the
        // smallest plan, which is still reachable and applicable.
        panel->setTarget(5.0);
        QVERIFY(panel->target() > 5.0);
        QVERIFY(panel->result());
        QVERIFY(panel->result()->feasible);
        QVERIFY(panel->result()->bitsPerWeight > 5.0);
        const core::GgmlType downType =
            panel->result()
                ->choices[std::size_t(panel->table()->find("blk.0.ffn_down.weight") -
                                      panel->table()->rows.data())]
                .type;
        QCOMPARE(downType, core::GgmlType::F16);
        QVERIFY(panel->apply());
        QCOMPARE(doc.undoStack()->count(), 1);
        doc.undoStack()->undo();
        QCOMPARE(doc.plannedBytes(), m_small->tensorBytes());
    }

    void nothingToSolveBeforeMeasuring() {
        ui::PlanDocument doc;
        doc.setModel(m_small);
        ui::PlanEditor editor(&doc);
        ui::OptimizerPanel* panel = editor.optimizerPanel();
        QVERIFY(panel != nullptr);
        QVERIFY(!panel->hasTable());
        panel->setTarget(5.0);
        QVERIFY(!panel->result());
        QVERIFY(!panel->apply());
        QCOMPARE(doc.undoStack()->count(), 0);
    }

    // Issue 22: the panel follows the document to a model opened after it was built, and the
    // sensitivity plot stays behind a hint until it has a curve (no empty 0…5 frame).
    void stateIsTruthfulAndThePlotWaitsForData() {
        ui::PlanDocument doc;
        ui::PlanEditor editor(&doc);
        ui::OptimizerPanel* panel = editor.optimizerPanel();
        panel->setCacheDirectory(m_cache.path());
        editor.resize(1000, 600);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        auto* preview = panel->findChild<QLabel*>(QStringLiteral("optimizerPreview"));
        auto* measureButton =
            panel->findChild<QPushButton*>(QStringLiteral("measureSensitivityButton"));
        QLabel* hint = panel->plotHint();
        QCOMPARE(hint->objectName(), QStringLiteral("sensitivityPlotHint"));
        QCOMPARE(preview->text(), QStringLiteral("No model"));
        QVERIFY(!measureButton->isEnabled());
        QVERIFY(hint->isVisible());
        QVERIFY(!panel->plot()->isVisible());

        doc.setModel(m_small);
        QVERIFY(!preview->text().contains(QStringLiteral("No model")));
        QVERIFY(preview->text().contains(QStringLiteral("Measure")));
        QVERIFY(measureButton->isEnabled());
        QVERIFY(hint->isVisible());
        QVERIFY(!panel->plot()->isVisible());
        const QString before = hint->text();
        QVERIFY(!before.isEmpty());

        // Measured, but no tensor chosen yet: still nothing to draw, and the hint says why.
        QVERIFY(measure(panel));
        QVERIFY(hint->isVisible());
        QVERIFY(!panel->plot()->isVisible());
        QVERIFY(hint->text() != before);

        const auto* attnQ = m_small->findTensor("blk.0.attn_q.weight");
        editor.selectTensor(static_cast<std::size_t>(attnQ - m_small->tensors().data()));
        QVERIFY(!panel->plot()->isEmpty());
        QVERIFY(panel->plot()->isVisible());
        QVERIFY(!hint->isVisible());

        // Another model voids the table: back to the hint.
        doc.setModel(m_model);
        QVERIFY(!panel->hasTable());
        QVERIFY(hint->isVisible());
        QVERIFY(!panel->plot()->isVisible());
    }

    void optimizeApplyUndo() {
        ui::PlanDocument doc;
        doc.setModel(m_model);
        ui::PlanEditor editor(&doc);
        ui::OptimizerPanel* panel = editor.optimizerPanel();
        panel->setCacheDirectory(m_cache.path());
        QVERIFY(measure(panel));
        QVERIFY(panel->table()->rows.size() > 0);

        const std::vector<core::GgmlType> before = doc.types();
        const QStringList gridBefore = gridTexts(editor.gridModel());

        panel->setTarget(5.0);
        QVERIFY(panel->result());
        const core::OptimizerResult result = *panel->result();
        QVERIFY(result.feasible);
        QVERIFY(result.bitsPerWeight <= 5.0);
        // Sliding only previews: nothing reached the plan yet.
        QCOMPARE(doc.undoStack()->count(), 0);
        QVERIFY(doc.types() == before);

        QVERIFY(panel->apply());
        QCOMPARE(doc.undoStack()->count(), 1);
        QVERIFY(doc.plannedBitsPerWeight() <= 5.0);
        // The document's own size accounting agrees with the optimizer's prediction, which
        // counts the whole file (tensors plus header, metadata and room for the padding), and
        // the file an export writes is at most that.
        QCOMPARE(quint64(doc.plannedBytes() + panel->table()->fileOverheadBytes),
                 quint64(result.totalBytes));
        QVERIFY(panel->table()->fileOverheadBytes > 0);
        QVERIFY(core::quantizedFileBytes(*m_model, doc.toQuantPlan(), core::QuantizeOptions{}) <=
                result.totalBytes);
        QVERIFY(gridTexts(editor.gridModel()) != gridBefore);
        for (std::size_t i = 0; i < result.choices.size(); ++i) {
            const std::string& name = panel->table()->rows[i].name;
            QCOMPARE(doc.typeOf(tensorIndex(name)), result.choices[i].type);
        }

        doc.undoStack()->undo();
        QVERIFY(doc.types() == before);
        QCOMPARE(gridTexts(editor.gridModel()), gridBefore);
        doc.undoStack()->redo();
        QCOMPARE(quint64(doc.plannedBytes() + panel->table()->fileOverheadBytes),
                 quint64(result.totalBytes));
    }

    void manualEditsArePinnedAndUndoable() {
        ui::PlanDocument doc;
        doc.setModel(m_model);
        ui::PlanEditor editor(&doc);
        ui::OptimizerPanel* panel = editor.optimizerPanel();
        panel->setCacheDirectory(m_cache.path());
        QVERIFY(measure(panel));
        panel->setTarget(5.0);
        QVERIFY(panel->apply());

        // Give one tensor a format the optimizer did not choose for it.
        const std::string name = "blk.0.attn_q.weight";
        const std::size_t tensor = tensorIndex(name);
        const core::GgmlType edited = doc.typeOf(tensor) == core::GgmlType::Q8_0
                                          ? core::GgmlType::Q4_0
                                          : core::GgmlType::Q8_0;
        QCOMPARE(doc.setTypes({tensor}, edited), 1);
        QCOMPARE(doc.undoStack()->count(), 2);

        // The next solve keeps the edit.
        panel->setTarget(6.0);
        QVERIFY(panel->result());
        const auto& rows = panel->table()->rows;
        const auto row = std::find_if(rows.begin(), rows.end(), [&](const core::SensitivityRow& r) {
            return r.name == name;
        });
        QVERIFY(row != rows.end());
        const auto& choice = panel->result()->choices[std::size_t(row - rows.begin())];
        QVERIFY(choice.pinned);
        QCOMPARE(choice.type, edited);

        // Undo takes back the edit, then the optimization.
        doc.undoStack()->undo();
        QVERIFY(doc.typeOf(tensor) != edited);
        panel->setTarget(6.0);
        QVERIFY(!panel->result()->choices[std::size_t(row - rows.begin())].pinned);
        doc.undoStack()->undo();
        QCOMPARE(doc.typeOf(tensor), m_model->tensors()[tensor].type);
    }

    void sliderSolvesWithoutTouchingThePlan() {
        ui::PlanDocument doc;
        doc.setModel(m_model);
        ui::PlanEditor editor(&doc);
        ui::OptimizerPanel* panel = editor.optimizerPanel();
        panel->setCacheDirectory(m_cache.path());
        QVERIFY(measure(panel));
        auto* slider = panel->findChild<QSlider*>(QStringLiteral("optimizerSlider"));
        QVERIFY(slider != nullptr);
        QSignalSpy solved(panel, &ui::OptimizerPanel::resultChanged);

        slider->setValue(slider->minimum());
        QVERIFY(panel->result() && panel->result()->feasible);
        const quint64 smallest = panel->result()->totalBytes;
        slider->setValue(slider->maximum());
        QVERIFY(panel->result() && panel->result()->feasible);
        const quint64 largest = panel->result()->totalBytes;
        slider->setValue((slider->minimum() + slider->maximum()) / 2);
        const quint64 middle = panel->result()->totalBytes;
        QVERIFY(smallest < middle);
        QVERIFY(middle < largest);
        QCOMPARE(solved.count(), 3);
        QCOMPARE(doc.undoStack()->count(), 0);

        // A size target in GB keeps the budget of the bits-per-weight target it replaces.
        panel->setTarget(5.0);
        const quint64 atFive = panel->result()->totalBytes;
        panel->setTargetKind(ui::OptimizerPanel::TargetKind::Gigabytes);
        QVERIFY(std::abs(panel->target() * 1e9 -
                         5.0 * double(panel->table()->totalParameters) / 8.0) < 0.5 * 1e9 / 1000);
        QVERIFY(panel->result()->totalBytes <= quint64(panel->target() * 1e9 + 0.5));
        QVERIFY(panel->result()->totalBytes <= atFive + 1000);
        QVERIFY(panel->result()->totalBytes + 1000 >= atFive);
    }

    void cancelledMeasurementLeavesNoTable() {
        // Hold the only pool thread so that the cancel lands before the job starts: the
        // outcome does not depend on how fast the machine measures.
        QThreadPool* pool = QThreadPool::globalInstance();
        const int threads = pool->maxThreadCount();
        pool->setMaxThreadCount(1);
        QSemaphore gate;
        pool->start([&gate] { gate.acquire(); });

        QTemporaryDir cache;
        ui::PlanDocument doc;
        doc.setModel(m_model);
        ui::PlanEditor editor(&doc);
        ui::OptimizerPanel* panel = editor.optimizerPanel();
        panel->setCacheDirectory(cache.path());
        QSignalSpy finished(panel, &ui::OptimizerPanel::measurementFinished);
        QVERIFY(panel->measure());
        QVERIFY(!panel->measure()); // one measurement at a time
        panel->cancelMeasurement();
        gate.release();
        QVERIFY(finished.wait(300000) || !finished.isEmpty());
        pool->setMaxThreadCount(threads);
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        QVERIFY(finished.at(0).at(1).toString().contains(QStringLiteral("cancelled")));
        QVERIFY(!panel->hasTable());
        QTRY_VERIFY(!panel->job()->isRunning());
        // And a new measurement works afterwards.
        QVERIFY(measure(panel));
    }

    void secondMeasurementComesFromTheCache() {
        ui::PlanDocument doc;
        doc.setModel(m_model);
        ui::PlanEditor editor(&doc);
        ui::OptimizerPanel* panel = editor.optimizerPanel();
        panel->setCacheDirectory(m_cache.path());
        QVERIFY(measure(panel)); // earlier tests filled the cache
        QCOMPARE(panel->table()->computedPoints, std::size_t(0));
        QVERIFY(panel->table()->cachedPoints > 0);
    }

    void sensitivityPlotFollowsTheSelectedTensor() {
        ui::PlanDocument doc;
        doc.setModel(m_model);
        ui::PlanEditor editor(&doc);
        ui::OptimizerPanel* panel = editor.optimizerPanel();
        panel->setCacheDirectory(m_cache.path());
        QVERIFY(measure(panel));
        panel->setTarget(5.0);

        const std::string name = "blk.1.ffn_down.weight";
        editor.selectTensor(tensorIndex(name));
        ui::SensitivityPlot* plot = panel->plot();
        QCOMPARE(plot->tensors(), std::vector<std::string>{name});
        QCPGraph* curve = plot->curveOf(name);
        QVERIFY(curve != nullptr);

        // One point per candidate format whose blocks fit the tensor's rows.
        const core::TensorInfo& info = m_model->tensors()[tensorIndex(name)];
        int fitting = 0;
        for (core::GgmlType type : panel->table()->formats) {
            fitting += core::ggmlRowBytes(type, info.dims[0]).has_value() ? 1 : 0;
        }
        QVERIFY(fitting >= 3);
        QCOMPARE(curve->dataCount(), fitting);
        QVERIFY(plot->customPlot()->yAxis->scaleType() == QCPAxis::stLogarithmic);

        // The chosen point is marked, on the curve.
        const core::SensitivityRow* row = panel->table()->find(name);
        const auto& rows = panel->table()->rows;
        const auto chosen = panel->result()->choices[std::size_t(row - rows.data())];
        QCPGraph* marks = plot->chosenMarks();
        QCOMPARE(marks->dataCount(), 1);
        const core::SensitivityPoint* point = row->find(chosen.type);
        QVERIFY(point != nullptr);
        QCOMPARE(marks->data()->at(0)->value, point->error);
        QVERIFY(plot->csvText().contains(
            QString::fromUtf8(core::ggmlTypeInfo(chosen.type).name.data(),
                              qsizetype(core::ggmlTypeInfo(chosen.type).name.size()))));

        // Another target moves the mark; another tensor replaces the curve.
        panel->setTarget(8.0);
        const auto richer = panel->result()->choices[std::size_t(row - rows.data())];
        QCOMPARE(plot->chosenMarks()->data()->at(0)->value, row->find(richer.type)->error);
        editor.selectTensor(tensorIndex("blk.0.attn_k.weight"));
        QVERIFY(plot->curveOf(name) == nullptr);
        QVERIFY(plot->curveOf("blk.0.attn_k.weight") != nullptr);
    }
};

QTEST_MAIN(TestOptimizerPanel)
#include "tst_optimizer_panel.moc"
