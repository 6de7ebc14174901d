#include "ui/plots/memory_plot.h"

#include "core/model/model.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace qs::ui {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kGiB = 1024.0 * kMiB;
// The key under which a layer's expert tensors are summed.
constexpr core::TensorRole kExpertsGroup = core::TensorRole::FfnGateExps;

} // namespace

MemoryPlot::MemoryPlot(QWidget* parent)
    : PlotView(parent) {
    QCustomPlot* plot = customPlot();
    plot->xAxis->setLabel(tr("Layer"));
    plot->yAxis->setLabel(tr("MiB per layer"));
    plot->yAxis2->setVisible(true);
    plot->yAxis2->setLabel(tr("GiB cumulative"));
    plot->plotLayout()->insertRow(0);
    m_title = new QCPTextElement(plot, QString(), QFont(font().family(), 10, QFont::Bold));
    plot->plotLayout()->addElement(0, 0, m_title);
    placeLegendBelow(7);
    rebuild();
}

std::uint64_t MemoryPlot::fp16TensorBytes(const std::vector<std::uint64_t>& dims) {
    std::uint64_t elements = 1;
    std::size_t extent = 0; // dims larger than 1
    for (std::uint64_t d : dims) {
        elements *= d;
        extent += d > 1 ? 1 : 0;
    }
    return elements * (extent >= 2 ? 2 : 4);
}

void MemoryPlot::setPlan(const core::Model& model,
                         const std::vector<core::GgmlType>& typeByTensor) {
    m_planned.clear();
    m_fp16.clear();
    m_layerCount = 0;
    m_hasGlobal = false;
    m_parameters = 0;
    m_plannedBytes = 0;
    m_fp16Bytes = 0;
    const auto& tensors = model.tensors();
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const core::TensorInfo& tensor = tensors[i];
        const int key = layerKey(tensor.name);
        if (key < 0) {
            m_hasGlobal = true;
        } else {
            m_layerCount = std::max(m_layerCount, key + 1);
        }
        std::uint64_t bytes = tensor.byteSize;
        if (i < typeByTensor.size() && !tensor.dims.empty() && tensor.dims[0] > 0) {
            if (auto row = core::ggmlRowBytes(typeByTensor[i], tensor.dims[0])) {
                bytes = *row * tensor.ggmlRows();
            }
        }
        const std::uint64_t fp16 = fp16TensorBytes(tensor.dims);
        m_parameters += tensor.elementCount();
        m_plannedBytes += bytes;
        m_fp16Bytes += fp16;

        const auto add = [i](Cell& cell, std::uint64_t b) {
            cell.bytes += b;
            cell.tensorCount += 1;
            if (cell.tensorCount == 1 || b > cell.largestBytes) {
                cell.largestBytes = b;
                cell.largestTensor = i;
            }
        };
        // A layer's experts (gate, up and down, each a 3-D tensor) are one segment: in a
        // mixture of experts they are most of the layer, and what a budget is about.
        const bool expert = core::isExpertRole(tensor.role());
        Cell& planned = m_planned[expert ? kExpertsGroup : tensor.role()][key];
        add(planned, bytes);
        if (expert && tensor.dims.size() == 3) {
            planned.experts = std::max<std::uint64_t>(planned.experts, tensor.dims[2]);
        }
        add(m_fp16[key], fp16);
    }
    setLayerTicks(customPlot()->xAxis, m_layerCount, m_hasGlobal);
    resetZoom();
    rebuild();
}

void MemoryPlot::clear() {
    m_planned.clear();
    m_fp16.clear();
    m_parameters = 0;
    m_plannedBytes = 0;
    m_fp16Bytes = 0;
    rebuild();
}

void MemoryPlot::setMemoryBudgets(std::vector<double> gibibytes) {
    m_budgets = std::move(gibibytes);
    rebuild();
}

double MemoryPlot::plannedBitsPerWeight() const {
    return m_parameters == 0
               ? 0.0
               : 8.0 * static_cast<double>(m_plannedBytes) / static_cast<double>(m_parameters);
}

QString MemoryPlot::summary() const {
    if (m_parameters == 0) {
        return tr("No plan");
    }
    const double fp16Bpw =
        8.0 * static_cast<double>(m_fp16Bytes) / static_cast<double>(m_parameters);
    return tr("Plan %1 GiB (%2 bpw) · FP16 %3 GiB (%4 bpw)")
        .arg(static_cast<double>(m_plannedBytes) / kGiB, 0, 'f', 3)
        .arg(plannedBitsPerWeight(), 0, 'f', 2)
        .arg(static_cast<double>(m_fp16Bytes) / kGiB, 0, 'f', 3)
        .arg(fp16Bpw, 0, 'f', 2);
}

void MemoryPlot::rebuild() {
    QCustomPlot* plot = customPlot();
    plot->clearPlottables();
    plot->clearItems();
    delete m_barsGroup; // empty now: the bars left it when they were removed
    m_barsGroup = new QCPBarsGroup(plot);
    m_barsGroup->setSpacingType(QCPBarsGroup::stAbsolute);
    m_barsGroup->setSpacing(2);
    m_roleOfBars.clear();
    m_fp16Bars = nullptr;
    m_visibleBudgets.clear();
    m_title->setText(summary());

    // The plan: one stacked series per role, in role order.
    QCPBars* below = nullptr;
    for (const auto& [role, byKey] : m_planned) {
        auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
        bars->setName(role == kExpertsGroup ? tr("experts")
                                            : QString::fromUtf8(core::tensorRoleName(role)));
        bars->setBrush(roleColour(role));
        bars->setPen(QPen(roleColour(role).darker(130)));
        bars->setWidth(0.4);
        QVector<double> keys;
        QVector<double> values;
        for (const auto& [key, cell] : byKey) {
            keys.push_back(key);
            values.push_back(static_cast<double>(cell.bytes) / kMiB);
        }
        bars->setData(keys, values, true);
        if (below != nullptr) {
            bars->moveAbove(below);
        }
        bars->setBarsGroup(m_barsGroup);
        m_roleOfBars[bars] = role;
        below = bars;
    }
    if (!m_fp16.empty()) {
        auto* fp16 = new QCPBars(plot->xAxis, plot->yAxis);
        fp16->setName(tr("FP16"));
        fp16->setBrush(QColor(0xd0, 0xd0, 0xd0));
        fp16->setPen(QPen(QColor(0x90, 0x90, 0x90)));
        fp16->setWidth(0.4);
        QVector<double> keys;
        QVector<double> values;
        for (const auto& [key, cell] : m_fp16) {
            keys.push_back(key);
            values.push_back(static_cast<double>(cell.bytes) / kMiB);
        }
        fp16->setData(keys, values, true);
        fp16->setBarsGroup(m_barsGroup);
        m_fp16Bars = fp16;

        // Cumulative plan size across layers, against the budgets on the right axis.
        std::map<int, std::uint64_t> planByKey;
        for (const auto& [role, byKey] : m_planned) {
            for (const auto& [key, cell] : byKey) {
                planByKey[key] += cell.bytes;
            }
        }
        auto* cumulative = plot->addGraph(plot->xAxis, plot->yAxis2);
        cumulative->setName(tr("Plan, cumulative"));
        cumulative->setPen(QPen(QColor(0x20, 0x20, 0x20), 1.5));
        cumulative->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 4));
        QVector<double> keys2;
        QVector<double> sums;
        std::uint64_t sum = 0;
        for (const auto& [key, bytes] : planByKey) {
            sum += bytes;
            keys2.push_back(key);
            sums.push_back(static_cast<double>(sum) / kGiB);
        }
        cumulative->setData(keys2, sums, true);

        const double total = static_cast<double>(m_plannedBytes) / kGiB;
        for (double budget : m_budgets) {
            if (budget <= 0 || budget > 2.0 * total) {
                continue;
            }
            m_visibleBudgets.push_back(budget);
            auto* line = new QCPItemStraightLine(plot);
            line->point1->setAxes(plot->xAxis, plot->yAxis2);
            line->point2->setAxes(plot->xAxis, plot->yAxis2);
            line->point1->setCoords(0, budget);
            line->point2->setCoords(1, budget);
            const bool fits = total <= budget;
            line->setPen(
                QPen(fits ? QColor(0x2c, 0xa0, 0x2c) : QColor(0xd6, 0x27, 0x28), 1, Qt::DashLine));
            auto* label = new QCPItemText(plot);
            label->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
            label->position->setTypeY(QCPItemPosition::ptPlotCoords);
            label->position->setAxes(plot->xAxis, plot->yAxis2);
            label->position->setCoords(0.01, budget);
            label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
            label->setText(fits ? tr("%1 GB: fits").arg(budget)
                                : tr("%1 GB: too large").arg(budget));
            label->setColor(line->pen().color());
        }
    }
    requestReplot();
}

void MemoryPlot::fitAxes() {
    PlotView::fitAxes();
    // The budgets count on the right axis even where the plan stays far below them.
    QCPAxis* right = customPlot()->yAxis2;
    double upper = right->range().upper;
    for (double budget : m_visibleBudgets) {
        upper = std::max(upper, budget * 1.05);
    }
    right->setRange(0, upper);
}

QString MemoryPlot::describePoint(QCPAbstractPlottable* plottable, int index) const {
    const int key = static_cast<int>(std::lround(plottable->interface1D()->dataMainKey(index)));
    const QString layer = key < 0 ? tr("global") : tr("layer %1").arg(key);
    const Cell* cell = nullptr;
    if (auto role = m_roleOfBars.find(plottable); role != m_roleOfBars.end()) {
        cell = &m_planned.at(role->second).at(key);
    } else if (plottable == m_fp16Bars) {
        cell = &m_fp16.at(key);
    }
    if (cell == nullptr) {
        return PlotView::describePoint(plottable, index);
    }
    QString text = tr("%1, %2\n%3 bytes (%4 MiB) in %n tensor(s)", nullptr,
                      static_cast<int>(cell->tensorCount))
                       .arg(plottable->name(), layer)
                       .arg(cell->bytes)
                       .arg(formatNumber(static_cast<double>(cell->bytes) / kMiB));
    if (cell->experts > 0) {
        text += tr("\n%1 experts (gate, up and down): %2 MiB per expert")
                    .arg(cell->experts)
                    .arg(formatNumber(static_cast<double>(cell->bytes) /
                                      static_cast<double>(cell->experts) / kMiB));
    }
    return text;
}

void MemoryPlot::pointClicked(QCPAbstractPlottable* plottable, int index) {
    const int key = static_cast<int>(std::lround(plottable->interface1D()->dataMainKey(index)));
    if (auto role = m_roleOfBars.find(plottable); role != m_roleOfBars.end()) {
        emit tensorClicked(m_planned.at(role->second).at(key).largestTensor);
    }
}

} // namespace qs::ui
