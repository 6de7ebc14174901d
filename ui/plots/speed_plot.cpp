#include "ui/plots/speed_plot.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace qs::ui {

namespace {

// pp bars sit left of their category, tg bars right.
constexpr double kOffset = 0.2;
constexpr double kWidth = 0.38;

} // namespace

SpeedPlot::SpeedPlot(QWidget* parent)
    : PlotView(parent) {
    QCustomPlot* plot = customPlot();
    plot->yAxis->setLabel(tr("Prompt processing (tokens/s)"));
    plot->yAxis2->setVisible(true);
    plot->yAxis2->setLabel(tr("Text generation (tokens/s)"));
    placeLegendBelow(2);
    rebuild();
}

void SpeedPlot::setResults(const SpeedSample& reference, const std::vector<SpeedSample>& variants) {
    m_reference = reference;
    m_variants = variants;
    resetZoom();
    rebuild();
}

void SpeedPlot::setReference(const SpeedSample& reference) {
    m_reference = reference;
    rebuild();
}

void SpeedPlot::addVariant(const SpeedSample& variant) {
    auto same = std::find_if(m_variants.begin(), m_variants.end(),
                             [&](const SpeedSample& s) { return s.name == variant.name; });
    if (same != m_variants.end()) {
        *same = variant;
    } else {
        m_variants.push_back(variant);
    }
    rebuild();
}

void SpeedPlot::clear() {
    m_reference.reset();
    m_variants.clear();
    resetZoom();
    rebuild();
}

QStringList SpeedPlot::ratioLabels() const {
    return m_ratioLabels;
}

std::vector<SpeedSample> SpeedPlot::samples() const {
    std::vector<SpeedSample> all;
    if (m_reference) {
        all.push_back(*m_reference);
    }
    all.insert(all.end(), m_variants.begin(), m_variants.end());
    return all;
}

void SpeedPlot::rebuild() {
    QCustomPlot* plot = customPlot();
    plot->clearPlottables();
    plot->clearItems();
    m_ratioLabels.clear();

    const std::vector<SpeedSample> all = samples();
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    auto* pp = new QCPBars(plot->xAxis, plot->yAxis);
    pp->setName(tr("pp (left axis)"));
    pp->setBrush(QColor(0x4c, 0x72, 0xb0));
    pp->setPen(Qt::NoPen);
    pp->setWidth(kWidth);
    auto* tg = new QCPBars(plot->xAxis, plot->yAxis2);
    tg->setName(tr("tg (right axis)"));
    tg->setBrush(QColor(0xdd, 0x84, 0x52));
    tg->setPen(Qt::NoPen);
    tg->setWidth(kWidth);
    m_pp = pp;

    const auto addRatio = [&](QCPAxis* valueAxis, double key, double value, double reference) {
        if (!(reference > 0) || !std::isfinite(value)) {
            return;
        }
        const QString text = tr("×%1").arg(value / reference, 0, 'f', 2);
        m_ratioLabels.push_back(text);
        auto* label = new QCPItemText(plot);
        label->position->setAxes(plot->xAxis, valueAxis);
        label->position->setCoords(key, value);
        label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
        label->setText(text);
        label->setClipToAxisRect(false);
    };
    for (std::size_t i = 0; i < all.size(); ++i) {
        const double key = static_cast<double>(i);
        ticker->addTick(key, all[i].name);
        pp->addData(key - kOffset, all[i].ppTokPerSec);
        tg->addData(key + kOffset, all[i].tgTokPerSec);
        if (m_reference && i > 0) {
            addRatio(plot->yAxis, key - kOffset, all[i].ppTokPerSec, m_reference->ppTokPerSec);
            addRatio(plot->yAxis2, key + kOffset, all[i].tgTokPerSec, m_reference->tgTokPerSec);
        }
    }
    ticker->setSubTickCount(0);
    plot->xAxis->setTicker(ticker);
    requestReplot();
}

QString SpeedPlot::describePoint(QCPAbstractPlottable* plottable, int index) const {
    const std::vector<SpeedSample> all = samples();
    if (index < 0 || static_cast<std::size_t>(index) >= all.size()) {
        return {};
    }
    const SpeedSample& sample = all[static_cast<std::size_t>(index)];
    const bool isPp = plottable == m_pp;
    const double value = isPp ? sample.ppTokPerSec : sample.tgTokPerSec;
    QString text = tr("%1, %2: %3 tokens/s")
                       .arg(sample.name, isPp ? tr("prompt processing") : tr("text generation"),
                            formatNumber(value));
    if (m_reference && index > 0) {
        const double reference = isPp ? m_reference->ppTokPerSec : m_reference->tgTokPerSec;
        if (reference > 0) {
            text += QLatin1Char('\n') +
                    tr("%1× %2").arg(formatNumber(value / reference, 4), m_reference->name);
        }
    }
    return text;
}

} // namespace qs::ui
