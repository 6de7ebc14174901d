#include "ui/plots/plot_view.h"

#include <QFile>
#include <QFileDialog>
#include <QHelpEvent>
#include <QMenu>
#include <QMessageBox>
#include <QSaveFile>
#include <QTextStream>
#include <QToolTip>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <array>
#include <cmath>
#include <limits>

namespace qs::ui {

namespace {

QString csvField(const QString& text) {
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n'))) {
        return text;
    }
    QString quoted = text;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

// The plottables whose points are data (error bars only decorate another series).
bool isDataSeries(QCPAbstractPlottable* plottable) {
    return plottable != nullptr && qobject_cast<QCPErrorBars*>(plottable) == nullptr &&
           plottable->interface1D() != nullptr;
}

} // namespace

PlotView::PlotView(QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);

    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setContextMenuPolicy(Qt::CustomContextMenu);
    m_plot->installEventFilter(this);
    m_plot->legend->setVisible(true);
    m_plot->xAxis->grid()->setVisible(false);

    connect(m_plot, &QWidget::customContextMenuRequested, this, &PlotView::showContextMenu);
    connect(m_plot, &QCustomPlot::plottableClick, this,
            [this](QCPAbstractPlottable* plottable, int index, QMouseEvent* event) {
                if (event->button() == Qt::LeftButton && isDataSeries(plottable)) {
                    pointClicked(plottable, index);
                }
            });
    // Labels and budget lines sit above the data and take the click: pass it to the point below.
    connect(m_plot, &QCustomPlot::itemClick, this, [this](QCPAbstractItem*, QMouseEvent* event) {
        int index = -1;
        QCPAbstractPlottable* plottable = m_plot->plottableAt(event->position(), false, &index);
        if (event->button() == Qt::LeftButton && isDataSeries(plottable) && index >= 0) {
            pointClicked(plottable, index);
        }
    });
    // Once the user zooms or pans, new data no longer moves the axes under them.
    connect(m_plot, &QCustomPlot::mouseWheel, this, [this] { m_followData = false; });
    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent* event) {
        if (event->buttons() & Qt::LeftButton) {
            m_followData = false;
        }
    });
}

PlotView::~PlotView() = default;

bool PlotView::exportPng(const QString& path, int width, int height) const {
    return m_plot->savePng(path, width, height);
}

bool PlotView::exportPdf(const QString& path, int width, int height) const {
    return m_plot->savePdf(path, width, height);
}

QString PlotView::csvText() const {
    QString text;
    QTextStream out(&text);
    out << "series,label,x,y,y_axis\n";
    for (int i = 0; i < m_plot->plottableCount(); ++i) {
        QCPAbstractPlottable* plottable = m_plot->plottable(i);
        if (!isDataSeries(plottable)) {
            continue;
        }
        const QCPPlottableInterface1D* data = plottable->interface1D();
        const QString series = csvField(plottable->name());
        const QString axis = csvField(plottable->valueAxis()->label());
        for (int j = 0; j < data->dataCount(); ++j) {
            out << series << ',' << csvField(pointLabel(plottable, j)) << ','
                << formatNumber(data->dataMainKey(j), 10) << ','
                << formatNumber(data->dataMainValue(j), 10) << ',' << axis << '\n';
        }
    }
    return text;
}

bool PlotView::exportCsv(const QString& path) const {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        return false;
    }
    file.write(csvText().toUtf8());
    return file.commit();
}

QString PlotView::toolTipAt(const QPointF& pos) const {
    int index = -1;
    QCPAbstractPlottable* plottable = m_plot->plottableAt(pos, false, &index);
    if (!isDataSeries(plottable) || index < 0 || index >= plottable->interface1D()->dataCount()) {
        return {};
    }
    return describePoint(plottable, index);
}

void PlotView::resetZoom() {
    m_followData = true;
    fitAxes();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void PlotView::requestReplot() {
    if (m_followData) {
        fitAxes();
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void PlotView::fitAxes() {
    m_plot->rescaleAxes(true);
    for (QCPAxis* axis : m_plot->axisRect()->axes()) {
        const QCPRange range = axis->range();
        if (axis->scaleType() == QCPAxis::stLogarithmic) {
            // Bars start at zero, which rescaling maps to a tiny value: fit the positive data.
            double low = std::numeric_limits<double>::infinity();
            double high = 0;
            for (QCPAbstractPlottable* plottable : axis->plottables()) {
                QCPPlottableInterface1D* data = plottable->interface1D();
                if (data == nullptr || plottable->valueAxis() != axis) {
                    continue;
                }
                for (int i = 0; i < data->dataCount(); ++i) {
                    const double value = data->dataMainValue(i);
                    if (value > 0 && std::isfinite(value)) {
                        low = std::min(low, value);
                        high = std::max(high, value);
                    }
                }
            }
            if (high > 0) {
                axis->setRange(low / 2, high * 2);
            }
            continue;
        }
        // Bars carry their own width along the key axis and start at zero on the value axis:
        // no margin there. Points get a margin on every side so none sits on the frame.
        bool barValues = false;
        bool barKeys = false;
        for (QCPAbstractPlottable* plottable : axis->plottables()) {
            if (qobject_cast<QCPBars*>(plottable) != nullptr) {
                barValues = barValues || plottable->valueAxis() == axis;
                barKeys = barKeys || plottable->keyAxis() == axis;
            }
        }
        if (barKeys) {
            // Whole categories: grouped bars sit beside their key, which rescaling ignores.
            axis->setRange(std::floor(range.lower + 0.5) - 0.5, std::ceil(range.upper - 0.5) + 0.5);
            continue;
        }
        // Value axes keep room above the bars for their labels.
        const double share = axis->orientation() == Qt::Vertical ? 0.1 : 0.05;
        const double margin = share * std::max(range.size(), std::abs(range.upper) * 1e-3);
        const double lower = barValues && range.lower >= 0 ? range.lower : range.lower - margin;
        axis->setRange(lower, range.upper + margin);
    }
}

QString PlotView::pointLabel(QCPAbstractPlottable* plottable, int index) const {
    auto ticker = plottable->keyAxis()->ticker().dynamicCast<QCPAxisTickerText>();
    if (ticker.isNull()) {
        return {};
    }
    const double key = plottable->interface1D()->dataMainKey(index);
    // Bars may sit beside their category (grouped bars): take the nearest tick.
    return ticker->ticks().value(std::round(key));
}

QString PlotView::describePoint(QCPAbstractPlottable* plottable, int index) const {
    const QCPPlottableInterface1D* data = plottable->interface1D();
    QString label = pointLabel(plottable, index);
    if (label.isEmpty()) {
        label = formatNumber(data->dataMainKey(index));
    }
    return tr("%1\n%2: %3 %4")
        .arg(plottable->name(), label, formatNumber(data->dataMainValue(index)),
             plottable->valueAxis()->label());
}

void PlotView::addMenuActions(QMenu*) {}

void PlotView::pointClicked(QCPAbstractPlottable*, int) {}

void PlotView::placeLegendBelow(int columns) {
    QCPLegend* legend = m_plot->legend;
    if (legend->layout() != m_plot->plotLayout()) {
        m_plot->axisRect()->insetLayout()->take(legend);
        const int row = m_plot->plotLayout()->rowCount();
        m_plot->plotLayout()->addElement(row, 0, legend);
        m_plot->plotLayout()->setRowStretchFactor(row, 0.001);
        legend->setMargins(QMargins(6, 2, 6, 2));
    }
    legend->setFillOrder(QCPLegend::foColumnsFirst);
    legend->setWrap(columns);
}

void PlotView::setLayerTicks(QCPAxis* axis, int layerCount, bool hasGlobal) {
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    if (hasGlobal) {
        ticker->addTick(-1, tr("global"));
    }
    // Past 40 layers the labels would overlap: label every fifth.
    const int step = layerCount > 40 ? 5 : 1;
    for (int layer = 0; layer < layerCount; layer += step) {
        ticker->addTick(layer, QString::number(layer));
    }
    ticker->setSubTickCount(0);
    axis->setTicker(ticker);
}

void PlotView::setAxisLogarithmic(QCPAxis* axis, bool logarithmic) {
    if (logarithmic) {
        axis->setScaleType(QCPAxis::stLogarithmic);
        axis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
        axis->setNumberFormat(QStringLiteral("eb"));
        axis->setNumberPrecision(0);
    } else {
        axis->setScaleType(QCPAxis::stLinear);
        axis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        axis->setNumberFormat(QStringLiteral("g"));
        axis->setNumberPrecision(6);
    }
}

int PlotView::layerKey(std::string_view tensorName) {
    return core::tensorLayerIndex(tensorName).value_or(-1);
}

QColor PlotView::roleColour(core::TensorRole role) {
    using R = core::TensorRole;
    switch (role) {
    case R::TokenEmbedding:
        return QColor(0x8c, 0x56, 0x4b);
    case R::Output:
        return QColor(0x7f, 0x7f, 0x7f);
    case R::OutputNorm:
        return QColor(0xdb, 0xdb, 0x8d);
    case R::AttnNorm:
        return QColor(0xbc, 0xbd, 0x22);
    case R::FfnNorm:
        return QColor(0xe3, 0x77, 0xc2);
    case R::AttnQ:
        return QColor(0x1f, 0x77, 0xb4);
    case R::AttnK:
        return QColor(0x17, 0xbe, 0xcf);
    case R::AttnV:
        return QColor(0x2c, 0xa0, 0x2c);
    case R::AttnOutput:
        return QColor(0x98, 0xdf, 0x8a);
    case R::FfnGate:
        return QColor(0xff, 0x7f, 0x0e);
    case R::FfnUp:
        return QColor(0xd6, 0x27, 0x28);
    case R::FfnDown:
        return QColor(0x94, 0x67, 0xbd);
    // Fused and expert tensors take a shade of the family they belong to.
    case R::AttnQkv:
        return QColor(0x39, 0x8d, 0xa8);
    case R::AttnQNorm:
    case R::AttnKNorm:
        return QColor(0xae, 0xc7, 0xe8);
    case R::PostAttnNorm:
        return QColor(0xc5, 0xb0, 0xd5);
    case R::PostFfnNorm:
        return QColor(0xf7, 0xb6, 0xd2);
    case R::FfnGateInp:
        return QColor(0x17, 0x4a, 0x7e);
    case R::FfnGateExps:
        return QColor(0xff, 0xbb, 0x78);
    case R::FfnUpExps:
        return QColor(0xff, 0x98, 0x96);
    case R::FfnDownExps:
        return QColor(0xc4, 0x9c, 0x94);
    case R::Other:
        break;
    }
    return QColor(0xc7, 0xc7, 0xc7);
}

QString PlotView::formatNumber(double value, int digits) {
    return QString::number(value, 'g', digits);
}

bool PlotView::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_plot && event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QString text = toolTipAt(help->pos());
        if (text.isEmpty()) {
            QToolTip::hideText();
        } else {
            QToolTip::showText(help->globalPos(), text, m_plot);
        }
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

void PlotView::showContextMenu(const QPoint& pos) {
    QMenu menu(this);
    addMenuActions(&menu);
    if (!menu.isEmpty()) {
        menu.addSeparator();
    }
    menu.addAction(tr("Export PNG…"), this, [this] { exportInteractively(ExportFormat::Png); });
    menu.addAction(tr("Export PDF…"), this, [this] { exportInteractively(ExportFormat::Pdf); });
    menu.addAction(tr("Export CSV…"), this, [this] { exportInteractively(ExportFormat::Csv); });
    menu.addSeparator();
    menu.addAction(tr("Reset zoom"), this, &PlotView::resetZoom);
    menu.exec(m_plot->mapToGlobal(pos));
}

void PlotView::exportInteractively(ExportFormat format) {
    QString filter;
    switch (format) {
    case ExportFormat::Png:
        filter = tr("PNG images (*.png)");
        break;
    case ExportFormat::Pdf:
        filter = tr("PDF documents (*.pdf)");
        break;
    case ExportFormat::Csv:
        filter = tr("CSV tables (*.csv)");
        break;
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Export plot"), QString(), filter);
    if (path.isEmpty()) {
        return;
    }
    bool written = false;
    switch (format) {
    case ExportFormat::Png:
        written = exportPng(path);
        break;
    case ExportFormat::Pdf:
        written = exportPdf(path);
        break;
    case ExportFormat::Csv:
        written = exportCsv(path);
        break;
    }
    if (!written) {
        QMessageBox::warning(this, tr("Export plot"),
                             tr("Could not write %1.").arg(QDir::toNativeSeparators(path)));
    }
}

} // namespace qs::ui
