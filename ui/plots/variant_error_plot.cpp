#include "ui/plots/variant_error_plot.h"

#include <QActionGroup>
#include <QMenu>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <optional>

namespace qs::ui {

namespace {

std::optional<double> valueOf(const core::VariantTensorError& t, VariantErrorPlot::Metric metric) {
    const std::optional<double> value = metric == VariantErrorPlot::Metric::RelativeRmse
                                            ? std::optional(t.relativeRmse)
                                            : t.weightedMse;
    // A log axis cannot show zero; an all-zero tensor carries no information anyway.
    if (!value || !std::isfinite(*value) || *value <= 0) {
        return std::nullopt;
    }
    return value;
}

// Distinct colours for up to ten lines (the usual categorical palette), then repeated.
QColor lineColour(std::size_t index) {
    static const QColor palette[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e),
                                     QColor(0x2c, 0xa0, 0x2c), QColor(0xd6, 0x27, 0x28),
                                     QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b),
                                     QColor(0xe3, 0x77, 0xc2), QColor(0x7f, 0x7f, 0x7f),
                                     QColor(0xbc, 0xbd, 0x22), QColor(0x17, 0xbe, 0xcf)};
    return palette[index % std::size(palette)];
}

} // namespace

VariantErrorPlot::VariantErrorPlot(QWidget* parent)
    : PlotView(parent) {
    customPlot()->xAxis->setLabel(tr("Layer"));
    setAxisLogarithmic(customPlot()->yAxis, true);
    placeLegendBelow(6);
    rebuild();
}

void VariantErrorPlot::addVariant(const core::VariantResult& variant) {
    if (variant.isReference || !variant.error.empty() || variant.tensorErrors.empty()) {
        return;
    }
    const QString name = QString::fromStdString(variant.name);
    auto same = std::find_if(m_curves.begin(), m_curves.end(),
                             [&](const Curve& c) { return c.name == name; });
    if (same != m_curves.end()) {
        same->tensors = variant.tensorErrors;
    } else {
        m_curves.push_back({name, variant.tensorErrors});
    }
    rebuild();
}

void VariantErrorPlot::clear() {
    m_curves.clear();
    resetZoom();
    rebuild();
}

QStringList VariantErrorPlot::variantNames() const {
    QStringList names;
    for (const Curve& c : m_curves) {
        names << c.name;
    }
    return names;
}

void VariantErrorPlot::setMetric(Metric metric) {
    m_metric = metric;
    resetZoom();
    rebuild();
}

bool VariantErrorPlot::hasWeightedMse() const {
    return std::any_of(m_curves.begin(), m_curves.end(), [](const Curve& c) {
        return std::any_of(c.tensors.begin(), c.tensors.end(),
                           [](const auto& t) { return t.weightedMse.has_value(); });
    });
}

QString VariantErrorPlot::metricName(Metric metric) {
    return metric == Metric::RelativeRmse ? tr("Mean relative RMSE")
                                          : tr("Mean importance-weighted MSE");
}

std::map<int, double>
VariantErrorPlot::layerMeans(const std::vector<core::VariantTensorError>& tensors, Metric metric) {
    std::map<int, std::pair<double, int>> sums;
    for (const auto& t : tensors) {
        const auto value = valueOf(t, metric);
        if (t.layer >= 0 && value) {
            auto& [sum, count] = sums[t.layer];
            sum += *value;
            ++count;
        }
    }
    std::map<int, double> means;
    for (const auto& [layer, sum] : sums) {
        means[layer] = sum.first / sum.second;
    }
    return means;
}

void VariantErrorPlot::rebuild() {
    QCustomPlot* plot = customPlot();
    plot->clearPlottables();
    m_curveOfGraph.clear();
    plot->yAxis->setLabel(metricName(m_metric));

    int layerCount = 0;
    for (std::size_t i = 0; i < m_curves.size(); ++i) {
        const auto means = layerMeans(m_curves[i].tensors, m_metric);
        QVector<double> keys;
        QVector<double> values;
        for (const auto& [layer, mean] : means) {
            keys.push_back(layer);
            values.push_back(mean);
            layerCount = std::max(layerCount, layer + 1);
        }
        QCPGraph* graph = plot->addGraph(plot->xAxis, plot->yAxis);
        graph->setName(m_curves[i].name);
        const QColor colour = lineColour(i);
        graph->setPen(QPen(colour, 2));
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, colour, colour, 6));
        graph->setData(keys, values, true);
        m_curveOfGraph[graph] = i;
    }
    setLayerTicks(plot->xAxis, layerCount, false);
    requestReplot();
}

const VariantErrorPlot::Curve* VariantErrorPlot::curveOf(QCPAbstractPlottable* plottable) const {
    const auto it = m_curveOfGraph.find(plottable);
    return it == m_curveOfGraph.end() ? nullptr : &m_curves[it->second];
}

QString VariantErrorPlot::describePoint(QCPAbstractPlottable* plottable, int index) const {
    const Curve* curve = curveOf(plottable);
    if (curve == nullptr || index < 0 || index >= plottable->interface1D()->dataCount()) {
        return PlotView::describePoint(plottable, index);
    }
    const int layer = static_cast<int>(std::lround(plottable->interface1D()->dataMainKey(index)));
    const double mean = plottable->interface1D()->dataMainValue(index);
    // The worst tensor of the layer says where the mean comes from.
    const core::VariantTensorError* worst = nullptr;
    int count = 0;
    for (const auto& t : curve->tensors) {
        const auto value = valueOf(t, m_metric);
        if (t.layer != layer || !value) {
            continue;
        }
        ++count;
        if (worst == nullptr || *value > *valueOf(*worst, m_metric)) {
            worst = &t;
        }
    }
    QString text =
        tr("%1, layer %2").arg(curve->name).arg(layer) + QLatin1Char('\n') +
        tr("%1: %2 (%n tensor(s))", nullptr, count).arg(metricName(m_metric), formatNumber(mean));
    if (worst != nullptr && count > 1) {
        text += QLatin1Char('\n') + tr("worst: %1 (%2)")
                                        .arg(QString::fromStdString(worst->name),
                                             formatNumber(*valueOf(*worst, m_metric)));
    }
    return text;
}

void VariantErrorPlot::addMenuActions(QMenu* menu) {
    if (!hasWeightedMse()) {
        return;
    }
    QMenu* metrics = menu->addMenu(tr("Metric"));
    auto* group = new QActionGroup(metrics);
    for (Metric metric : {Metric::RelativeRmse, Metric::WeightedMse}) {
        QAction* action =
            metrics->addAction(metricName(metric), this, [this, metric] { setMetric(metric); });
        action->setCheckable(true);
        action->setChecked(metric == m_metric);
        group->addAction(action);
    }
}

} // namespace qs::ui
