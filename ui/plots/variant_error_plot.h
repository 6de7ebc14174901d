#pragma once

#include "core/workflows/compare_variants.h"
#include "ui/plots/plot_view.h"

#include <map>
#include <vector>

namespace qs::ui {

// Per-layer quantization error of every compared preset/plan variant, one line each, on a log
// scale: where along the depth one variant loses more than another. The reference and file
// variants carry no tensor errors and are not drawn. Variants stream in one at a time.
class VariantErrorPlot : public PlotView {
    Q_OBJECT

public:
    enum class Metric { RelativeRmse, WeightedMse };

    explicit VariantErrorPlot(QWidget* parent = nullptr);

    // Appends a variant's curve, or replaces the one with the same name; ignored when the
    // variant failed or has no tensor errors.
    void addVariant(const core::VariantResult& variant);
    void clear();
    // The names of the drawn variants, in the order they arrived.
    QStringList variantNames() const;

    void setMetric(Metric metric);
    Metric metric() const { return m_metric; }
    // Weighted MSE only when some variant was quantized with an importance matrix.
    bool hasWeightedMse() const;
    static QString metricName(Metric metric);

    // The mean of `metric` over each layer's tensors (global tensors left out; tensors
    // without the metric or with a non-finite one skipped).
    static std::map<int, double> layerMeans(const std::vector<core::VariantTensorError>& tensors,
                                            Metric metric);

protected:
    QString describePoint(QCPAbstractPlottable* plottable, int index) const override;
    void addMenuActions(QMenu* menu) override;

private:
    struct Curve {
        QString name;
        std::vector<core::VariantTensorError> tensors;
    };

    void rebuild();
    const Curve* curveOf(QCPAbstractPlottable* plottable) const;

    std::vector<Curve> m_curves;
    Metric m_metric = Metric::RelativeRmse;
    std::map<QCPAbstractPlottable*, std::size_t> m_curveOfGraph;
};

} // namespace qs::ui
