#pragma once

#include <QColor>
#include <QString>
#include <QWidget>

#include <vector>

namespace qs::ui {

// A colour scale drawn as a row of labelled swatches after a title ("bits per weight: 2 3 4
// …"), so that the grid's colours can be read as numbers.
class ColourLegend : public QWidget {
    Q_OBJECT

public:
    struct Entry {
        QColor colour;
        QString label;
    };

    explicit ColourLegend(QWidget* parent = nullptr);

    void setScale(const QString& title, std::vector<Entry> entries);
    QString title() const { return m_title; }
    const std::vector<Entry>& entries() const { return m_entries; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    int swatchWidth(const Entry& entry) const;

    QString m_title;
    std::vector<Entry> m_entries;
};

} // namespace qs::ui
