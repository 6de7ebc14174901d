#include "ui/plots/sensitivity_plot.h"

#include "core/model/tensor_role.h"

#include <qcustomplot.h>

#include <algorithm>
#include <tuple>

namespace qs::ui {

namespace {

QString toQString(std::string_view s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

double bitsOf(const core::SensitivityRow& row, const core::SensitivityPoint& point) {
    return row.parameters == 0
               ? 0.0
               : 8.0 * static_cast<double>(point.bytes) / static_cast<double>(row.parameters);
}

} // namespace

SensitivityPlot::SensitivityPlot(QWidget* parent)
    : PlotView(parent) {
    setObjectName(QStringLiteral("sensitivityPlot"));
    QCustomPlot* plot = customPlot();
    plot->xAxis->setLabel(tr("Bits per weight"));
    plot->yAxis->setLabel(tr("Relative error"));
    setAxisLogarithmic(plot->yAxis, true);
    plot->legend->setVisible(true);
    placeLegendBelow(3);
    rebuild();
}

void SensitivityPlot::setTable(std::shared_ptr<const core::SensitivityTable> table) {
    m_table = std::move(table);
    m_chosen.clear();
    resetZoom();
    rebuild();
}

void SensitivityPlot::setTensors(const std::vector<std::string>& names) {
    m_tensors = names;
    resetZoom();
    rebuild();
}

void SensitivityPlot::setChosen(std::map<std::string, core::GgmlType> chosen) {
    m_chosen = std::move(chosen);
    rebuild();
}

QCPGraph* SensitivityPlot::curveOf(const std::string& name) const {
    const auto it = m_curves.find(name);
    return it == m_curves.end() ? nullptr : it->second;
}

void SensitivityPlot::rebuild() {
    QCustomPlot* plot = customPlot();
    plot->clearPlottables();
    m_pointTypes.clear();
    m_markTensors.clear();
    m_curves.clear();
    m_chosenGraph = nullptr;
    if (!m_table) {
        requestReplot();
        emit curvesChanged();
        return;
    }

    // (bits, error, tensor) of every chosen point, sorted by bits as the graph keeps them.
    std::vector<std::tuple<double, double, std::string>> marks;
    for (const std::string& name : m_tensors) {
        const core::SensitivityRow* row = m_table->find(name);
        if (row == nullptr || m_curves.count(name) != 0) {
            continue;
        }
        auto* graph = plot->addGraph();
        graph->setName(toQString(name));
        const QColor colour = roleColour(row->role);
        graph->setPen(QPen(colour, 1.5));
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, colour, colour, 6));
        QVector<double> keys;
        QVector<double> values;
        std::vector<core::GgmlType> types;
        // Points are sorted by bytes, so bits per weight ascend too.
        for (const core::SensitivityPoint& point : row->points) {
            keys.push_back(bitsOf(*row, point));
            values.push_back(point.error);
            types.push_back(point.type);
        }
        graph->setData(keys, values, true);
        m_pointTypes[graph] = std::move(types);
        m_curves[name] = graph;
        const auto chosen = m_chosen.find(name);
        if (chosen != m_chosen.end()) {
            if (const core::SensitivityPoint* point = row->find(chosen->second)) {
                marks.emplace_back(bitsOf(*row, *point), point->error, name);
            }
        }
    }

    m_chosenGraph = plot->addGraph();
    m_chosenGraph->setName(tr("Chosen"));
    m_chosenGraph->setLineStyle(QCPGraph::lsNone);
    m_chosenGraph->setScatterStyle(QCPScatterStyle(
        QCPScatterStyle::ssCircle, QPen(QColor(0xd0, 0x20, 0x20), 2.5), Qt::NoBrush, 14));
    std::sort(marks.begin(), marks.end());
    QVector<double> keys;
    QVector<double> values;
    std::vector<std::string> names;
    for (const auto& [bits, error, name] : marks) {
        keys.push_back(bits);
        values.push_back(error);
        names.push_back(name);
    }
    m_chosenGraph->setData(keys, values, true);
    m_markTensors[m_chosenGraph] = std::move(names);
    requestReplot();
    emit curvesChanged();
}

QString SensitivityPlot::pointLabel(QCPAbstractPlottable* plottable, int index) const {
    const auto types = m_pointTypes.find(plottable);
    if (types != m_pointTypes.end() && index >= 0 &&
        static_cast<std::size_t>(index) < types->second.size()) {
        return toQString(core::ggmlTypeInfo(types->second[index]).name);
    }
    const auto marks = m_markTensors.find(plottable);
    if (marks != m_markTensors.end() && index >= 0 &&
        static_cast<std::size_t>(index) < marks->second.size()) {
        const std::string& name = marks->second[index];
        const auto chosen = m_chosen.find(name);
        return chosen == m_chosen.end()
                   ? toQString(name)
                   : QStringLiteral("%1 %2").arg(toQString(name),
                                                 toQString(ggmlTypeInfo(chosen->second).name));
    }
    return PlotView::pointLabel(plottable, index);
}

QString SensitivityPlot::describePoint(QCPAbstractPlottable* plottable, int index) const {
    const QCPPlottableInterface1D* data = plottable->interface1D();
    if (data == nullptr || index < 0 || index >= data->dataCount()) {
        return {};
    }
    return tr("%1\n%2: %3 bits per weight, error %4")
        .arg(plottable->name(), pointLabel(plottable, index),
             formatNumber(data->dataMainKey(index), 4),
             formatNumber(data->dataMainValue(index), 4));
}

} // namespace qs::ui
