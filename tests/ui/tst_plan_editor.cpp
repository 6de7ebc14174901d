#include "core/io/model_reader.h"
#include "core/model/model.h"
#include "core/plan/llama_presets.h"
#include "ui/plan/plan_document.h"
#include "ui/plan/plan_editor.h"
#include "ui/plan/plan_grid_model.h"

#include <QFile>
#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QUndoStack>

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
};

QTEST_MAIN(TestPlanEditor)
#include "tst_plan_editor.moc"
