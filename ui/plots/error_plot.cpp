#include "ui/plots/error_plot.h"

#include "core/model/model.h"

#include <QActionGroup>
#include <QMenu>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace qs::ui {

ErrorPlot::ErrorPlot(QWidget* parent)
    : PlotView(parent) {
    customPlot()->xAxis->setLabel(tr("Layer"));
    placeLegendBelow(8);
    rebuild();
}

void ErrorPlot::setModel(const core::Model& model) {
    m_entries.clear();
    m_layerCount = 0;
    m_hasGlobal = false;
    for (const auto& tensor : model.tensors()) {
        const int key = layerKey(tensor.name);
        if (key < 0) {
            m_hasGlobal = true;
        } else {
            m_layerCount = std::max(m_layerCount, key + 1);
        }
    }
    setLayerTicks(customPlot()->xAxis, m_layerCount, m_hasGlobal);
    resetZoom();
    rebuild();
}

void ErrorPlot::setResults(const core::Model& model,
                           const std::vector<core::TensorQuantResult>& results) {
    setModel(model);
    for (const auto& result : results) {
        if (result.error) {
            m_entries[result.tensorIndex] = {result.name, layerKey(result.name),
                                             core::tensorRole(result.name), result.parameters,
                                             *result.error};
        }
    }
    rebuild();
}

void ErrorPlot::addResult(const core::TensorQuantResult& result) {
    if (!result.error) {
        return;
    }
    m_entries[result.tensorIndex] = {result.name, layerKey(result.name),
                                     core::tensorRole(result.name), result.parameters,
                                     *result.error};
    rebuild();
}

void ErrorPlot::clear() {
    m_entries.clear();
    m_baseline.reset();
    resetZoom();
    rebuild();
}

void ErrorPlot::setMetric(ErrorMetric metric) {
    m_metric = metric;
    resetZoom();
    rebuild();
}

std::vector<ErrorMetric> ErrorPlot::availableMetrics() const {
    std::vector<ErrorMetric> metrics = {ErrorMetric::RelativeRmse, ErrorMetric::SqnrDb,
                                        ErrorMetric::CosineDistance};
    const bool weighted = std::any_of(m_entries.begin(), m_entries.end(), [](const auto& entry) {
        return entry.second.error.weightedMse.has_value();
    });
    if (weighted) {
        metrics.push_back(ErrorMetric::WeightedMse);
    }
    return metrics;
}

QString ErrorPlot::metricName(ErrorMetric metric) {
    switch (metric) {
    case ErrorMetric::RelativeRmse:
        return tr("Relative RMSE");
    case ErrorMetric::SqnrDb:
        return tr("SQNR (dB)");
    case ErrorMetric::CosineDistance:
        return tr("1 − cosine similarity");
    case ErrorMetric::WeightedMse:
        return tr("Importance-weighted MSE");
    }
    return {};
}

void ErrorPlot::setGrouping(ErrorGrouping grouping) {
    m_grouping = grouping;
    rebuild();
}

void ErrorPlot::setLogScale(bool logarithmic) {
    m_logScale = logarithmic;
    setAxisLogarithmic(customPlot()->yAxis, logarithmic);
    resetZoom();
    rebuild();
}

void ErrorPlot::setBaseline(const std::optional<core::ErrorMetrics>& baseline,
                            const QString& name) {
    m_baseline = baseline;
    m_baselineName = name.isEmpty() ? tr("FP16 baseline") : name;
    rebuild();
}

std::optional<double> ErrorPlot::metricValue(ErrorMetric metric, const core::ErrorMetrics& error) {
    switch (metric) {
    case ErrorMetric::RelativeRmse:
        return error.relativeRmse;
    case ErrorMetric::SqnrDb:
        return error.sqnrDb;
    case ErrorMetric::CosineDistance:
        return 1.0 - error.cosine;
    case ErrorMetric::WeightedMse:
        return error.weightedMse;
    }
    return std::nullopt;
}

bool ErrorPlot::worse(double a, double b) const {
    // Higher SQNR is better; for every other metric higher is worse.
    return m_metric == ErrorMetric::SqnrDb ? a < b : a > b;
}

// A bar over several tensors pools them as if they were one tensor: relative RMSE and SQNR from
// the summed error and signal energies, cosine and weighted MSE as means weighted by size.
std::optional<ErrorPlot::Bar> ErrorPlot::aggregate(const std::vector<std::size_t>& tensors) const {
    Bar bar;
    std::vector<std::pair<double, std::size_t>> ranked;
    double errorEnergy = 0;
    double signalEnergy = 0;
    double weightedSum = 0;
    double weightSum = 0;
    for (std::size_t tensor : tensors) {
        const Entry& entry = m_entries.at(tensor);
        const core::ErrorMetrics& e = entry.error;
        const auto value = metricValue(m_metric, e);
        if (!value || !std::isfinite(*value)) {
            continue;
        }
        ranked.emplace_back(*value, tensor);
        const double count = static_cast<double>(e.count);
        const double error = e.mse * count;
        errorEnergy += error;
        if (e.relativeRmse > 0 && std::isfinite(e.relativeRmse)) {
            signalEnergy += error / (e.relativeRmse * e.relativeRmse);
        }
        weightedSum += *value * count;
        weightSum += count;
    }
    if (ranked.empty()) {
        return std::nullopt;
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [this](const auto& a, const auto& b) { return worse(a.first, b.first); });
    for (const auto& item : ranked) {
        bar.tensors.push_back(item.second);
    }
    if (ranked.size() == 1) {
        bar.value = ranked.front().first; // exactly the tensor's own metric
        return bar;
    }
    switch (m_metric) {
    case ErrorMetric::RelativeRmse:
        if (signalEnergy <= 0) {
            return std::nullopt;
        }
        bar.value = std::sqrt(errorEnergy / signalEnergy);
        break;
    case ErrorMetric::SqnrDb:
        if (errorEnergy <= 0 || signalEnergy <= 0) {
            return std::nullopt;
        }
        bar.value = 10.0 * std::log10(signalEnergy / errorEnergy);
        break;
    case ErrorMetric::CosineDistance:
    case ErrorMetric::WeightedMse:
        if (weightSum <= 0) {
            return std::nullopt;
        }
        bar.value = weightedSum / weightSum;
        break;
    }
    return bar;
}

void ErrorPlot::rebuild() {
    QCustomPlot* plot = customPlot();
    plot->clearPlottables();
    m_bars.clear();
    delete m_barsGroup; // empty now: the bars left it when they were removed
    m_barsGroup = nullptr;
    plot->yAxis->setLabel(metricName(m_metric));

    // Group tensors into bars: by layer, or by role and layer.
    std::map<core::TensorRole, std::map<int, std::vector<std::size_t>>> groups;
    for (const auto& [index, entry] : m_entries) {
        const core::TensorRole series =
            m_grouping == ErrorGrouping::Role ? entry.role : core::TensorRole::Other;
        groups[series][entry.key].push_back(index);
    }

    QCPBarsGroup* barsGroup = nullptr;
    if (m_grouping == ErrorGrouping::Role && groups.size() > 1) {
        barsGroup = new QCPBarsGroup(plot);
        barsGroup->setSpacingType(QCPBarsGroup::stAbsolute);
        barsGroup->setSpacing(1);
    }
    const double width = 0.8 / static_cast<double>(std::max<std::size_t>(1, groups.size()));
    for (const auto& [role, byKey] : groups) {
        auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
        const QColor colour =
            m_grouping == ErrorGrouping::Role ? roleColour(role) : QColor(0x4c, 0x72, 0xb0);
        bars->setName(m_grouping == ErrorGrouping::Role
                          ? QString::fromUtf8(core::tensorRoleName(role))
                          : tr("Whole layer"));
        bars->setBrush(colour);
        bars->setPen(QPen(colour.darker(130)));
        bars->setWidth(m_grouping == ErrorGrouping::Role ? width : 0.8);
        if (barsGroup != nullptr) {
            bars->setBarsGroup(barsGroup);
        }
        QVector<double> keys;
        QVector<double> values;
        auto& barsByKey = m_bars[bars];
        for (const auto& [key, tensors] : byKey) {
            if (auto bar = aggregate(tensors)) {
                keys.push_back(key);
                values.push_back(bar->value);
                barsByKey[key] = std::move(*bar);
            }
        }
        bars->setData(keys, values, true);
    }
    m_barsGroup = barsGroup;

    if (m_baseline) {
        const auto value = metricValue(m_metric, *m_baseline);
        if (value && std::isfinite(*value)) {
            auto* line = plot->addGraph(plot->xAxis, plot->yAxis);
            line->setName(m_baselineName);
            line->setPen(QPen(Qt::darkGray, 1.5, Qt::DashLine));
            const double first = m_hasGlobal ? -1.5 : -0.5;
            const double last = std::max(0, m_layerCount - 1) + 0.5;
            line->setData({first, last}, {*value, *value}, true);
        }
    }
    requestReplot();
}

const ErrorPlot::Bar* ErrorPlot::barAt(QCPAbstractPlottable* plottable, int index) const {
    const auto series = m_bars.find(plottable);
    if (series == m_bars.end() || index < 0 || index >= plottable->interface1D()->dataCount()) {
        return nullptr;
    }
    const int key = static_cast<int>(std::lround(plottable->interface1D()->dataMainKey(index)));
    const auto bar = series->second.find(key);
    return bar == series->second.end() ? nullptr : &bar->second;
}

QString ErrorPlot::describePoint(QCPAbstractPlottable* plottable, int index) const {
    const Bar* bar = barAt(plottable, index);
    if (bar == nullptr) {
        return PlotView::describePoint(plottable, index);
    }
    const Entry& worst = m_entries.at(bar->tensors.front());
    const QString layer = worst.key < 0 ? tr("global") : tr("layer %1").arg(worst.key);
    QString text = bar->tensors.size() == 1
                       ? tr("%1 (%2)").arg(QString::fromStdString(worst.name), layer)
                       : tr("%1: %2 tensors, worst %3")
                             .arg(layer)
                             .arg(bar->tensors.size())
                             .arg(QString::fromStdString(worst.name));
    text += QLatin1Char('\n') + tr("%1: %2").arg(metricName(m_metric), formatNumber(bar->value));
    if (m_metric == ErrorMetric::CosineDistance && bar->tensors.size() == 1) {
        text += QLatin1Char('\n') + tr("cosine: %1").arg(formatNumber(worst.error.cosine, 9));
    }
    return text;
}

void ErrorPlot::addMenuActions(QMenu* menu) {
    QMenu* metrics = menu->addMenu(tr("Metric"));
    auto* group = new QActionGroup(metrics);
    for (ErrorMetric metric : availableMetrics()) {
        QAction* action =
            metrics->addAction(metricName(metric), this, [this, metric] { setMetric(metric); });
        action->setCheckable(true);
        action->setChecked(metric == m_metric);
        group->addAction(action);
    }
    QAction* byRole = menu->addAction(tr("Group by role"), this, [this](bool checked) {
        setGrouping(checked ? ErrorGrouping::Role : ErrorGrouping::Layer);
    });
    byRole->setCheckable(true);
    byRole->setChecked(m_grouping == ErrorGrouping::Role);
    QAction* log = menu->addAction(tr("Logarithmic scale"), this, &ErrorPlot::setLogScale);
    log->setCheckable(true);
    log->setChecked(m_logScale);
}

void ErrorPlot::pointClicked(QCPAbstractPlottable* plottable, int index) {
    if (const Bar* bar = barAt(plottable, index)) {
        emit tensorClicked(bar->tensors.front());
    }
}

} // namespace qs::ui
