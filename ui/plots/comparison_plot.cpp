#include "ui/plots/comparison_plot.h"

#include "ui/plan/plan_grid_model.h"

#include <QActionGroup>
#include <QMenu>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace qs::ui {

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

double gibibytes(std::uint64_t bytes) {
    return static_cast<double>(bytes) / kGiB;
}

} // namespace

ComparisonPlot::ComparisonPlot(QWidget* parent)
    : PlotView(parent) {
    customPlot()->xAxis->setLabel(tr("Size (GiB)"));
    customPlot()->xAxis->grid()->setVisible(true);
    customPlot()->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    rebuild();
}

void ComparisonPlot::setVariants(const std::vector<VariantEvaluation>& variants) {
    m_variants = variants;
    resetZoom();
    rebuild();
}

void ComparisonPlot::addVariant(const VariantEvaluation& variant) {
    auto same = std::find_if(m_variants.begin(), m_variants.end(),
                             [&](const VariantEvaluation& v) { return v.name == variant.name; });
    if (same != m_variants.end()) {
        *same = variant;
    } else {
        m_variants.push_back(variant);
    }
    rebuild();
}

void ComparisonPlot::clear() {
    m_variants.clear();
    resetZoom();
    rebuild();
}

void ComparisonPlot::setMetric(ComparisonMetric metric) {
    m_metric = metric;
    resetZoom();
    rebuild();
}

double ComparisonPlot::metricValue(const VariantEvaluation& variant) const {
    return m_metric == ComparisonMetric::Kld ? variant.kld : variant.ppl;
}

void ComparisonPlot::fitAxes() {
    PlotView::fitAxes();
    // Room for the name written right of the largest variant.
    QCPAxis* x = customPlot()->xAxis;
    x->setRange(x->range().lower, x->range().upper + 0.08 * x->range().size());
}

std::vector<std::size_t> ComparisonPlot::paretoFront() const {
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < m_variants.size(); ++i) {
        if (std::isfinite(metricValue(m_variants[i]))) {
            order.push_back(i);
        }
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (m_variants[a].bytes != m_variants[b].bytes) {
            return m_variants[a].bytes < m_variants[b].bytes;
        }
        return metricValue(m_variants[a]) < metricValue(m_variants[b]);
    });
    // Walking up in size, a variant is on the front when it beats every smaller one.
    std::vector<std::size_t> front;
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t i : order) {
        const double value = metricValue(m_variants[i]);
        if (value < best) {
            front.push_back(i);
            best = value;
        }
    }
    return front;
}

void ComparisonPlot::rebuild() {
    QCustomPlot* plot = customPlot();
    plot->clearPlottables();
    plot->clearItems();
    m_variantOfGraph.clear();
    m_front = nullptr;
    m_frontVariants.clear();
    plot->yAxis->setLabel(m_metric == ComparisonMetric::Kld ? tr("Mean KL divergence")
                                                            : tr("Perplexity"));

    const std::vector<std::size_t> front = paretoFront();
    if (front.size() > 1) {
        auto* line = plot->addGraph(plot->xAxis, plot->yAxis);
        line->setName(tr("Pareto front"));
        line->setPen(QPen(QColor(0x40, 0x40, 0x40), 1.5, Qt::DashLine));
        for (std::size_t i : front) {
            line->addData(gibibytes(m_variants[i].bytes), metricValue(m_variants[i]));
        }
        m_front = line;
        m_frontVariants = front;
    }
    // One graph per variant so each point keeps its format's colour and a legend entry.
    for (std::size_t i = 0; i < m_variants.size(); ++i) {
        const VariantEvaluation& variant = m_variants[i];
        const double value = metricValue(variant);
        if (!std::isfinite(value)) {
            continue;
        }
        const QColor colour = colourForBits(variant.bpw);
        auto* point = plot->addGraph(plot->xAxis, plot->yAxis);
        point->setName(variant.name);
        point->setLineStyle(QCPGraph::lsNone);
        point->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssDisc, colour.darker(150), colour, 10));
        point->addData(gibibytes(variant.bytes), value);
        m_variantOfGraph[point] = i;
        if (m_metric == ComparisonMetric::Ppl && variant.pplErr > 0) {
            auto* errors = new QCPErrorBars(plot->xAxis, plot->yAxis);
            errors->removeFromLegend();
            errors->setDataPlottable(point);
            errors->setData(QVector<double>{variant.pplErr});
            errors->setPen(QPen(colour.darker(150)));
        }
        auto* label = new QCPItemText(plot);
        label->position->setCoords(gibibytes(variant.bytes), value);
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
        label->setPadding(QMargins(6, 0, 0, 2));
        label->setText(variant.name);
    }
    requestReplot();
}

std::optional<std::size_t> ComparisonPlot::variantAt(QCPAbstractPlottable* plottable,
                                                     int index) const {
    if (auto variant = m_variantOfGraph.find(plottable); variant != m_variantOfGraph.end()) {
        return variant->second;
    }
    // A point of the front line is its variant too (the line lies over the points).
    if (plottable == m_front && index >= 0 &&
        static_cast<std::size_t>(index) < m_frontVariants.size()) {
        return m_frontVariants[static_cast<std::size_t>(index)];
    }
    return std::nullopt;
}

QString ComparisonPlot::pointLabel(QCPAbstractPlottable* plottable, int index) const {
    const auto variant = variantAt(plottable, index);
    return variant ? m_variants[*variant].name : QString();
}

QString ComparisonPlot::describePoint(QCPAbstractPlottable* plottable, int index) const {
    const auto variant = variantAt(plottable, index);
    if (!variant) {
        return PlotView::describePoint(plottable, index);
    }
    const VariantEvaluation& v = m_variants[*variant];
    return tr("%1\n%2 GiB, %3 bpw\nPPL %4 ± %5\nKLD %6")
        .arg(v.name, formatNumber(gibibytes(v.bytes), 4), formatNumber(v.bpw, 4),
             formatNumber(v.ppl), formatNumber(v.pplErr, 3), formatNumber(v.kld));
}

void ComparisonPlot::addMenuActions(QMenu* menu) {
    auto* group = new QActionGroup(menu);
    const auto add = [&](const QString& text, ComparisonMetric metric) {
        QAction* action = menu->addAction(text, this, [this, metric] { setMetric(metric); });
        action->setCheckable(true);
        action->setChecked(m_metric == metric);
        group->addAction(action);
    };
    add(tr("Size versus KLD"), ComparisonMetric::Kld);
    add(tr("Size versus perplexity"), ComparisonMetric::Ppl);
}

void ComparisonPlot::pointClicked(QCPAbstractPlottable* plottable, int index) {
    if (const auto variant = variantAt(plottable, index)) {
        emit variantClicked(*variant);
    }
}

} // namespace qs::ui
