// Issue 19: a mixture-of-experts model (../shared/golden/arch/qwen3moe: 8 experts per layer) in
// the GUI's views. The tensor tree keeps one row per expert tensor (role and layer) and expands
// it into its experts; the plan grid shows each expert tensor as one decision and the router as
// not quantizable; the memory plot stacks a layer's experts as one segment.
#include "core/io/model_reader.h"
#include "core/model/model.h"
#include "core/plan/llama_presets.h"
#include "ui/models/tensor_tree_model.h"
#include "ui/plan/plan_document.h"
#include "ui/plan/plan_editor.h"
#include "ui/plan/plan_grid_model.h"
#include "ui/plots/memory_plot.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QLocale>
#include <QTest>
#include <qcustomplot.h>

using namespace qs;

namespace {

const QString kModel = QStringLiteral(QS_SHARED_DIR "/golden/arch/qwen3moe/qwen3moe-f16.gguf");

QCPBars* barsNamed(QCustomPlot* plot, const QString& name) {
    for (int i = 0; i < plot->plottableCount(); ++i) {
        if (auto* bars = qobject_cast<QCPBars*>(plot->plottable(i)); bars && bars->name() == name) {
            return bars;
        }
    }
    return nullptr;
}

} // namespace

class TestMoeGui : public QObject {
    Q_OBJECT

    std::shared_ptr<const core::Model> m_model;
    std::uint64_t m_experts = 0;

    std::size_t tensorIndex(const std::string& name) const {
        const auto* t = m_model->findTensor(name);
        return t ? static_cast<std::size_t>(t - m_model->tensors().data()) : ~std::size_t(0);
    }

private slots:
    void initTestCase() {
        if (!QFile::exists(kModel)) {
            QSKIP("../shared/golden/arch is not beside this checkout");
        }
        auto opened = core::openModel(kModel.toStdString());
        QVERIFY2(opened.ok(), opened.ok() ? "" : opened.error().message.c_str());
        m_model = std::make_shared<const core::Model>(std::move(opened).value());
        m_experts = static_cast<std::uint64_t>(
            m_model->metadata().integer("qwen3moe.expert_count").value_or(0));
        QCOMPARE(m_experts, std::uint64_t(8));
    }

    void treeExpandsExpertTensorsIntoExperts() {
        ui::TensorTreeModel tree;
        QAbstractItemModelTester tester(&tree,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        tree.setModel(m_model);
        for (const char* role : {"ffn_gate_exps", "ffn_up_exps", "ffn_down_exps"}) {
            const std::string name = std::string("blk.1.") + role + ".weight";
            const auto& t = m_model->tensors()[tensorIndex(name)];
            QCOMPARE(t.dims.size(), std::size_t(3));
            const QModelIndex row = tree.indexOfTensor(tensorIndex(name));
            QVERIFY(row.isValid());
            // One row per role and layer, its experts below it.
            QCOMPARE(tree.rowCount(row), int(m_experts));
            QVERIFY(tree.data(row, Qt::ToolTipRole).toString().contains("8 experts"));
            quint64 bytes = 0;
            for (int e = 0; e < tree.rowCount(row); ++e) {
                const QModelIndex expert = tree.index(e, ui::TensorTreeModel::NameColumn, row);
                QCOMPARE(tree.parent(expert), row);
                QCOMPARE(expert.data().toString(), QStringLiteral("expert %1").arg(e));
                QCOMPARE(expert.data(ui::TensorTreeModel::ExpertIndexRole).toInt(), e);
                QCOMPARE(expert.data(ui::TensorTreeModel::TensorIndexRole).toULongLong(),
                         qulonglong(tensorIndex(name)));
                QCOMPARE(tree.index(e, ui::TensorTreeModel::DimsColumn, row).data().toString(),
                         QStringLiteral("%1 × %2").arg(t.dims[0]).arg(t.dims[1]));
                QCOMPARE(tree.index(e, ui::TensorTreeModel::RoleColumn, row).data().toString(),
                         QString::fromLatin1(role));
                QCOMPARE(tree.rowCount(expert), 0);
                bytes += t.byteSize / m_experts;
            }
            QCOMPARE(bytes, t.byteSize); // equal shares, nothing left over
            QCOMPARE(tree.index(0, ui::TensorTreeModel::SizeColumn, row).data().toString(),
                     QLocale().formattedDataSize(static_cast<qint64>(t.byteSize / m_experts)));
        }
        // Other tensors have no children; the router says it is not quantizable.
        QCOMPARE(tree.rowCount(tree.indexOfTensor(tensorIndex("blk.1.attn_q.weight"))), 0);
        const QModelIndex router = tree.indexOfTensor(tensorIndex("blk.1.ffn_gate_inp.weight"));
        QCOMPARE(tree.rowCount(router), 0);
        QVERIFY(tree.data(router, Qt::ToolTipRole).toString().contains("not quantizable"));
    }

    void gridTreatsEachExpertTensorAsOneDecisionAndKeepsTheRouter() {
        ui::PlanDocument doc;
        doc.setModel(m_model);
        ui::PlanEditor editor(&doc);
        auto* grid = editor.gridModel();
        const QModelIndex up = grid->indexOfTensor(tensorIndex("blk.0.ffn_up_exps.weight"));
        const QModelIndex router = grid->indexOfTensor(tensorIndex("blk.0.ffn_gate_inp.weight"));
        QVERIFY(up.isValid() && router.isValid());
        QVERIFY(grid->flags(up) & Qt::ItemIsSelectable);
        QVERIFY(!(grid->flags(router) & Qt::ItemIsSelectable));
        QVERIFY(grid->data(up, Qt::ToolTipRole).toString().contains("8 experts"));
        QVERIFY(grid->data(router, Qt::ToolTipRole).toString().contains("not quantizable"));
        QVERIFY(grid->data(router, Qt::FontRole).value<QFont>().italic());
        QVERIFY(!grid->data(up, Qt::FontRole).isValid());

        // A preset changes the expert tensors, never the router; a format set on both cells
        // reaches only the expert tensor.
        const core::GgmlType routerType = doc.typeOf(tensorIndex("blk.0.ffn_gate_inp.weight"));
        QVERIFY(doc.applyPreset(*core::llamaPresetByName("Q4_K_M")).isEmpty());
        QVERIFY(doc.typeOf(tensorIndex("blk.0.ffn_up_exps.weight")) != core::GgmlType::F16);
        QCOMPARE(doc.typeOf(tensorIndex("blk.0.ffn_gate_inp.weight")), routerType);
        QCOMPARE(doc.setTypes({tensorIndex("blk.0.ffn_up_exps.weight"),
                               tensorIndex("blk.0.ffn_gate_inp.weight")},
                              core::GgmlType::Q8_0),
                 1);
        QCOMPARE(doc.typeOf(tensorIndex("blk.0.ffn_gate_inp.weight")), routerType);
    }

    void memoryPlotStacksALayersExpertsAsOneSegment() {
        ui::PlanDocument doc;
        doc.setModel(m_model);
        QVERIFY(doc.applyPreset(*core::llamaPresetByName("Q4_K_M")).isEmpty());
        std::vector<core::GgmlType> types;
        for (std::size_t i = 0; i < m_model->tensors().size(); ++i) {
            types.push_back(doc.typeOf(i));
        }
        ui::MemoryPlot plot;
        plot.setPlan(*m_model, types);
        QCustomPlot* cp = plot.customPlot();
        for (const char* role : {"ffn_gate_exps", "ffn_up_exps", "ffn_down_exps"}) {
            QVERIFY2(!barsNamed(cp, QString::fromLatin1(role)), role);
        }
        QCPBars* experts = barsNamed(cp, QStringLiteral("experts"));
        QVERIFY(experts);
        QVERIFY(barsNamed(cp, QStringLiteral("ffn_gate_inp"))); // the router stays apart
        const int layers = static_cast<int>(m_model->hparams().blockCount);
        QCOMPARE(experts->data()->size(), layers);
        // Each layer's segment is the planned bytes of its three expert tensors.
        for (int l = 0; l < layers; ++l) {
            std::uint64_t bytes = 0;
            for (const char* role : {"ffn_gate_exps", "ffn_up_exps", "ffn_down_exps"}) {
                const std::size_t t =
                    tensorIndex("blk." + std::to_string(l) + "." + role + ".weight");
                const auto& info = m_model->tensors()[t];
                bytes += *core::ggmlRowBytes(types[t], info.dims[0]) * info.ggmlRows();
            }
            QCOMPARE(experts->data()->at(l)->key, double(l));
            QCOMPARE(experts->data()->at(l)->value, double(bytes) / (1024.0 * 1024.0));
        }
        // Its tooltip gives the experts and the bytes of one.
        plot.resize(900, 500);
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        cp->replot();
        // Just inside the top of layer 0's segment (the experts are the top of the stack).
        const QPointF top = experts->dataPixelPosition(0);
        const QString tip = plot.toolTipAt(QPointF(top.x(), top.y() + 2));
        QVERIFY2(tip.startsWith(QStringLiteral("experts, layer 0")) &&
                     tip.contains(QStringLiteral("8 experts")),
                 qPrintable(tip));
    }
};

QTEST_MAIN(TestMoeGui)
#include "tst_moe_gui.moc"
