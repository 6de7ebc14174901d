#include "ui/compare/comparison_table_model.h"

#include <QFile>
#include <QFont>
#include <QLocale>
#include <QSaveFile>

#include <algorithm>

namespace qs::ui {
namespace {

// Enough for a Q8_0 variant of a large model (KLD around 1e-4) to keep two significant digits.
constexpr int kKldDecimals = 6;

QString csvField(QString text) {
    if (text.contains(QLatin1Char(',')) || text.contains(QLatin1Char('"'))) {
        text.replace(QLatin1String("\""), QLatin1String("\"\""));
        return QLatin1Char('"') + text + QLatin1Char('"');
    }
    return text;
}

} // namespace

ComparisonTableModel::ComparisonTableModel(QObject* parent)
    : QAbstractTableModel(parent) {}

void ComparisonTableModel::clear() {
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

void ComparisonTableModel::append(const core::VariantResult& variant) {
    auto same = std::find_if(m_rows.begin(), m_rows.end(),
                             [&](const core::VariantResult& r) { return r.name == variant.name; });
    if (same != m_rows.end()) {
        *same = variant;
        const int row = static_cast<int>(same - m_rows.begin());
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return;
    }
    const int row = static_cast<int>(m_rows.size());
    beginInsertRows({}, row, row);
    m_rows.push_back(variant);
    endInsertRows();
}

int ComparisonTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ComparisonTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ComparisonTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) {
        return {};
    }
    const auto& r = m_rows[static_cast<std::size_t>(index.row())];
    if (role == Qt::TextAlignmentRole && index.column() != NameColumn) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role == Qt::ToolTipRole) {
        if (!r.error.empty()) {
            return QString::fromStdString(r.error);
        }
        if (r.isReference && index.column() == KldColumn) {
            // The cell shows 0; against a llama.cpp distribution the measured value says how
            // closely the two forward passes agree, so it stays readable here (and in the CSV).
            return tr("Measured %1; shown as 0, the reference's own value")
                .arg(QLocale().toString(r.kld.kldMean, 'g', 4));
        }
        if (r.isReference) {
            return tr("The input model: the reference for KLD, top-1 and speed ratios");
        }
        return {};
    }
    if (role == Qt::FontRole && r.isReference && index.column() == NameColumn) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    const bool display = role == Qt::DisplayRole;
    if (!display && role != Qt::EditRole) {
        return {};
    }
    const bool failed = !r.error.empty();
    if (failed && index.column() != NameColumn && index.column() != SizeColumn) {
        return display && index.column() == PplColumn ? tr("failed") : QVariant();
    }
    const QLocale locale;
    const bool hasSpeed = r.speed.has_value();
    switch (index.column()) {
    case NameColumn:
        return r.isReference ? tr("%1 (reference)").arg(QString::fromStdString(r.name))
                             : QString::fromStdString(r.name);
    case SizeColumn:
        if (!display) {
            return static_cast<qulonglong>(r.fileBytes);
        }
        return r.fileBytes ? locale.formattedDataSize(static_cast<qint64>(r.fileBytes)) : QString();
    case BpwColumn:
        return display ? locale.toString(r.bitsPerWeight, 'f', 3) : QVariant(r.bitsPerWeight);
    case PplColumn:
        return display ? QStringLiteral("%1 ± %2").arg(locale.toString(r.kld.ppl, 'f', 4),
                                                       locale.toString(r.kld.pplError, 'f', 4))
                       : QVariant(r.kld.ppl);
    case DeltaPplColumn:
        if (r.isReference) {
            return display ? QVariant(QString()) : QVariant(0.0);
        }
        return display ? (r.deltaPpl >= 0 ? QStringLiteral("+") : QString()) +
                             locale.toString(r.deltaPpl, 'f', 4)
                       : QVariant(r.deltaPpl);
    case KldColumn: {
        // The reference against itself is 0 by definition; what it measures (±1e-7) is float
        // rounding in the log-softmax. KL divergence is never negative, so a rounding
        // residue below 0 is 0 too. Fixed decimals, as llama.cpp prints it, so the column
        // lines up and a reader compares digits rather than exponents.
        const double kld = r.isReference ? 0.0 : std::max(0.0, r.kld.kldMean);
        if (!display) {
            return kld;
        }
        return r.isReference ? locale.toString(0) : locale.toString(kld, 'f', kKldDecimals);
    }
    case Top1Column:
        return display ? locale.toString(100.0 * r.kld.sameTop, 'f', 2)
                       : QVariant(100.0 * r.kld.sameTop);
    case PpColumn: {
        const double v = hasSpeed ? r.speed->promptProcessing.tokensPerSecond : 0.0;
        return display ? (hasSpeed ? locale.toString(v, 'f', 1) : QString()) : QVariant(v);
    }
    case TgColumn: {
        const double v = hasSpeed ? r.speed->generation.tokensPerSecond : 0.0;
        return display ? (hasSpeed ? locale.toString(v, 'f', 1) : QString()) : QVariant(v);
    }
    case PpRatioColumn:
        return display ? (hasSpeed ? QStringLiteral("×%1").arg(locale.toString(r.ppRatio, 'f', 2))
                                   : QString())
                       : QVariant(r.ppRatio);
    case TgRatioColumn:
        return display ? (hasSpeed ? QStringLiteral("×%1").arg(locale.toString(r.tgRatio, 'f', 2))
                                   : QString())
                       : QVariant(r.tgRatio);
    default:
        return {};
    }
}

QVariant ComparisonTableModel::headerData(int section, Qt::Orientation orientation,
                                          int role) const {
    if (orientation != Qt::Horizontal) {
        return {};
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case BpwColumn:
            return tr("Bits per weight over all tensors");
        case PplColumn:
            return tr("Perplexity on the text, with its standard error");
        case DeltaPplColumn:
            return tr("Perplexity minus the reference's");
        case KldColumn:
            return tr("Mean KL divergence of the token distribution against the reference");
        case Top1Column:
            return tr("How often the most likely token matches the reference's");
        case PpColumn:
            return tr("Prompt processing throughput");
        case TgColumn:
            return tr("Text generation throughput");
        case PpRatioColumn:
        case TgRatioColumn:
            return tr("Throughput relative to the reference");
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case NameColumn:
        return tr("Variant");
    case SizeColumn:
        return tr("Size");
    case BpwColumn:
        return tr("BPW");
    case PplColumn:
        return tr("PPL ± err");
    case DeltaPplColumn:
        return tr("ΔPPL");
    case KldColumn:
        return tr("Mean KLD");
    case Top1Column:
        return tr("Top-1 %");
    case PpColumn:
        return tr("pp tok/s");
    case TgColumn:
        return tr("tg tok/s");
    case PpRatioColumn:
        return tr("pp ratio");
    case TgRatioColumn:
        return tr("tg ratio");
    default:
        return {};
    }
}

QString ComparisonTableModel::csvText() const {
    // Machine-readable: fixed English column names and C-locale numbers.
    QString csv = QStringLiteral("variant,reference,file_bytes,bpw,ppl,ppl_error,delta_ppl,"
                                 "kld_mean,kld_mean_error,top1,pp_tok_s,tg_tok_s,pp_ratio,"
                                 "tg_ratio,error\n");
    auto num = [](double v) {
        return QString::number(v, 'g', 10);
    };
    for (const auto& r : m_rows) {
        const bool speed = r.speed.has_value();
        const QStringList fields = {csvField(QString::fromStdString(r.name)),
                                    r.isReference ? QStringLiteral("1") : QStringLiteral("0"),
                                    QString::number(r.fileBytes),
                                    num(r.bitsPerWeight),
                                    num(r.kld.ppl),
                                    num(r.kld.pplError),
                                    num(r.deltaPpl),
                                    num(r.kld.kldMean),
                                    num(r.kld.kldMeanError),
                                    num(r.kld.sameTop),
                                    speed ? num(r.speed->promptProcessing.tokensPerSecond)
                                          : QString(),
                                    speed ? num(r.speed->generation.tokensPerSecond) : QString(),
                                    speed ? num(r.ppRatio) : QString(),
                                    speed ? num(r.tgRatio) : QString(),
                                    csvField(QString::fromStdString(r.error))};
        csv += fields.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return csv;
}

bool ComparisonTableModel::exportCsv(const QString& path, QString* error) const {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text) || file.write(csvText().toUtf8()) < 0 ||
        !file.commit()) {
        if (error) {
            *error = file.errorString();
        }
        return false;
    }
    return true;
}

} // namespace qs::ui
