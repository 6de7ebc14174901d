#pragma once

#include "ui/plots/plot_view.h"

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

class QCPItemText;

namespace qs::ui {

// One evaluated variant (a preset or the user's plan) on the comparison text.
struct VariantEvaluation {
    QString name;
    std::uint64_t bytes = 0;
    double bpw = 0;
    double ppl = 0;
    double pplErr = 0;
    double kld = 0; // mean KL divergence against FP16; NaN when not measured
};

enum class ComparisonMetric { Kld, Ppl };

// Size against KLD (or perplexity): one point per variant, coloured by its bits per weight as
// in the plan grid, and the Pareto front (no other variant is both smaller and better).
class ComparisonPlot : public PlotView {
    Q_OBJECT

public:
    explicit ComparisonPlot(QWidget* parent = nullptr);

    void setVariants(const std::vector<VariantEvaluation>& variants);
    // Appends a variant, or replaces the one with the same name.
    void addVariant(const VariantEvaluation& variant);
    void clear();
    const std::vector<VariantEvaluation>& variants() const { return m_variants; }

    void setMetric(ComparisonMetric metric);
    ComparisonMetric metric() const { return m_metric; }

    // Indices into the variants on the Pareto front for the current metric, smallest first.
    std::vector<std::size_t> paretoFront() const;

    // A logarithmic value axis. Until the user chooses, the KLD plot takes it by itself when
    // the positive KLDs span more than kAutoLogRatio (max/min), the perplexity plot never.
    void setLogScale(bool logarithmic);
    bool logScale() const { return m_logScale; }
    static constexpr double kAutoLogRatio = 10.0;

    // The name labels drawn beside the points, one per plotted variant; a label that would
    // overlap another label or point is hidden (the legend and tooltip still name it).
    const std::vector<QCPItemText*>& labels() const { return m_labels; }

signals:
    void variantClicked(std::size_t variantIndex);

protected:
    void fitAxes() override;
    QString pointLabel(QCPAbstractPlottable* plottable, int index) const override;
    QString describePoint(QCPAbstractPlottable* plottable, int index) const override;
    void addMenuActions(QMenu* menu) override;
    void pointClicked(QCPAbstractPlottable* plottable, int index) override;

private:
    void rebuild();
    bool wantsLogScale() const;
    // Places each label beside its point where it overlaps nothing already placed, or hides
    // it; runs after every layout pass, since overlaps depend on the axis ranges and size.
    void layoutLabels();
    double metricValue(const VariantEvaluation& variant) const;
    // The variant behind a data point of a variant's graph or of the front line.
    std::optional<std::size_t> variantAt(QCPAbstractPlottable* plottable, int index) const;

    std::vector<VariantEvaluation> m_variants;
    ComparisonMetric m_metric = ComparisonMetric::Kld;
    std::map<QCPAbstractPlottable*, std::size_t> m_variantOfGraph;
    QCPAbstractPlottable* m_front = nullptr;
    std::vector<std::size_t> m_frontVariants; // the variant of each point of m_front
    std::vector<QCPItemText*> m_labels;
    std::vector<std::size_t> m_labelVariants; // the variant of each label
    std::optional<bool> m_userLogScale;       // set once the user picks a scale
    bool m_logScale = false;
};

} // namespace qs::ui
