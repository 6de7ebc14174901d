#include "core/io/model_reader.h"
#include "core/model/model.h"
#include "core/plan/llama_presets.h"
#include "ui/models/results_table_model.h"
#include "ui/plan/colour_legend.h"
#include "ui/plan/plan_document.h"
#include "ui/plan/plan_editor.h"
#include "ui/plan/plan_grid_model.h"
#include "ui/settings/app_settings.h"
#include "ui/workspace/workspace.h"

#include <QComboBox>
#include <QFile>
#include <QItemSelectionModel>
#include <QLocale>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QUndoStack>

#include <cmath>
#include <map>

using namespace qs;

class TestPlanEditor : public QObject {
    Q_OBJECT

    std::shared_ptr<const core::Model> m_model;

    std::size_t tensorIndex(const char* name) const {
        const auto* t = m_model->findTensor(name);
        return static_cast<std::size_t>(t - m_model->tensors().data());
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true); // the grid's colouring is a setting
        // shakespeare-3M: rows of 256/768, so every k-quant fits every matrix.
        auto opened = core::openModel(QS_RESOURCES_DIR "/models/shakespeare-3M-f16.gguf");
        QVERIFY2(opened.ok(), opened.ok() ? "" : opened.error().message.c_str());
        m_model = std::make_shared<const core::Model>(std::move(opened).value());
    }

    void gridShowsLayersByRoles() {
        ui::PlanDocument doc;
        doc.setModel(m_model);
        ui::PlanEditor editor(&doc);
        auto* grid = editor.gridModel();
        QCOMPARE(grid->rowCount(), 5); // global + 4 layers
        // The Llama roles of this model: token_embd, attn_q/k/v/output, ffn_gate/up/down, output.
        QCOMPARE(grid->columnCount(), 9);
        QCOMPARE(grid->columnCount(), int(grid->columnRoles().size()));
        // Layer 0's attn_q is the stored F16.
        const QModelIndex q0 = grid->indexOfTensor(tensorIndex("blk.0.attn_q.weight"));
        QCOMPARE(q0.row(), 1);
        QCOMPARE(grid->data(q0).toString(), QStringLiteral("F16"));
    }

    // Issue 18: the columns are the roles the model has, whatever its family.
    void gridShowsTheRolesOfEachFamily_data() {
        QTest::addColumn<QString>("family");
        QTest::addColumn<QStringList>("columns");
        QTest::newRow("phi3") << "phi3" << QStringList{"token_embd", "attn_qkv", "attn_output",
                                                       "ffn_up",     "ffn_down", "output"};
        QTest::newRow("gemma3") << "gemma3"
                                << QStringList{"token_embd",  "attn_q",   "attn_k", "attn_v",
                                               "attn_output", "ffn_gate", "ffn_up", "ffn_down"};
        QTest::newRow("mixtral") << "mixtral"
                                 << QStringList{"token_embd",    "attn_q",      "attn_k",
                                                "attn_v",        "attn_output", "ffn_gate_inp",
                                                "ffn_gate_exps", "ffn_up_exps", "ffn_down_exps",
                                                "output"};
    }
    void gridShowsTheRolesOfEachFamily() {
        QFETCH(QString, family);
        QFETCH(QStringList, columns);
        const QString path =
            QStringLiteral(QS_SHARED_DIR "/golden/arch/%1/%1-f16.gguf").arg(family);
        if (!QFile::exists(path)) {
            QSKIP("../shared/golden/arch is not beside this checkout");
        }
        auto opened = core::openModel(path.toStdString());
        QVERIFY(opened.ok());
        ui::PlanDocument doc;
        doc.setModel(std::make_shared<const core::Model>(std::move(opened).value()));
        ui::PlanEditor editor(&doc);
        auto* grid = editor.gridModel();
        QStringList headers;
        for (int c = 0; c < grid->columnCount(); ++c) {
            headers << grid->headerData(c, Qt::Horizontal).toString();
        }
        QCOMPARE(headers, columns);
        // A MoE router is shown but never quantized (llama-quantize's rule, issue 19); the expert
        // tensors are one decision each.
        const int router = static_cast<int>(headers.indexOf(QStringLiteral("ffn_gate_inp")));
        if (router >= 0) {
            QVERIFY(!(grid->flags(grid->index(1, router)) & Qt::ItemIsSelectable));
            const int experts = static_cast<int>(headers.indexOf(QStringLiteral("ffn_up_exps")));
            QVERIFY(grid->flags(grid->index(1, experts)) & Qt::ItemIsSelectable);
        }
    }

    void setFormatOnSelectionThenUndoRedo() {
        ui::PlanDocument doc;
        doc.setModel(m_model);
        ui::PlanEditor editor(&doc);
        const quint64 before = doc.plannedBytes();
        QCOMPARE(before, m_model->tensorBytes());

        // Select the whole attn_v column and press "4" (Q4_K).
        QTableView* view = editor.grid();
        const int vColumn = 3;
        view->selectColumn(vColumn);
        editor.show();
        view->setFocus();
        QTest::keyClick(view, Qt::Key_4);
        for (int layer = 0; layer < 4; ++layer) {
            const auto t = tensorIndex(("blk." + std::to_string(layer) + ".attn_v.weight").c_str());
            QCOMPARE(doc.typeOf(t), core::GgmlType::Q4_K);
        }
        QVERIFY(doc.plannedBytes() < before);
        QCOMPARE(doc.undoStack()->count(), 1);

        doc.undoStack()->undo();
        QCOMPARE(doc.typeOf(tensorIndex("blk.2.attn_v.weight")), core::GgmlType::F16);
        QCOMPARE(doc.plannedBytes(), before);
        doc.undoStack()->redo();
        QCOMPARE(doc.typeOf(tensorIndex("blk.2.attn_v.weight")), core::GgmlType::Q4_K);
    }

    void normsCannotBeChanged() {
        ui::PlanDocument doc;
        doc.setModel(m_model);
        const auto norm = tensorIndex("blk.0.attn_norm.weight");
        QVERIFY(!doc.isQuantizable(norm));
        QCOMPARE(doc.setTypes({norm}, core::GgmlType::Q8_0), 0);
        QCOMPARE(doc.undoStack()->count(), 0);
    }

    void presetMatchesCoreAndIsOneUndoStep() {
        ui::PlanDocument doc;
        doc.setModel(m_model);
        QSignalSpy changed(&doc, &ui::PlanDocument::planChanged);
        const auto* preset = core::llamaPresetByName("Q4_K_M");
        QVERIFY(preset);
        QVERIFY(doc.applyPreset(*preset).isEmpty());
        QCOMPARE(doc.undoStack()->count(), 1);
        QVERIFY(changed.count() >= 1);
        // Q4_K_M: attn_v and ffn_down of some layers get Q6_K, the rest Q4_K; output Q6_K.
        QCOMPARE(doc.typeOf(tensorIndex("blk.1.attn_q.weight")), core::GgmlType::Q4_K);
        QCOMPARE(doc.typeOf(tensorIndex("output.weight")), core::GgmlType::Q6_K);
        QCOMPARE(doc.typeOf(tensorIndex("blk.0.attn_norm.weight")), core::GgmlType::F32);
        const double bpw = doc.plannedBitsPerWeight();
        QVERIFY2(bpw > 4.5 && bpw < 6.0, qPrintable(QString::number(bpw)));
        doc.undoStack()->undo();
        QCOMPARE(doc.typeOf(tensorIndex("output.weight")), core::GgmlType::F16);
    }

    // Issue 22: after a run the grid colours each cell by its tensor's measured error (a layer ×
    // role heat map, the worst tensor the hottest), toggled with bits per weight and remembered.
    void heatMapColoursCellsByMeasuredError() {
        ui::savePlanGridColouring(QStringLiteral("bits"));
        ui::Workspace ws;
        QSignalSpy opened(&ws, &ui::Workspace::modelOpened);
        ws.openModel(QStringLiteral(QS_RESOURCES_DIR "/models/shakespeare-3M-f16.gguf"));
        QVERIFY(opened.wait(10000));
        ui::PlanEditor editor(ws.plan());
        editor.setResults(ws.results());
        auto* grid = editor.gridModel();
        QCOMPARE(grid->colouring(), ui::GridColouring::BitsPerWeight);
        QVERIFY(!grid->errorRange());

        // Q3_K_M mixes formats, so the errors differ; blk.0.attn_k stays F16 (copied, so not
        // measured).
        QVERIFY(ws.plan()->applyPreset(*core::llamaPresetByName("Q3_K_M")).isEmpty());
        const std::size_t kept = tensorIndexIn(*ws.model(), "blk.0.attn_k.weight");
        QCOMPARE(ws.plan()->setTypes({kept}, core::GgmlType::F16), 1);
        QSignalSpy finished(&ws, &ui::Workspace::runFinished);
        QVERIFY(ws.runPlan());
        QVERIFY(finished.wait(60000));
        QVERIFY(finished.first().at(0).toBool());

        // Bits colouring, as before the run.
        std::map<std::pair<int, int>, QColor> bitsColours;
        for (int r = 0; r < grid->rowCount(); ++r) {
            for (int c = 0; c < grid->columnCount(); ++c) {
                const QModelIndex idx = grid->index(r, c);
                if (grid->tensorAt(idx)) {
                    const auto colour = grid->data(idx, Qt::BackgroundRole).value<QColor>();
                    QCOMPARE(colour, ui::colourForBits(
                                         grid->data(idx, ui::PlanGridModel::BitsRole).toDouble()));
                    bitsColours[{r, c}] = colour;
                }
            }
        }
        QCOMPARE(int(bitsColours.size()), 30);

        // The visible control switches to the heat map and the choice is saved.
        editor.colouringCombo()->setCurrentIndex(1);
        QCOMPARE(grid->colouring(), ui::GridColouring::MeasuredError);
        QCOMPARE(ui::planGridColouring(), QStringLiteral("error"));
        const auto range = grid->errorRange();
        QVERIFY(range);
        QVERIFY(range->low > 0 && range->low < range->high);

        // Every measured cell has its tensor's error from the results table; the worst is red
        // (hue 0), the best blue (hue 220), and no cell is hotter than the worst.
        std::map<std::size_t, double> measured;
        for (const auto& r : ws.results()->results()) {
            if (r.error) {
                measured[r.tensorIndex] = r.error->relativeRmse;
            }
        }
        QCOMPARE(int(measured.size()), 29);
        QModelIndex worst;
        QModelIndex best;
        int cells = 0;
        for (int r = 0; r < grid->rowCount(); ++r) {
            for (int c = 0; c < grid->columnCount(); ++c) {
                const QModelIndex idx = grid->index(r, c);
                const auto t = grid->tensorAt(idx);
                if (!t || *t == kept) {
                    continue;
                }
                ++cells;
                const double e = grid->data(idx, ui::PlanGridModel::MeasuredErrorRole).toDouble();
                QCOMPARE(e, measured.at(*t));
                QCOMPARE(grid->data(idx, Qt::BackgroundRole).value<QColor>(),
                         ui::colourForError(e, *range));
                if (!worst.isValid() ||
                    e > grid->data(worst, ui::PlanGridModel::MeasuredErrorRole).toDouble()) {
                    worst = idx;
                }
                if (!best.isValid() ||
                    e < grid->data(best, ui::PlanGridModel::MeasuredErrorRole).toDouble()) {
                    best = idx;
                }
                QVERIFY(grid->data(idx, Qt::ToolTipRole)
                            .toString()
                            .contains(QLocale().toString(e, 'g', 4)));
            }
        }
        QCOMPARE(cells, 29);
        const auto hue = [&](const QModelIndex& idx) {
            return grid->data(idx, Qt::BackgroundRole).value<QColor>().hsvHue();
        };
        QCOMPARE(hue(worst), 0);
        QCOMPARE(hue(best), 220);
        QCOMPARE(grid->data(worst, ui::PlanGridModel::MeasuredErrorRole).toDouble(), range->high);

        // The copied tensor says it has no measurement.
        const QModelIndex keptCell = grid->indexOfTensor(kept);
        QVERIFY(!grid->data(keptCell, ui::PlanGridModel::MeasuredErrorRole).isValid());
        QCOMPARE(grid->data(keptCell, Qt::BackgroundRole).value<QColor>(), ui::unmeasuredColour());
        QVERIFY(grid->data(keptCell, Qt::ToolTipRole).toString().contains("No measured error"));

        // The legend gives numbers: from the smallest to the largest error, then "not measured".
        const auto& entries = editor.legend()->entries();
        QVERIFY(entries.size() >= 3);
        bool ok = false;
        const double first = QLocale().toDouble(entries.front().label, &ok);
        QVERIFY(ok);
        QVERIFY(std::abs(first - range->low) <= 0.05 * range->low);
        const double last = QLocale().toDouble(entries[entries.size() - 2].label, &ok);
        QVERIFY(ok);
        QVERIFY(std::abs(last - range->high) <= 0.05 * range->high);
        QCOMPARE(entries[entries.size() - 2].colour, grid->data(worst, Qt::BackgroundRole));
        QCOMPARE(entries.back().colour, ui::unmeasuredColour());

        // An edit after the run: the tooltip says the colour is the old format's error.
        const std::size_t worstTensor = *grid->tensorAt(worst);
        QCOMPARE(ws.plan()->setTypes({worstTensor}, core::GgmlType::Q8_0), 1);
        QVERIFY(grid->data(worst, Qt::ToolTipRole).toString().contains("run it again"));
        ws.plan()->undoStack()->undo();

        // Back to bits per weight: the colours are the bits colours again, and so is the legend.
        editor.colouringCombo()->setCurrentIndex(0);
        QCOMPARE(ui::planGridColouring(), QStringLiteral("bits"));
        for (const auto& [cell, colour] : bitsColours) {
            QCOMPARE(grid->data(grid->index(cell.first, cell.second), Qt::BackgroundRole)
                         .value<QColor>(),
                     colour);
        }
        QCOMPARE(editor.legend()->entries().front().colour, ui::colourForBits(2));

        // A new editor starts with the remembered colouring.
        editor.colouringCombo()->setCurrentIndex(1);
        ui::PlanEditor reopened(ws.plan());
        QCOMPARE(reopened.gridModel()->colouring(), ui::GridColouring::MeasuredError);
        ui::savePlanGridColouring(QStringLiteral("bits"));
    }

private:
    static std::size_t tensorIndexIn(const core::Model& model, const char* name) {
        const auto* t = model.findTensor(name);
        return static_cast<std::size_t>(t - model.tensors().data());
    }
};

QTEST_MAIN(TestPlanEditor)
#include "tst_plan_editor.moc"
