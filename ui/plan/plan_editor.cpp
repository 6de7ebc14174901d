#include "ui/plan/plan_editor.h"

#include "core/model/model.h"
#include "core/plan/llama_presets.h"
#include "core/quant/format_registry.h"
#include "ui/plan/colour_legend.h"
#include "ui/plan/optimizer_panel.h"
#include "ui/plan/plan_document.h"
#include "ui/plan/plan_grid_model.h"
#include "ui/settings/app_settings.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QPushButton>
#include <QScopedValueRollback>
#include <QScrollBar>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <vector>

namespace qs::ui {
namespace {

QString toQString(std::string_view s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

// Number keys pick the usual format of each bit width, as users think of them.
struct FormatKey {
    core::GgmlType type;
    const char* key;
};
constexpr FormatKey kFormatKeys[] = {
    {core::GgmlType::IQ1_M, "1"}, {core::GgmlType::Q2_K, "2"}, {core::GgmlType::Q3_K, "3"},
    {core::GgmlType::Q4_K, "4"},  {core::GgmlType::Q5_K, "5"}, {core::GgmlType::Q6_K, "6"},
    {core::GgmlType::Q8_0, "8"},  {core::GgmlType::F16, "F"},  {core::GgmlType::BF16, "B"},
};

// The grid claims at most this much width for itself; a model with more roles than fit
// (mixture-of-experts) scrolls sideways rather than widening the whole window.
constexpr int kMaxGridMinimumWidth = 680;

// The bit widths the bits-per-weight legend names (16: F16/BF16, one colour for both).
constexpr double kLegendBits[] = {2, 3, 4, 5, 6, 8, 16};
// Swatches of the error legend, log-spaced from the smallest to the largest measured error.
constexpr int kLegendErrorSteps = 5;

// The settings' names of the colourings.
QString colouringKey(GridColouring c) {
    return c == GridColouring::MeasuredError ? QStringLiteral("error") : QStringLiteral("bits");
}

} // namespace

PlanEditor::PlanEditor(PlanDocument* document, QWidget* parent)
    : QWidget(parent)
    , m_document(document)
    , m_gridModel(new PlanGridModel(document, this))
    , m_grid(new QTableView(this))
    , m_presetCombo(new QComboBox(this))
    , m_formatCombo(new QComboBox(this))
    , m_summary(new QLabel(this))
    , m_colouringCombo(new QComboBox(this))
    , m_legend(new ColourLegend(this))
    , m_optimizer(new OptimizerPanel(document, this)) {
    setObjectName(QStringLiteral("planEditor"));
    m_grid->setObjectName(QStringLiteral("planGrid"));
    m_presetCombo->setObjectName(QStringLiteral("presetCombo"));
    m_formatCombo->setObjectName(QStringLiteral("formatCombo"));
    m_summary->setObjectName(QStringLiteral("planSummary"));
    m_colouringCombo->setObjectName(QStringLiteral("gridColouringCombo"));
    m_legend->setObjectName(QStringLiteral("gridLegend"));

    for (const auto& preset : core::allLlamaPresets()) {
        m_presetCombo->addItem(toQString(preset.name), toQString(preset.name));
        m_presetCombo->setItemData(m_presetCombo->count() - 1, toQString(preset.description),
                                   Qt::ToolTipRole);
    }
    m_presetCombo->setCurrentText(QStringLiteral("Q4_K_M"));
    auto* applyPreset = new QPushButton(tr("Apply preset"), this);
    applyPreset->setObjectName(QStringLiteral("applyPresetButton"));
    applyPreset->setToolTip(
        tr("Choose every tensor's format as llama-quantize would for this preset"));

    for (const auto& format : core::allQuantFormats()) {
        if (format.cpuQuantize) {
            const auto& info = format.info();
            m_formatCombo->addItem(toQString(info.name), static_cast<uint>(format.type));
            m_formatCombo->setItemData(m_formatCombo->count() - 1,
                                       tr("%1 bits per weight, blocks of %2")
                                           .arg(info.bitsPerWeight(), 0, 'g', 5)
                                           .arg(info.blockSize),
                                       Qt::ToolTipRole);
        }
    }
    m_formatCombo->setCurrentText(QStringLiteral("Q4_K"));
    auto* setFormat = new QPushButton(tr("Set selected"), this);
    setFormat->setObjectName(QStringLiteral("setFormatButton"));
    setFormat->setToolTip(
        tr("Give the selected cells this format (keys 2–8, F, B do it directly)"));

    // Icons only: the actions' text names the command ("Undo Apply preset Q4_K_M", longer in
    // German), and a button showing it would widen the window with every edit. The tooltip
    // still says it.
    auto* undo = new QToolButton(this);
    undo->setObjectName(QStringLiteral("undoButton"));
    undo->setDefaultAction(document->undoStack()->createUndoAction(this, tr("Undo")));
    undo->defaultAction()->setShortcut(QKeySequence::Undo);
    undo->defaultAction()->setIcon(
        QIcon::fromTheme(QStringLiteral("edit-undo"), style()->standardIcon(QStyle::SP_ArrowBack)));
    undo->setToolButtonStyle(Qt::ToolButtonIconOnly);
    auto* redo = new QToolButton(this);
    redo->setObjectName(QStringLiteral("redoButton"));
    redo->setDefaultAction(document->undoStack()->createRedoAction(this, tr("Redo")));
    redo->defaultAction()->setShortcut(QKeySequence::Redo);
    redo->defaultAction()->setIcon(QIcon::fromTheme(
        QStringLiteral("edit-redo"), style()->standardIcon(QStyle::SP_ArrowForward)));
    redo->setToolButtonStyle(Qt::ToolButtonIconOnly);
    addAction(undo->defaultAction());
    addAction(redo->defaultAction());

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Preset:"), this));
    bar->addWidget(m_presetCombo);
    bar->addWidget(applyPreset);
    bar->addSpacing(16);
    bar->addWidget(new QLabel(tr("Format:"), this));
    bar->addWidget(m_formatCombo);
    bar->addWidget(setFormat);
    bar->addSpacing(16);
    bar->addWidget(undo);
    bar->addWidget(redo);
    bar->addStretch();

    m_grid->setModel(m_gridModel);
    m_grid->setSelectionMode(QAbstractItemView::ExtendedSelection);
    // Stretched sections share the width evenly and elide the long role names ("token_embd",
    // "attn_output") long before the short ones need it: fitGridColumns() sizes them instead.
    m_grid->horizontalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_grid->horizontalHeader()->setStretchLastSection(false);
    m_grid->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_grid->setContextMenuPolicy(Qt::CustomContextMenu);
    m_grid->setEditTriggers(QAbstractItemView::NoEditTriggers);

    m_colouringCombo->addItem(tr("Bits per weight"),
                              static_cast<int>(GridColouring::BitsPerWeight));
    m_colouringCombo->addItem(tr("Measured error"), static_cast<int>(GridColouring::MeasuredError));
    m_colouringCombo->setToolTip(
        tr("Colour the cells by their format's bits per weight, or by the error a run measured "
           "for each tensor (a layer × role heat map: the worst tensors in red)"));
    const bool errorColouring = planGridColouring() == colouringKey(GridColouring::MeasuredError);
    m_colouringCombo->setCurrentIndex(errorColouring ? 1 : 0);
    m_gridModel->setColouring(errorColouring ? GridColouring::MeasuredError
                                             : GridColouring::BitsPerWeight);

    // The grid, and under it the colouring control and its legend (on the grid's side of the
    // splitter, so that the bar above keeps the window within 1280 pixels).
    auto* gridPane = new QWidget(this);
    auto* gridLayout = new QVBoxLayout(gridPane);
    gridLayout->setContentsMargins(0, 0, 0, 0);
    gridLayout->addWidget(m_grid, 1);
    auto* legendRow = new QHBoxLayout;
    legendRow->addWidget(new QLabel(tr("Colour:"), gridPane));
    legendRow->addWidget(m_colouringCombo);
    legendRow->addWidget(m_legend);
    legendRow->addStretch();
    gridLayout->addLayout(legendRow);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_summary);
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(gridPane);
    splitter->addWidget(m_optimizer);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);
    layout->addWidget(splitter, 1);

    m_grid->installEventFilter(this);
    m_grid->viewport()->installEventFilter(this);
    connect(m_gridModel, &QAbstractItemModel::modelReset, this, &PlanEditor::fitGridColumns);
    connect(m_gridModel, &QAbstractItemModel::dataChanged, this, &PlanEditor::fitGridColumns);

    connect(applyPreset, &QPushButton::clicked, this, &PlanEditor::applyChosenPreset);
    connect(setFormat, &QPushButton::clicked, this, [this] {
        setSelectedFormat(static_cast<core::GgmlType>(m_formatCombo->currentData().toUInt()));
    });
    // The current cell's tensor (clicked, or selected from the tree or a plot) is the one the
    // sensitivity plot shows.
    connect(m_grid->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) {
                if (auto t = m_gridModel->tensorAt(current)) {
                    m_optimizer->showTensor(*t);
                }
            });
    connect(m_grid, &QWidget::customContextMenuRequested, this, &PlanEditor::showContextMenu);
    connect(document, &PlanDocument::planChanged, this, &PlanEditor::updateSummary);
    connect(m_colouringCombo, &QComboBox::currentIndexChanged, this, [this] {
        const auto colouring = static_cast<GridColouring>(m_colouringCombo->currentData().toInt());
        m_gridModel->setColouring(colouring);
        savePlanGridColouring(colouringKey(colouring));
        updateLegend();
    });
    connect(m_gridModel, &PlanGridModel::measuredErrorsChanged, this, &PlanEditor::updateLegend);
    updateSummary();
    updateLegend();
    fitGridColumns();
}

void PlanEditor::setResults(const ResultsTableModel* results) {
    m_gridModel->setResults(results);
}

void PlanEditor::updateLegend() {
    const QLocale locale;
    std::vector<ColourLegend::Entry> entries;
    if (m_gridModel->colouring() == GridColouring::BitsPerWeight) {
        for (const double bits : kLegendBits) {
            entries.push_back({colourForBits(bits), locale.toString(bits, 'g', 3)});
        }
        m_legend->setScale(tr("bits per weight:"), std::move(entries));
        return;
    }
    const auto range = m_gridModel->errorRange();
    if (range) {
        // The swatches' values, log-spaced as the colours are.
        const double ratio = range->high / range->low;
        const int steps = range->high > range->low ? kLegendErrorSteps : 1;
        for (int i = 0; i < steps; ++i) {
            const double value =
                steps == 1 ? range->high : range->low * std::pow(ratio, double(i) / (steps - 1));
            entries.push_back({colourForError(value, *range), locale.toString(value, 'g', 2)});
        }
    }
    entries.push_back({unmeasuredColour(), range ? tr("not measured") : tr("no run yet")});
    m_legend->setScale(tr("relative RMSE:"), std::move(entries));
}

bool PlanEditor::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_grid->viewport() && event->type() == QEvent::Resize && !m_fitting) {
        fitGridColumns();
    }
    // Number keys on the grid set the format of the selected cells directly.
    if (watched == m_grid && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if (key->modifiers() == Qt::NoModifier || key->modifiers() == Qt::KeypadModifier) {
            const QString text = key->text().toUpper();
            for (const auto& fk : kFormatKeys) {
                if (text == QLatin1String(fk.key)) {
                    setSelectedFormat(fk.type);
                    return true;
                }
            }
        }
    }
    return QWidget::eventFilter(watched, event);
}

void PlanEditor::fitGridColumns() {
    const QScopedValueRollback<bool> fitting(m_fitting, true);
    QHeaderView* header = m_grid->horizontalHeader();
    // QTableView hides the cell size hint that QAbstractItemView makes public.
    const QAbstractItemView* cells = m_grid;
    const int columns = header->count();
    std::vector<int> needed(static_cast<std::size_t>(columns));
    int total = 0;
    for (int c = 0; c < columns; ++c) {
        needed[static_cast<std::size_t>(c)] =
            std::max(header->sectionSizeHint(c), cells->sizeHintForColumn(c));
        total += needed[static_cast<std::size_t>(c)];
    }
    const int frame = 2 * m_grid->frameWidth() + m_grid->verticalHeader()->sizeHint().width() +
                      m_grid->verticalScrollBar()->sizeHint().width();
    m_grid->setMinimumWidth(std::min(total + frame, kMaxGridMinimumWidth));
    // Room to spare goes to every column alike; too little room scrolls, never elides.
    const int spare = columns > 0 ? std::max(0, m_grid->viewport()->width() - total) / columns : 0;
    for (int c = 0; c < columns; ++c) {
        header->resizeSection(c, needed[static_cast<std::size_t>(c)] + spare);
    }
}

int PlanEditor::setSelectedFormat(core::GgmlType type) {
    std::vector<std::size_t> tensors;
    for (const QModelIndex& idx : m_grid->selectionModel()->selectedIndexes()) {
        if (auto t = m_gridModel->tensorAt(idx)) {
            tensors.push_back(*t);
        }
    }
    return m_document->setTypes(tensors, type);
}

void PlanEditor::selectTensor(std::size_t tensor) {
    const QModelIndex idx = m_gridModel->indexOfTensor(tensor);
    if (idx.isValid()) {
        m_grid->setCurrentIndex(idx);
        m_grid->scrollTo(idx);
    }
}

void PlanEditor::applyChosenPreset() {
    const auto* preset =
        core::llamaPresetByName(m_presetCombo->currentData().toString().toStdString());
    if (!preset) {
        return;
    }
    const QString problem = m_document->applyPreset(*preset);
    if (!problem.isEmpty()) {
        m_summary->setText(tr("Preset failed: %1").arg(problem));
    }
}

void PlanEditor::updateSummary() {
    if (!m_document->model()) {
        m_summary->setText(tr("No model"));
        return;
    }
    const QLocale locale;
    const quint64 planned = m_document->plannedBytes();
    const quint64 stored = m_document->model()->tensorBytes();
    m_summary->setText(tr("Plan: %1, %2 bits/weight (%3 of the stored model)")
                           .arg(locale.formattedDataSize(static_cast<qint64>(planned)))
                           .arg(locale.toString(m_document->plannedBitsPerWeight(), 'f', 3))
                           .arg(locale.toString(stored ? 100.0 * planned / stored : 0.0, 'f', 1) +
                                QLatin1Char('%')));
}

QMenu* PlanEditor::buildFormatMenu(QWidget* parent) {
    auto* menu = new QMenu(tr("Set format"), parent);
    for (const auto& format : core::allQuantFormats()) {
        if (!format.cpuQuantize) {
            continue;
        }
        const core::GgmlType type = format.type;
        QAction* action = menu->addAction(tr("%1 (%2 bpw)")
                                              .arg(toQString(format.info().name))
                                              .arg(format.info().bitsPerWeight(), 0, 'g', 5),
                                          this, [this, type] { setSelectedFormat(type); });
        for (const auto& fk : kFormatKeys) {
            if (fk.type == type) {
                action->setShortcut(QKeySequence(QString::fromLatin1(fk.key)));
            }
        }
    }
    return menu;
}

void PlanEditor::showContextMenu(const QPoint& pos) {
    if (m_grid->selectionModel()->selectedIndexes().isEmpty()) {
        return;
    }
    QMenu* menu = buildFormatMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->popup(m_grid->viewport()->mapToGlobal(pos));
}

} // namespace qs::ui
