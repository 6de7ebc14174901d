#include "ui/windows/model_summary.h"

#include "core/model/model.h"
#include "ui/windows/main_window.h"

#include <QFileInfo>
#include <QLocale>

namespace qs::ui {

QString modelSummaryHtml(const QString& path, const core::Model& model) {
    const QLocale locale;
    const auto hp = model.hparams();
    const QFileInfo info(path);
    QString html = QStringLiteral("<b>%1</b> <small>(%2)</small>")
                       .arg(info.fileName().toHtmlEscaped(),
                            QString::fromLatin1(core::modelFormatName(model.format())));
    auto row = [&html](const QString& label, const QString& value) {
        html += QStringLiteral("<br>%1: <b>%2</b>").arg(label, value);
    };
    // MainWindow's context keeps the existing translations of these labels.
    row(MainWindow::tr("Architecture"), QString::fromStdString(hp.architecture).toHtmlEscaped());
    row(MainWindow::tr("Parameters"),
        locale.toString(static_cast<qulonglong>(model.parameterCount())));
    row(MainWindow::tr("Layers"), QString::number(hp.blockCount));
    row(MainWindow::tr("Heads / KV heads"),
        QStringLiteral("%1 / %2").arg(hp.headCount).arg(hp.headCountKv));
    row(MainWindow::tr("Embedding / FFN"),
        QStringLiteral("%1 / %2").arg(hp.embeddingLength).arg(hp.feedForwardLength));
    row(MainWindow::tr("Context"), QString::number(hp.contextLength));
    row(MainWindow::tr("Vocabulary"), QString::number(hp.vocabSize));
    row(MainWindow::tr("File size"),
        locale.formattedDataSize(static_cast<qint64>(model.fileBytes())));
    row(MainWindow::tr("Bits per weight"), locale.toString(model.bitsPerWeight(), 'f', 3));
    return html;
}

} // namespace qs::ui
