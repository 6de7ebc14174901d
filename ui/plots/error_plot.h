#pragma once

#include "core/export/quantize_model.h"
#include "core/quant/error_metrics.h"
#include "ui/plots/plot_view.h"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

class QCPBarsGroup;

namespace qs::core {
class Model;
}

namespace qs::ui {

// What the error plot shows per bar. Cosine is shown as 1 − cosine so that small differences
// stay visible (and a log scale works); the tooltip gives the cosine itself.
enum class ErrorMetric { RelativeRmse, SqnrDb, CosineDistance, WeightedMse };

enum class ErrorGrouping {
    Layer, // one bar per layer over all its tensors
    Role,  // one bar per layer and role, roles side by side
};

// Per-layer quantization error against the source weights. Results may stream in one tensor at
// a time (addResult); each call updates the bars and queues one merged replot.
class ErrorPlot : public PlotView {
    Q_OBJECT

public:
    explicit ErrorPlot(QWidget* parent = nullptr);

    // Lays out the model's layers and drops all results.
    void setModel(const core::Model& model);
    void setResults(const core::Model& model, const std::vector<core::TensorQuantResult>& results);
    // A result for a tensor already shown replaces it; results without error are ignored.
    void addResult(const core::TensorQuantResult& result);
    // Drops results and baseline; keeps the layer layout.
    void clear();

    void setMetric(ErrorMetric metric);
    ErrorMetric metric() const { return m_metric; }
    // The metrics the current results carry (weighted MSE only with an importance matrix).
    std::vector<ErrorMetric> availableMetrics() const;
    static QString metricName(ErrorMetric metric);

    void setGrouping(ErrorGrouping grouping);
    ErrorGrouping grouping() const { return m_grouping; }

    void setLogScale(bool logarithmic);
    bool logScale() const { return m_logScale; }

    // A reference drawn as a horizontal line, e.g. FP16's own error; nullopt removes it.
    void setBaseline(const std::optional<core::ErrorMetrics>& baseline,
                     const QString& name = QString());

    // The value a bar shows for one tensor's metrics; nullopt when the metric is absent.
    static std::optional<double> metricValue(ErrorMetric metric, const core::ErrorMetrics& error);

signals:
    // A bar was clicked: its tensor (in Layer grouping, the layer's worst tensor).
    void tensorClicked(std::size_t tensorIndex);

protected:
    QString describePoint(QCPAbstractPlottable* plottable, int index) const override;
    void addMenuActions(QMenu* menu) override;
    void pointClicked(QCPAbstractPlottable* plottable, int index) override;

private:
    struct Entry {
        std::string name;
        int key = -1; // layer, -1 for global tensors
        core::TensorRole role = core::TensorRole::Other;
        std::uint64_t parameters = 0;
        core::ErrorMetrics error;
    };
    // One bar: its value and the tensors behind it, worst first.
    struct Bar {
        double value = 0;
        std::vector<std::size_t> tensors;
    };

    void rebuild();
    std::optional<Bar> aggregate(const std::vector<std::size_t>& tensors) const;
    bool worse(double a, double b) const;
    const Bar* barAt(QCPAbstractPlottable* plottable, int index) const;

    int m_layerCount = 0;
    bool m_hasGlobal = false;
    std::map<std::size_t, Entry> m_entries; // by tensor index
    ErrorMetric m_metric = ErrorMetric::RelativeRmse;
    ErrorGrouping m_grouping = ErrorGrouping::Layer;
    bool m_logScale = false;
    std::optional<core::ErrorMetrics> m_baseline;
    QString m_baselineName;
    // The bars behind each series' data points, by key.
    std::map<QCPAbstractPlottable*, std::map<int, Bar>> m_bars;
    QCPBarsGroup* m_barsGroup = nullptr; // owned by the plot; rebuilt with the bars
};

} // namespace qs::ui
