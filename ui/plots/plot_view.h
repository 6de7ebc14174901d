#pragma once

#include "core/model/tensor_role.h"

#include <QColor>
#include <QWidget>

#include <string_view>

class QCustomPlot;
class QCPAbstractPlottable;
class QCPAxis;
class QMenu;

namespace qs::ui {

// The common frame of every plot: owns one QCustomPlot with zoom/pan, hover tooltips with the
// exact value, a context menu (export PNG/PDF/CSV, reset zoom) and merged replots. Subclasses
// own their graphs and bars, rebuild them from their data and call requestReplot(); replots are
// queued, so streaming many results triggers one repaint per event-loop pass.
class PlotView : public QWidget {
    Q_OBJECT

public:
    explicit PlotView(QWidget* parent = nullptr);
    ~PlotView() override;

    // The plot itself, for embedding tweaks and for tests reading the data containers.
    QCustomPlot* customPlot() const { return m_plot; }

    // width/height 0: the widget's current size.
    bool exportPng(const QString& path, int width = 0, int height = 0) const;
    bool exportPdf(const QString& path, int width = 0, int height = 0) const;
    // Every plotted series as rows "series,label,x,y" (label: the category or point name).
    bool exportCsv(const QString& path) const;
    QString csvText() const;

    // The tooltip text for a widget position; empty where no data point is.
    QString toolTipAt(const QPointF& pos) const;

public slots:
    // Fits the axes to the data again and follows new data from then on.
    void resetZoom();

protected:
    // Queues one replot; fits the axes first unless the user has zoomed or panned.
    void requestReplot();
    // Fits the axes to the plotted data (log axes keep to positive values).
    virtual void fitAxes();
    // The category or point name of a data point (default: the key axis' text tick there).
    virtual QString pointLabel(QCPAbstractPlottable* plottable, int index) const;
    // The tooltip of a data point (default: series, label and the exact value).
    virtual QString describePoint(QCPAbstractPlottable* plottable, int index) const;
    // Extra entries for the context menu, above the export actions.
    virtual void addMenuActions(QMenu* menu);
    // A left click on a data point (a bar or a scatter point).
    virtual void pointClicked(QCPAbstractPlottable* plottable, int index);

    // Moves the legend out of the plot area into a row below it, `columns` entries wide.
    void placeLegendBelow(int columns);
    // Text ticks "global" at key -1 (when hasGlobal) and 0..layerCount-1 for the layers.
    void setLayerTicks(QCPAxis* axis, int layerCount, bool hasGlobal);
    // Toggles a value axis between linear and logarithmic scale and ticks.
    static void setAxisLogarithmic(QCPAxis* axis, bool logarithmic);
    // The key of a tensor on a per-layer axis: its layer index, or -1 for global tensors.
    static int layerKey(std::string_view tensorName);
    // A fixed colour per tensor role, shared by all per-role plots.
    static QColor roleColour(core::TensorRole role);
    // A number with up to `digits` significant digits, as tooltips and CSV show it.
    static QString formatNumber(double value, int digits = 6);

    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    enum class ExportFormat { Png, Pdf, Csv };
    void showContextMenu(const QPoint& pos);
    void exportInteractively(ExportFormat format);

    QCustomPlot* m_plot;
    bool m_followData = true; // false once the user zooms or pans, until Reset zoom
};

} // namespace qs::ui
