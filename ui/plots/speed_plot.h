#pragma once

#include "ui/plots/plot_view.h"

#include <optional>
#include <vector>

class QCPBars;

namespace qs::ui {

// One measured variant: prompt processing (pp) and text generation (tg) throughput.
struct SpeedSample {
    QString name;
    double ppTokPerSec = 0;
    double tgTokPerSec = 0;
};

// Tokens per second of each variant next to FP16: pp bars on the left axis, tg bars on the
// right (their scales differ by orders of magnitude), each variant labelled with its ratio to
// the reference.
class SpeedPlot : public PlotView {
    Q_OBJECT

public:
    explicit SpeedPlot(QWidget* parent = nullptr);

    void setResults(const SpeedSample& reference, const std::vector<SpeedSample>& variants);
    // The FP16 measurement the ratios refer to; shown first.
    void setReference(const SpeedSample& reference);
    // Appends a variant, or replaces the one with the same name.
    void addVariant(const SpeedSample& variant);
    void clear();
    bool hasReference() const { return m_reference.has_value(); }
    std::size_t variantCount() const { return m_variants.size(); }

    // The ratio labels as shown ("×1.85"), pp and tg for each variant in order.
    QStringList ratioLabels() const;

protected:
    QString describePoint(QCPAbstractPlottable* plottable, int index) const override;

private:
    void rebuild();
    std::vector<SpeedSample> samples() const; // reference first

    std::optional<SpeedSample> m_reference;
    std::vector<SpeedSample> m_variants;
    QStringList m_ratioLabels;
    QCPBars* m_pp = nullptr;
};

} // namespace qs::ui
