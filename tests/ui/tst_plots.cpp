#include "core/io/model_reader.h"
#include "core/model/model.h"
#include "ui/plots/comparison_plot.h"
#include "ui/plots/error_plot.h"
#include "ui/plots/memory_plot.h"
#include "ui/plots/speed_plot.h"

#include <QFile>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <qcustomplot.h>

#include <map>
#include <set>

// The plots of issue 7: data points, streaming with merged replots, clicks, log scale, export.
using namespace qs;

namespace {

// The bars of a plot named `name`, or nullptr.
QCPBars* barsNamed(QCustomPlot* plot, const QString& name) {
    for (int i = 0; i < plot->plottableCount(); ++i) {
        if (auto* bars = qobject_cast<QCPBars*>(plot->plottable(i)); bars && bars->name() == name) {
            return bars;
        }
    }
    return nullptr;
}

int barsDataPoints(QCustomPlot* plot) {
    int points = 0;
    for (int i = 0; i < plot->plottableCount(); ++i) {
        if (auto* bars = qobject_cast<QCPBars*>(plot->plottable(i))) {
            points += bars->data()->size();
        }
    }
    return points;
}

// Index of the data point at `key` in a bars series; -1 when absent.
int indexOfKey(QCPBars* bars, double key) {
    for (int i = 0; i < bars->data()->size(); ++i) {
        if (bars->data()->at(i)->key == key) {
            return i;
        }
    }
    return -1;
}

// The middle of a bar (stacked bars: of its own segment), in widget pixels.
QPoint barCentre(QCPBars* bars, int index) {
    const double key = bars->data()->at(index)->key;
    double base = 0;
    for (QCPBars* below = bars->barBelow(); below != nullptr; below = below->barBelow()) {
        const int i = indexOfKey(below, key);
        base += i >= 0 ? below->data()->at(i)->value : 0.0;
    }
    const QPointF top = bars->dataPixelPosition(index);
    const double bottom = bars->valueAxis()->coordToPixel(base);
    return QPoint(qRound(top.x()), qRound((top.y() + bottom) / 2));
}

void showForClicks(QWidget* widget) {
    widget->resize(900, 600);
    widget->show();
    QVERIFY(QTest::qWaitForWindowExposed(widget));
}

} // namespace

class TestPlots : public QObject {
    Q_OBJECT

    std::shared_ptr<const core::Model> m_model;
    std::vector<core::TensorQuantResult> m_results; // one per matrix, with error metrics

    std::size_t tensorIndex(const char* name) const {
        const auto* t = m_model->findTensor(name);
        return static_cast<std::size_t>(t - m_model->tensors().data());
    }

    // Distinct (role, layer) pairs among the results: the bars of the by-role grouping.
    std::map<core::TensorRole, std::set<int>> roleLayers() const {
        std::map<core::TensorRole, std::set<int>> pairs;
        for (const auto& r : m_results) {
            pairs[core::tensorRole(r.name)].insert(core::tensorLayerIndex(r.name).value_or(-1));
        }
        return pairs;
    }

private slots:
    void initTestCase() {
        auto opened = core::openModel(QS_RESOURCES_DIR "/models/shakespeare-3M-f16.gguf");
        QVERIFY2(opened.ok(), opened.ok() ? "" : opened.error().message.c_str());
        m_model = std::make_shared<const core::Model>(std::move(opened).value());
        const auto& tensors = m_model->tensors();
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            if (tensors[i].dims.size() < 2) {
                continue; // norms stay F32 and carry no error
            }
            core::TensorQuantResult r;
            r.tensorIndex = i;
            r.name = tensors[i].name;
            r.sourceType = tensors[i].type;
            r.type = core::GgmlType::Q8_0;
            r.parameters = tensors[i].elementCount();
            r.bytes = r.parameters * 34 / 32;
            core::ErrorMetrics e;
            e.count = static_cast<std::int64_t>(r.parameters);
            // Error grows with the tensor index: a layer's worst tensor is its last one.
            e.relativeRmse = 0.01 + 0.001 * static_cast<double>(i);
            e.mse = 1e-6 * e.relativeRmse * e.relativeRmse;
            e.sqnrDb = -20.0 * std::log10(e.relativeRmse);
            e.cosine = 1.0 - e.relativeRmse * e.relativeRmse / 2;
            e.maxAbsError = 0.1;
            r.error = e;
            m_results.push_back(r);
        }
        QVERIFY(m_results.size() > 8);
    }

    void errorPlotHoldsOneBarPerLayerOrPerRole() {
        ui::ErrorPlot plot;
        plot.setResults(*m_model, m_results);
        QCustomPlot* cp = plot.customPlot();
        // Layer grouping: one series, one bar per layer plus one for the global tensors.
        QCOMPARE(cp->plottableCount(), 1);
        const auto layers = m_model->layers();
        QCOMPARE(barsDataPoints(cp), int(layers.size()) + 1);

        plot.setGrouping(ui::ErrorGrouping::Role);
        const auto pairs = roleLayers();
        QCOMPARE(cp->plottableCount(), int(pairs.size()));
        for (const auto& [role, keys] : pairs) {
            QCPBars* bars = barsNamed(cp, QString::fromUtf8(core::tensorRoleName(role)));
            QVERIFY(bars != nullptr);
            QCOMPARE(bars->data()->size(), int(keys.size()));
            QVERIFY(bars->barsGroup() != nullptr);
        }
        // By role, each bar is exactly its tensor's metric.
        QCPBars* v = barsNamed(cp, QStringLiteral("attn_v"));
        const std::size_t v2 = tensorIndex("blk.2.attn_v.weight");
        QCOMPARE(v->data()->at(indexOfKey(v, 2))->value, 0.01 + 0.001 * double(v2));
        plot.setMetric(ui::ErrorMetric::SqnrDb);
        v = barsNamed(cp, QStringLiteral("attn_v")); // the series are rebuilt
        QCOMPARE(v->data()->at(indexOfKey(v, 2))->value,
                 -20.0 * std::log10(0.01 + 0.001 * double(v2)));
    }

    void errorPlotStreamsResultsWithMergedReplots() {
        ui::ErrorPlot plot;
        plot.setGrouping(ui::ErrorGrouping::Role);
        plot.setModel(*m_model);
        plot.resize(600, 400);
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        QCustomPlot* cp = plot.customPlot();
        QSignalSpy replots(cp, &QCustomPlot::afterReplot);
        for (std::size_t i = 0; i < m_results.size(); ++i) {
            plot.addResult(m_results[i]);
            QCOMPARE(barsDataPoints(cp), int(i) + 1);
        }
        // Adding the same tensor again replaces its bar.
        plot.addResult(m_results.front());
        QCOMPARE(barsDataPoints(cp), int(m_results.size()));
        // No replot ran while results came in; the queued ones merge into one.
        QCOMPARE(replots.count(), 0);
        QTRY_COMPARE(replots.count(), 1);
        plot.clear();
        QCOMPARE(barsDataPoints(cp), 0);
    }

    void errorPlotBaselineAndWeightedMetric() {
        ui::ErrorPlot plot;
        plot.setResults(*m_model, m_results);
        QCOMPARE(plot.availableMetrics().size(), std::size_t(3));
        core::ErrorMetrics fp16;
        fp16.relativeRmse = 0.0005;
        plot.setBaseline(fp16);
        QCustomPlot* cp = plot.customPlot();
        QCOMPARE(cp->graphCount(), 1);
        QCOMPARE(cp->graph(0)->data()->at(0)->value, 0.0005);

        auto weighted = m_results;
        weighted[0].error->weightedMse = 0.25;
        plot.setResults(*m_model, weighted);
        QCOMPARE(plot.availableMetrics().back(), ui::ErrorMetric::WeightedMse);
        plot.setMetric(ui::ErrorMetric::WeightedMse);
        QCOMPARE(barsDataPoints(cp), 1); // only the tensor that has it
    }

    void errorPlotLogScaleTogglesAxis() {
        ui::ErrorPlot plot;
        plot.setResults(*m_model, m_results);
        QCPAxis* y = plot.customPlot()->yAxis;
        QCOMPARE(y->scaleType(), QCPAxis::stLinear);
        plot.setLogScale(true);
        QVERIFY(plot.logScale());
        QCOMPARE(y->scaleType(), QCPAxis::stLogarithmic);
        QVERIFY(!y->ticker().dynamicCast<QCPAxisTickerLog>().isNull());
        plot.setLogScale(false);
        QCOMPARE(y->scaleType(), QCPAxis::stLinear);
    }

    void errorPlotClickEmitsTensor() {
        ui::ErrorPlot plot;
        plot.setResults(*m_model, m_results);
        showForClicks(&plot);
        QCustomPlot* cp = plot.customPlot();
        cp->replot();
        QSignalSpy clicked(&plot, &ui::ErrorPlot::tensorClicked);

        // Layer grouping: the bar of layer 1 stands for its worst (here: last) tensor.
        QCPBars* bars = qobject_cast<QCPBars*>(cp->plottable(0));
        const double value = bars->data()->at(indexOfKey(bars, 1))->value;
        const QPoint layer1(qRound(cp->xAxis->coordToPixel(1)),
                            qRound(cp->yAxis->coordToPixel(value / 2)));
        QTest::mouseClick(cp, Qt::LeftButton, Qt::NoModifier, layer1);
        QCOMPARE(clicked.count(), 1);
        std::size_t worst = 0;
        for (const auto& r : m_results) {
            if (core::tensorLayerIndex(r.name) == 1) {
                worst = std::max(worst, r.tensorIndex);
            }
        }
        QCOMPARE(clicked.takeFirst().at(0).value<std::size_t>(), worst);
        QVERIFY(plot.toolTipAt(layer1).contains(
            QString::fromStdString(m_model->tensors()[worst].name)));

        // Role grouping: each bar is one tensor.
        plot.setGrouping(ui::ErrorGrouping::Role);
        cp->replot();
        QCPBars* v = barsNamed(cp, QStringLiteral("attn_v"));
        QTest::mouseClick(cp, Qt::LeftButton, Qt::NoModifier, barCentre(v, indexOfKey(v, 2)));
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.takeFirst().at(0).value<std::size_t>(),
                 tensorIndex("blk.2.attn_v.weight"));
        // Empty space emits nothing.
        QTest::mouseClick(cp, Qt::LeftButton, Qt::NoModifier,
                          QPoint(qRound(cp->xAxis->coordToPixel(2)), cp->axisRect()->top() + 2));
        QCOMPARE(clicked.count(), 0);
    }

    void memoryPlotStacksRolesAgainstFp16() {
        std::vector<core::GgmlType> plan;
        std::uint64_t expected = 0;
        for (const auto& t : m_model->tensors()) {
            const bool matrix = t.dims.size() >= 2;
            plan.push_back(matrix ? core::GgmlType::Q8_0 : t.type);
            expected += matrix ? t.elementCount() / 32 * 34 : t.byteSize;
        }
        ui::MemoryPlot plot;
        plot.setPlan(*m_model, plan);
        QCOMPARE(plot.plannedBytes(), expected);
        QVERIFY(plot.fp16Bytes() > plot.plannedBytes());
        QVERIFY(plot.summary().contains(QStringLiteral("bpw")));

        QCustomPlot* cp = plot.customPlot();
        std::map<core::TensorRole, std::set<int>> pairs;
        std::set<int> keys;
        for (const auto& t : m_model->tensors()) {
            const int key = core::tensorLayerIndex(t.name).value_or(-1);
            pairs[t.role()].insert(key);
            keys.insert(key);
        }
        int planPoints = 0;
        for (const auto& [role, layers] : pairs) {
            QCPBars* bars = barsNamed(cp, QString::fromUtf8(core::tensorRoleName(role)));
            QVERIFY(bars != nullptr);
            QCOMPARE(bars->data()->size(), int(layers.size()));
            planPoints += bars->data()->size();
        }
        QCPBars* fp16 = barsNamed(cp, QStringLiteral("FP16"));
        QVERIFY(fp16 != nullptr);
        QCOMPARE(fp16->data()->size(), int(keys.size()));
        QCOMPARE(barsDataPoints(cp), planPoints + int(keys.size()));
        // The cumulative line ends at the plan's total.
        QCOMPARE(cp->graphCount(), 1);
        QCOMPARE(cp->graph(0)->data()->size(), int(keys.size()));
        QVERIFY(qFuzzyCompare((cp->graph(0)->data()->end() - 1)->value,
                              double(expected) / (1024.0 * 1024 * 1024)));

        // Budgets: the 8-24 GB defaults are far above a 3M model; only those within 2x show.
        QVERIFY(plot.visibleBudgets().empty());
        const double total = double(expected) / (1024.0 * 1024 * 1024);
        plot.setMemoryBudgets({total * 1.5, total * 3});
        QCOMPARE(plot.visibleBudgets(), std::vector<double>{total * 1.5});
        QCOMPARE(cp->itemCount(), 2); // the line and its label

        // Clicking the ffn_down segment of layer 3 selects that tensor.
        showForClicks(&plot);
        cp->replot();
        QSignalSpy clicked(&plot, &ui::MemoryPlot::tensorClicked);
        QCPBars* down = barsNamed(cp, QStringLiteral("ffn_down"));
        QTest::mouseClick(cp, Qt::LeftButton, Qt::NoModifier, barCentre(down, indexOfKey(down, 3)));
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.takeFirst().at(0).value<std::size_t>(),
                 tensorIndex("blk.3.ffn_down.weight"));
    }

    void speedPlotBarsRatiosAndCsv() {
        ui::SpeedPlot plot;
        plot.setResults({QStringLiteral("FP16"), 100, 10}, {{QStringLiteral("Q4_K_M"), 150, 25}});
        plot.addVariant({QStringLiteral("Q8_0"), 120, 18});
        QCustomPlot* cp = plot.customPlot();
        QCOMPARE(cp->plottableCount(), 2);
        QCOMPARE(barsDataPoints(cp), 6);
        QCOMPARE(plot.ratioLabels(),
                 (QStringList{QStringLiteral("×1.50"), QStringLiteral("×2.50"),
                              QStringLiteral("×1.20"), QStringLiteral("×1.80")}));

        // Hovering a bar tells its exact value and the ratio to FP16.
        showForClicks(&plot);
        cp->replot();
        QCPBars* ppBars = barsNamed(cp, QStringLiteral("pp (left axis)"));
        const QString tip = plot.toolTipAt(barCentre(ppBars, 1));
        QVERIFY2(tip.contains(QStringLiteral("150 tokens/s")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("1.5× FP16")), qPrintable(tip));

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("speed.csv"));
        QVERIFY(plot.exportCsv(path));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
        const QStringList lines =
            QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        const QString pp = QStringLiteral(",Prompt processing (tokens/s)");
        const QString tg = QStringLiteral(",Text generation (tokens/s)");
        const QStringList expected = {
            QStringLiteral("series,label,x,y,y_axis"),
            QStringLiteral("pp (left axis),FP16,-0.2,100") + pp,
            QStringLiteral("pp (left axis),Q4_K_M,0.8,150") + pp,
            QStringLiteral("pp (left axis),Q8_0,1.8,120") + pp,
            QStringLiteral("tg (right axis),FP16,0.2,10") + tg,
            QStringLiteral("tg (right axis),Q4_K_M,1.2,25") + tg,
            QStringLiteral("tg (right axis),Q8_0,2.2,18") + tg,
        };
        QCOMPARE(lines, expected);
    }

    void comparisonPlotParetoFront() {
        constexpr std::uint64_t GiB = 1ull << 30;
        ui::ComparisonPlot plot;
        plot.setVariants({{QStringLiteral("Q2_K"), 1 * GiB, 2.6, 9.0, 0.1, 0.30},
                          {QStringLiteral("Q4_K_M"), 2 * GiB, 4.8, 7.0, 0.1, 0.10},
                          {QStringLiteral("mine"), 3 * GiB, 6.0, 6.5, 0.1, 0.20},
                          {QStringLiteral("Q8_0"), 4 * GiB, 8.5, 6.4, 0.1, 0.05}});
        QCustomPlot* cp = plot.customPlot();
        QCOMPARE(plot.paretoFront(), (std::vector<std::size_t>{0, 1, 3}));
        QCOMPARE(cp->graphCount(), 5); // the front and one point per variant
        QCOMPARE(cp->graph(0)->data()->size(), 3);
        for (int i = 1; i < cp->graphCount(); ++i) {
            QCOMPARE(cp->graph(i)->data()->size(), 1);
        }
        // By perplexity "mine" beats Q4_K_M and joins the front.
        plot.setMetric(ui::ComparisonMetric::Ppl);
        QCOMPARE(plot.paretoFront(), (std::vector<std::size_t>{0, 1, 2, 3}));
        QCOMPARE(cp->graph(0)->data()->size(), 4);
        plot.addVariant({QStringLiteral("Q6_K"), 3 * GiB, 6.6, 6.45, 0.1, 0.07});
        QCOMPARE(cp->graphCount(), 6);
        QVERIFY(plot.csvText().contains(QStringLiteral("Q6_K,Q6_K,3,6.45,Perplexity")));

        showForClicks(&plot);
        cp->replot();
        QSignalSpy clicked(&plot, &ui::ComparisonPlot::variantClicked);
        const QPointF q8 = cp->graph(4)->dataPixelPosition(0);
        QTest::mouseClick(cp, Qt::LeftButton, Qt::NoModifier, q8.toPoint());
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.takeFirst().at(0).value<std::size_t>(), std::size_t(3));
    }

    // Issue 22: the qwen3 comparison of the README, where Q5_K_M and Q6_K sit a few pixels apart
    // and the KLDs span three decades.
    static std::vector<ui::VariantEvaluation> qwen3Variants() {
        constexpr double MiB = 1 << 20;
        const auto v = [](const char* name, double mib, double bpw, double kld) {
            return ui::VariantEvaluation{QString::fromLatin1(name),
                                         static_cast<std::uint64_t>(mib * MiB),
                                         bpw,
                                         1100,
                                         78,
                                         kld};
        };
        return {v("F16", 8.03, 16.0, -4.465e-7),  v("Q2_K", 1.55, 3.1, 0.2345),
                v("Q3_K_M", 2.01, 4.0, 0.06953),  v("Q4_K_M", 2.44, 4.8, 0.02578),
                v("Q5_K_M", 2.86, 5.7, 0.007593), v("Q6_K", 3.31, 6.6, 0.003616),
                v("Q8_0", 4.28, 8.5, 0.0005454),  v("Q6_K copy", 3.32, 6.6, 0.0036)};
    }

    void comparisonPlotLabelsDoNotOverlap() {
        ui::ComparisonPlot plot;
        plot.setVariants(qwen3Variants());
        plot.setLogScale(false); // the linear axis of the report: everything on the zero line
        plot.resize(560, 300);
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        QCustomPlot* cp = plot.customPlot();
        cp->replot();

        const auto box = [](QCPItemText* label) {
            return QRectF(label->topLeft->pixelPosition(), label->bottomRight->pixelPosition())
                .normalized();
        };
        std::vector<QRectF> shown;
        for (QCPItemText* label : plot.labels()) {
            if (label->visible()) {
                shown.push_back(box(label));
            }
        }
        QVERIFY(shown.size() >= 3);
        QVERIFY(shown.size() < plot.labels().size()); // the crowd near zero cannot all fit
        for (std::size_t a = 0; a < shown.size(); ++a) {
            QVERIFY(cp->axisRect()->rect().contains(shown[a].toRect()));
            for (std::size_t b = a + 1; b < shown.size(); ++b) {
                QVERIFY2(!shown[a].intersects(shown[b]),
                         qPrintable(QStringLiteral("labels %1 and %2 overlap").arg(a).arg(b)));
            }
        }
        // A point whose name is hidden is still named by the legend and its tooltip.
        for (int i = 0; i < cp->graphCount(); ++i) {
            QCPGraph* graph = cp->graph(i);
            QVERIFY(cp->legend->hasItemWithPlottable(graph));
            if (graph->dataCount() == 1) {
                const QString tip = plot.toolTipAt(graph->dataPixelPosition(0));
                QVERIFY(!tip.isEmpty());
            }
        }
    }

    void comparisonPlotTakesALogAxisForKldSpanningDecades() {
        ui::ComparisonPlot kld;
        kld.setVariants(qwen3Variants());
        QCPAxis* y = kld.customPlot()->yAxis;
        QVERIFY(kld.logScale());
        QCOMPARE(y->scaleType(), QCPAxis::stLogarithmic);
        QVERIFY(!y->ticker().dynamicCast<QCPAxisTickerLog>().isNull());
        // The reference (KLD 0 against itself) has no place on it but keeps its legend entry.
        for (int i = 0; i < kld.customPlot()->graphCount(); ++i) {
            QCPGraph* graph = kld.customPlot()->graph(i);
            if (graph->name() == QStringLiteral("F16")) {
                QCOMPARE(graph->dataCount(), 0);
                QVERIFY(kld.customPlot()->legend->hasItemWithPlottable(graph));
            }
            for (int j = 0; j < graph->dataCount(); ++j) {
                QVERIFY(graph->data()->at(j)->value > 0);
            }
        }
        QVERIFY(y->range().lower > 0);
        QVERIFY(y->range().lower < 0.0005454 && y->range().upper > 0.2345);

        // Within one decade it stays linear, until the range grows past it.
        ui::ComparisonPlot narrow;
        narrow.setVariants({{QStringLiteral("Q4_K_M"), 2u << 20, 4.8, 7.0, 0.1, 0.02},
                            {QStringLiteral("Q8_0"), 4u << 20, 8.5, 6.4, 0.1, 0.005}});
        QVERIFY(!narrow.logScale());
        QCOMPARE(narrow.customPlot()->yAxis->scaleType(), QCPAxis::stLinear);
        narrow.addVariant({QStringLiteral("Q2_K"), 1u << 20, 2.6, 9.0, 0.1, 0.3});
        QVERIFY(narrow.logScale());

        // The user's choice sticks; perplexity never switches by itself.
        kld.setLogScale(false);
        kld.addVariant({QStringLiteral("IQ1_S"), 1u << 20, 1.6, 30, 1, 1.5});
        QVERIFY(!kld.logScale());
        QCOMPARE(y->scaleType(), QCPAxis::stLinear);
        ui::ComparisonPlot ppl;
        ppl.setMetric(ui::ComparisonMetric::Ppl);
        ppl.setVariants(qwen3Variants());
        QVERIFY(!ppl.logScale());
    }

    void exportsPngAndPdf() {
        ui::ErrorPlot plot;
        plot.setResults(*m_model, m_results);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString png = dir.filePath(QStringLiteral("error.png"));
        QVERIFY(plot.exportPng(png, 640, 400));
        QImage image(png);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), QSize(640, 400));
        const QString pdf = dir.filePath(QStringLiteral("error.pdf"));
        QVERIFY(plot.exportPdf(pdf, 640, 400));
        QVERIFY(QFileInfo(pdf).size() > 0);
    }
};

QTEST_MAIN(TestPlots)
#include "tst_plots.moc"
