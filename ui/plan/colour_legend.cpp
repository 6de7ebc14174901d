#include "ui/plan/colour_legend.h"

#include <QPainter>

namespace qs::ui {
namespace {

constexpr int kPadding = 6; // around each swatch's label, and between title and swatches

} // namespace

ColourLegend::ColourLegend(QWidget* parent)
    : QWidget(parent) {
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

void ColourLegend::setScale(const QString& title, std::vector<Entry> entries) {
    m_title = title;
    m_entries = std::move(entries);
    QString tip = title;
    for (const auto& e : m_entries) {
        tip += QLatin1Char(' ') + e.label;
    }
    setToolTip(tip);
    updateGeometry();
    update();
}

int ColourLegend::swatchWidth(const Entry& entry) const {
    return fontMetrics().horizontalAdvance(entry.label) + 2 * kPadding;
}

QSize ColourLegend::sizeHint() const {
    int width = fontMetrics().horizontalAdvance(m_title) + kPadding;
    for (const auto& e : m_entries) {
        width += swatchWidth(e);
    }
    return {width, fontMetrics().height() + kPadding};
}

QSize ColourLegend::minimumSizeHint() const {
    return sizeHint();
}

void ColourLegend::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    const int h = height();
    const int titleWidth = fontMetrics().horizontalAdvance(m_title);
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(QRect(0, 0, titleWidth, h), Qt::AlignVCenter | Qt::AlignLeft, m_title);
    int x = titleWidth + kPadding;
    for (const auto& e : m_entries) {
        const QRect swatch(x, 0, swatchWidth(e), h);
        painter.fillRect(swatch, e.colour);
        painter.setPen(Qt::black); // the swatches are light, like the grid's cells
        painter.drawText(swatch, Qt::AlignCenter, e.label);
        x += swatch.width();
    }
}

} // namespace qs::ui
