#include "ui/plots/comparison_plot.h"

#include "ui/plan/plan_grid_model.h"

#include <QActionGroup>
#include <QMenu>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace qs::ui {

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

double gibibytes(std::uint64_t bytes) {
    return static_cast<double>(bytes) / kGiB;
}

// Where a name label may sit around its point, tried in this order: right of the point (above,
// then below), left of it, then centred above and below. The padding keeps the text clear of
// the 10-pixel disc.
struct LabelPlace {
    Qt::Alignment alignment;
    QMargins padding;
};
const LabelPlace kLabelPlaces[] = {
    {Qt::AlignLeft | Qt::AlignBottom, QMargins(6, 0, 0, 2)},
    {Qt::AlignLeft | Qt::AlignTop, QMargins(6, 2, 0, 0)},
    {Qt::AlignRight | Qt::AlignBottom, QMargins(0, 0, 6, 2)},
    {Qt::AlignRight | Qt::AlignTop, QMargins(0, 2, 6, 0)},
    {Qt::AlignHCenter | Qt::AlignBottom, QMargins(0, 0, 0, 7)},
    {Qt::AlignHCenter | Qt::AlignTop, QMargins(0, 7, 0, 0)},
};

constexpr double kPointSize = 10; // the disc's diameter in pixels

} // namespace

ComparisonPlot::ComparisonPlot(QWidget* parent)
    : PlotView(parent) {
    customPlot()->xAxis->setLabel(tr("Size (GiB)"));
    customPlot()->xAxis->grid()->setVisible(true);
    customPlot()->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    connect(customPlot(), &QCustomPlot::afterLayout, this, &ComparisonPlot::layoutLabels);
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
    // The automatic choice depends on the metric; a choice made for the other one is void.
    m_userLogScale.reset();
    resetZoom();
    rebuild();
}

void ComparisonPlot::setLogScale(bool logarithmic) {
    m_userLogScale = logarithmic;
    rebuild();
}

bool ComparisonPlot::wantsLogScale() const {
    if (m_userLogScale) {
        return *m_userLogScale;
    }
    if (m_metric != ComparisonMetric::Kld) {
        return false;
    }
    // KLD falls by about an order of magnitude per bit: from Q2_K to Q8_0 a linear axis
    // squeezes every variant above 4 bits onto the zero line.
    double low = std::numeric_limits<double>::infinity();
    double high = 0;
    for (const VariantEvaluation& v : m_variants) {
        const double value = metricValue(v);
        if (std::isfinite(value) && value > 0) {
            low = std::min(low, value);
            high = std::max(high, value);
        }
    }
    return high > 0 && high / low > kAutoLogRatio;
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
    m_labels.clear();
    m_labelVariants.clear();
    const bool logScale = wantsLogScale();
    const bool scaleChanged = logScale != m_logScale;
    if (scaleChanged) {
        m_logScale = logScale;
        setAxisLogarithmic(plot->yAxis, logScale);
    }
    // A log axis has no place for 0 or below (the reference's KLD against itself): such a
    // variant keeps its legend entry, the table has its numbers.
    const auto onAxis = [logScale](double value) {
        return std::isfinite(value) && (!logScale || value > 0);
    };
    plot->yAxis->setLabel(m_metric == ComparisonMetric::Kld ? tr("Mean KL divergence")
                                                            : tr("Perplexity"));

    std::vector<std::size_t> front;
    for (std::size_t i : paretoFront()) {
        if (onAxis(metricValue(m_variants[i]))) {
            front.push_back(i);
        }
    }
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
            QCPScatterStyle(QCPScatterStyle::ssDisc, colour.darker(150), colour, kPointSize));
        m_variantOfGraph[point] = i;
        if (!onAxis(value)) {
            continue;
        }
        point->addData(gibibytes(variant.bytes), value);
        if (m_metric == ComparisonMetric::Ppl && variant.pplErr > 0) {
            auto* errors = new QCPErrorBars(plot->xAxis, plot->yAxis);
            errors->removeFromLegend();
            errors->setDataPlottable(point);
            errors->setData(QVector<double>{variant.pplErr});
            errors->setPen(QPen(colour.darker(150)));
        }
        auto* label = new QCPItemText(plot);
        label->position->setCoords(gibibytes(variant.bytes), value);
        label->setPositionAlignment(kLabelPlaces[0].alignment);
        label->setPadding(kLabelPlaces[0].padding);
        label->setText(variant.name);
        m_labels.push_back(label);
        m_labelVariants.push_back(i);
    }
    if (scaleChanged) {
        resetZoom(); // the old range means nothing on the other scale
    } else {
        requestReplot();
    }
}

void ComparisonPlot::layoutLabels() {
    if (m_labels.empty()) {
        return;
    }
    QCustomPlot* plot = customPlot();
    const QRectF area = plot->axisRect()->rect();
    // Every point is an obstacle to the labels of the others, and so is the legend.
    std::vector<std::pair<std::size_t, QRectF>> points;
    for (const auto& [plottable, variant] : m_variantOfGraph) {
        auto* graph = qobject_cast<QCPGraph*>(plottable);
        if (graph != nullptr && !graph->data()->isEmpty()) {
            const QPointF centre = graph->dataPixelPosition(0);
            points.emplace_back(variant,
                                QRectF(centre.x() - kPointSize / 2, centre.y() - kPointSize / 2,
                                       kPointSize, kPointSize));
        }
    }
    std::vector<QRectF> taken;
    if (plot->legend->visible() && plot->legend->layout() != plot->plotLayout()) {
        taken.push_back(plot->legend->outerRect());
    }
    // The front's variants are the ones worth reading: they pick their places first.
    std::vector<std::size_t> order(m_labels.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    const auto onFront = [this](std::size_t label) {
        return std::find(m_frontVariants.begin(), m_frontVariants.end(), m_labelVariants[label]) !=
               m_frontVariants.end();
    };
    std::stable_partition(order.begin(), order.end(), onFront);
    for (std::size_t k : order) {
        QCPItemText* label = m_labels[k];
        bool placed = false;
        for (const LabelPlace& place : kLabelPlaces) {
            label->setPositionAlignment(place.alignment);
            label->setPadding(place.padding);
            const QRectF box =
                QRectF(label->topLeft->pixelPosition(), label->bottomRight->pixelPosition())
                    .normalized();
            const auto hits = [&box](const QRectF& other) {
                return box.intersects(other);
            };
            const bool hitsPoint =
                std::any_of(points.begin(), points.end(), [&](const auto& point) {
                    return point.first != m_labelVariants[k] && hits(point.second);
                });
            if (area.contains(box) && !hitsPoint &&
                std::none_of(taken.begin(), taken.end(), hits)) {
                taken.push_back(box);
                placed = true;
                break;
            }
        }
        label->setVisible(placed);
    }
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
    menu->addSeparator();
    QAction* log = menu->addAction(tr("Logarithmic scale"), this, &ComparisonPlot::setLogScale);
    log->setCheckable(true);
    log->setChecked(m_logScale);
}

void ComparisonPlot::pointClicked(QCPAbstractPlottable* plottable, int index) {
    if (const auto variant = variantAt(plottable, index)) {
        emit variantClicked(*variant);
    }
}

} // namespace qs::ui
