#pragma once

#include "core/plan/sensitivity.h"
#include "core/quant/ggml_type.h"
#include "ui/plots/plot_view.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

class QCPGraph;

namespace qs::ui {

// Error against bits per weight for a few tensors of a sensitivity table: one curve per
// tensor with one point per candidate format (log error axis), and the format the optimizer
// chose for each marked by a ring. Shows how much each extra bit buys for that tensor.
class SensitivityPlot : public PlotView {
    Q_OBJECT

public:
    explicit SensitivityPlot(QWidget* parent = nullptr);

    // The table the curves come from (nullptr clears the plot); keeps the shown tensors
    // that the new table also has.
    void setTable(std::shared_ptr<const core::SensitivityTable> table);
    // The tensors to draw (names of table rows; others are ignored).
    void setTensors(const std::vector<std::string>& names);
    const std::vector<std::string>& tensors() const { return m_tensors; }
    // The chosen format per tensor name (from the last solve); tensors not listed get no mark.
    void setChosen(std::map<std::string, core::GgmlType> chosen);

    // True while no tensor curve is drawn (no table yet, or no tensor of it chosen).
    bool isEmpty() const { return m_curves.empty(); }

    // The plotted curve of a tensor and the chosen-point marks (tests read their data).
    QCPGraph* curveOf(const std::string& name) const;
    QCPGraph* chosenMarks() const { return m_chosenGraph; }

protected:
    QString pointLabel(QCPAbstractPlottable* plottable, int index) const override;
    QString describePoint(QCPAbstractPlottable* plottable, int index) const override;

signals:
    // The curves were redrawn; isEmpty() may have changed.
    void curvesChanged();

private:
    void rebuild();

    std::shared_ptr<const core::SensitivityTable> m_table;
    std::vector<std::string> m_tensors;
    std::map<std::string, core::GgmlType> m_chosen;
    // The formats behind each graph's points, in data order (the data is sorted by key).
    std::map<const QCPAbstractPlottable*, std::vector<core::GgmlType>> m_pointTypes;
    std::map<const QCPAbstractPlottable*, std::vector<std::string>> m_markTensors;
    std::map<std::string, QCPGraph*> m_curves;
    QCPGraph* m_chosenGraph = nullptr;
};

} // namespace qs::ui
