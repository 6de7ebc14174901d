#pragma once

#include "core/quant/ggml_type.h"
#include "ui/plots/plot_view.h"

#include <cstdint>
#include <map>
#include <vector>

class QCPBarsGroup;
class QCPTextElement;

namespace qs::core {
class Model;
}

namespace qs::ui {

// Memory footprint of a plan: per layer, the plan's bytes stacked by role (a mixture of
// experts' three expert tensors as one "experts" segment) next to the FP16 size; a cumulative
// line on the right axis against memory budgets; totals in the title.
class MemoryPlot : public PlotView {
    Q_OBJECT

public:
    explicit MemoryPlot(QWidget* parent = nullptr);

    // typeByTensor[i] is the planned type of model.tensors()[i]; tensors past its end, or
    // whose rows the type cannot hold, count with their stored size.
    void setPlan(const core::Model& model, const std::vector<core::GgmlType>& typeByTensor);
    void clear();

    // Budgets in GiB (what cards sell as "GB"); default 8, 12, 16, 24. Only those up to twice
    // the plan's total are drawn.
    void setMemoryBudgets(std::vector<double> gibibytes);
    std::vector<double> visibleBudgets() const { return m_visibleBudgets; }

    std::uint64_t plannedBytes() const { return m_plannedBytes; }
    // The model converted to FP16 as llama.cpp does: matrices F16, vectors (norms) F32.
    std::uint64_t fp16Bytes() const { return m_fp16Bytes; }
    double plannedBitsPerWeight() const;
    QString summary() const;

    // FP16 size of one tensor as llama.cpp's converter stores it (vectors stay F32).
    static std::uint64_t fp16TensorBytes(const std::vector<std::uint64_t>& dims);

signals:
    // A plan segment was clicked: its tensor (the largest, where a layer has several per role).
    void tensorClicked(std::size_t tensorIndex);

protected:
    void fitAxes() override;
    QString describePoint(QCPAbstractPlottable* plottable, int index) const override;
    void pointClicked(QCPAbstractPlottable* plottable, int index) override;

private:
    struct Cell {
        std::uint64_t bytes = 0;
        std::size_t largestTensor = 0;
        std::uint64_t largestBytes = 0;
        std::size_t tensorCount = 0;
        std::uint64_t experts = 0; // the experts segment: experts per tensor
    };

    void rebuild();

    int m_layerCount = 0;
    bool m_hasGlobal = false;
    std::uint64_t m_parameters = 0;
    std::uint64_t m_plannedBytes = 0;
    std::uint64_t m_fp16Bytes = 0;
    // Planned bytes by role and layer key, and FP16 bytes by layer key.
    std::map<core::TensorRole, std::map<int, Cell>> m_planned;
    std::map<int, Cell> m_fp16;
    std::vector<double> m_budgets = {8, 12, 16, 24};
    std::vector<double> m_visibleBudgets;
    std::map<QCPAbstractPlottable*, core::TensorRole> m_roleOfBars;
    QCPAbstractPlottable* m_fp16Bars = nullptr;
    QCPBarsGroup* m_barsGroup = nullptr;
    QCPTextElement* m_title = nullptr;
};

} // namespace qs::ui
