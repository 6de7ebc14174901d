#include "stall_limit.h"

#include "core/compute/compute_backend.h"
#include "core/io/imatrix.h"
#include "core/io/model_reader.h"
#include "core/model/model.h"
#include "core/workflows/calibrated_export.h"
#include "ui/compare/compare_view.h"
#include "ui/compare/comparison_table_model.h"
#include "ui/jobs/job_runner.h"
#include "ui/jobs/stall_monitor.h"
#include "ui/plan/plan_document.h"
#include "ui/plots/comparison_plot.h"
#include "ui/plots/speed_plot.h"
#include "ui/plots/variant_error_plot.h"
#include "ui/windows/main_window.h"

#include <QCheckBox>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <qcustomplot.h>

#include <atomic>
#include <cmath>

using namespace qs;

namespace {

// Stands in for a GPU: computes with the CPU backend but says it is not on the host CPU, and
// counts the calls, so the test sees whether the comparison routed its work through it.
class CountingGpuBackend final : public core::ComputeBackend {
public:
    std::string name() const override { return "Test GPU"; }
    bool runsOnHostCpu() const override { return m_onHostCpu; }
    bool supports(core::GgmlType type) const override { return m_cpu->supports(type); }
    core::Status dequantize(const core::WeightMatrix& w, core::RowRange rows, float* dst) override {
        ++calls;
        return m_cpu->dequantize(w, rows, dst);
    }
    core::Status dequantizeF16(const core::WeightMatrix& w, core::RowRange rows,
                               std::uint16_t* dst) override {
        ++calls;
        return m_cpu->dequantizeF16(w, rows, dst);
    }
    core::Status matvec(const core::WeightMatrix& w, const float* x, float* y) override {
        ++calls;
        return m_cpu->matvec(w, x, y);
    }
    core::Status dequantize(const core::PackedLinear& w, core::RowRange rows, float* dst) override {
        ++calls;
        return m_cpu->dequantize(w, rows, dst);
    }
    core::Status dequantizeF16(const core::PackedLinear& w, core::RowRange rows,
                               std::uint16_t* dst) override {
        ++calls;
        return m_cpu->dequantizeF16(w, rows, dst);
    }
    core::Status matvec(const core::PackedLinear& w, const float* x, float* y) override {
        ++calls;
        return m_cpu->matvec(w, x, y);
    }

    void setOnHostCpu(bool on) { m_onHostCpu = on; }
    std::atomic<int> calls{0};

private:
    std::unique_ptr<core::ComputeBackend> m_cpu = core::makeCpuBackend(2);
    bool m_onHostCpu = false;
};

} // namespace

// The comparison tab on the tiny stories260K model: two variants, a short context and two
// chunks keep it to seconds.
class TestCompare : public QObject {
    Q_OBJECT

    QTemporaryDir m_cache;

    void openStories(ui::MainWindow& w) {
        QSignalSpy opened(&w, &ui::MainWindow::modelOpened);
        w.openModel(QStringLiteral(QS_RESOURCES_DIR "/models/stories260K-f32.gguf"));
        QVERIFY(opened.wait(10000));
        ui::CompareView* view = w.compareView();
        view->setCacheDir(m_cache.path());
        view->setTextPath(QStringLiteral(QS_RESOURCES_DIR "/text/shakespeare-val-a.txt"));
        view->setContextLength(64);
        view->setMaxChunks(2);
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_cache.isValid());
    }

    void defaultsAreTheQ2ToQ8Ladder() {
        ui::CompareView view;
        QCOMPARE(view.checkedPresets(), ui::CompareView::defaultPresets());
        QCOMPARE(view.checkedPresets().size(), 6);
        QVERIFY(view.textPath().endsWith(QStringLiteral("shakespeare-val-a.txt")));
        QVERIFY(!view.startComparison()); // no model yet
    }

    // Presets llama-quantize refuses without an importance matrix are offered once one is loaded.
    void iquantPresetsWaitForAnImatrix() {
        ui::CompareView view;
        view.setCheckedPresets({QStringLiteral("IQ2_XXS"), QStringLiteral("Q4_K_M")});
        QCOMPARE(view.checkedPresets(), QStringList{QStringLiteral("Q4_K_M")});
        view.setImatrix(std::make_shared<core::ImportanceMatrix>(), QStringLiteral("i.gguf"));
        view.setCheckedPresets({QStringLiteral("IQ2_XXS"), QStringLiteral("Q4_K_M")});
        QCOMPARE(view.checkedPresets(),
                 (QStringList{QStringLiteral("IQ2_XXS"), QStringLiteral("Q4_K_M")}));
        view.setImatrix(nullptr, {});
        QCOMPARE(view.checkedPresets(), QStringList{QStringLiteral("Q4_K_M")});
    }

    // Issue 22: the reference's KLD against itself is float noise (-4.465e-07 here) and shows
    // as 0; every KLD is rounded to fixed decimals; no column clips its text, the header's
    // included, however wide the numbers that stream in later are.
    void tableRoundsKldAndFitsItsColumns() {
        ui::CompareView view;
        view.resize(1100, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        ui::ComparisonTableModel* table = view.table();
        const auto variant = [](const char* name, bool reference, double ppl, double error,
                                double delta, double kld) {
            core::VariantResult v;
            v.name = name;
            v.isReference = reference;
            v.fileBytes = reference ? 8420000 : 1620000;
            v.bitsPerWeight = reference ? 16.013 : 3.076;
            v.kld.ppl = ppl;
            v.kld.pplError = error;
            v.deltaPpl = delta;
            v.kld.kldMean = kld;
            v.kld.sameTop = 0.9;
            return v;
        };
        // Short numbers first, as a comparison streams them; wide ones arrive later.
        table->append(variant("Q8_0", false, 9.5, 0.5, +0.1, 0.0005454));
        QCoreApplication::processEvents();
        table->append(variant("F16", true, 1130.5226, 79.8061, 0, -4.465e-7));
        table->append(variant("Q2_K", false, 1038.9223, 57.1132, -91.6003, 0.2345));
        table->append(variant("Q6_K", false, 1117.0078, 77.9232, -13.5148, 0.003616));

        const QLocale locale;
        const auto kldText = [table](int row) {
            return table->data(table->index(row, ui::ComparisonTableModel::KldColumn)).toString();
        };
        QCOMPARE(kldText(1), locale.toString(0));
        QCOMPARE(table->data(table->index(1, ui::ComparisonTableModel::KldColumn), Qt::EditRole)
                     .toDouble(),
                 0.0);
        // The measured value stays readable (against llama.cpp's distribution it is not noise).
        QVERIFY(table->data(table->index(1, ui::ComparisonTableModel::KldColumn), Qt::ToolTipRole)
                    .toString()
                    .contains(locale.toString(-4.465e-7, 'g', 4)));
        QCOMPARE(kldText(0), locale.toString(0.0005454, 'f', 6));
        QCOMPARE(kldText(2), locale.toString(0.2345, 'f', 6));
        QCOMPARE(kldText(3), locale.toString(0.003616, 'f', 6));
        for (int row = 0; row < table->rowCount(); ++row) {
            QVERIFY2(!kldText(row).contains(QLatin1Char('e')), qPrintable(kldText(row)));
        }

        auto* grid = view.findChild<QTableView*>(QStringLiteral("compareTable"));
        QVERIFY(grid != nullptr);
        QHeaderView* header = grid->horizontalHeader();
        QTRY_VERIFY(header->sectionSize(ui::ComparisonTableModel::PplColumn) > 0);
        QCoreApplication::processEvents(); // sections resize on a delayed layout pass
        const QFontMetrics headerMetrics(header->font());
        for (int column = 0; column < table->columnCount(); ++column) {
            const int width = header->sectionSize(column);
            const QString title = table->headerData(column, Qt::Horizontal).toString();
            QVERIFY2(headerMetrics.horizontalAdvance(title) < width, qPrintable(title));
            for (int row = 0; row < table->rowCount(); ++row) {
                const QModelIndex index = table->index(row, column);
                const QString text = table->data(index).toString();
                const QVariant font = table->data(index, Qt::FontRole);
                const QFontMetrics metrics(font.isValid() ? font.value<QFont>() : grid->font());
                QVERIFY2(metrics.horizontalAdvance(text) < width,
                         qPrintable(QStringLiteral("%1 in %2 px").arg(text).arg(width)));
            }
        }
    }

    // Issue 20: "Also with calibrated rounding" adds <preset>+cal beside each checked preset,
    // of the same size; without a calibration text it does not start.
    void calibratedTwinsStreamBesideThePresets() {
        ui::MainWindow w;
        openStories(w);
        ui::CompareView* view = w.compareView();
        view->setCheckedPresets({QStringLiteral("Q8_0")});
        view->setMeasureSpeed(false);
        auto* check = view->findChild<QCheckBox*>(QStringLiteral("compareCalibratedCheck"));
        auto* text = view->findChild<QLineEdit*>(QStringLiteral("compareCalibrationEdit"));
        QVERIFY(check && text);
        check->setChecked(true);
        QVERIFY(!view->startComparison());
        QVERIFY(view->lastMessage().contains(QStringLiteral("calibration text")));
        text->setText(QStringLiteral(QS_TEST_DATA_DIR "/gptq/tinyshakespeare-20k.txt"));
        QSignalSpy finished(&w, &ui::MainWindow::comparisonFinished);
        QVERIFY(view->startComparison());
        QVERIFY(finished.wait(180000));
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(view->lastMessage()));
        const auto& variants = view->table()->variants();
        QCOMPARE(variants.size(), std::size_t(3));
        QCOMPARE(variants[1].name, std::string("Q8_0"));
        QCOMPARE(variants[2].name, std::string("Q8_0+cal"));
        QVERIFY2(variants[2].error.empty(), variants[2].error.c_str());
        QCOMPARE(variants[2].fileBytes, variants[1].fileBytes);
        QVERIFY(variants[2].kld.ppl > 1.0);
    }

    void twoVariantsStreamIntoTableAndPlots() {
        ui::MainWindow w;
        w.show();
        openStories(w);
        ui::CompareView* view = w.compareView();
        view->setCheckedPresets({QStringLiteral("Q4_K_M"), QStringLiteral("Q8_0")});
        QSignalSpy rows(view->job(), &ui::JobRunner::itemReady);
        QSignalSpy progress(view->job(), &ui::JobRunner::progressChanged);
        QSignalSpy finished(&w, &ui::MainWindow::comparisonFinished);
        ui::UiStallMonitor stalls;
        stalls.start();
        w.runComparison();
        QVERIFY(finished.wait(180000));
        stalls.stop();
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(view->lastMessage()));
        qInfo("during the comparison: %s", qPrintable(stalls.summary()));
        QVERIFY2(stalls.longestGapMs() < qs::test::kStallLimitMs, qPrintable(stalls.summary()));
        QCOMPARE(rows.count(), 3);
        QVERIFY(!progress.isEmpty());

        const auto& variants = view->table()->variants();
        QCOMPARE(view->table()->rowCount(), 3); // reference + 2
        QVERIFY(variants[0].isReference);
        QCOMPARE(variants[1].name, std::string("Q4_K_M"));
        QCOMPARE(variants[2].name, std::string("Q8_0"));
        for (const auto& v : variants) {
            QVERIFY2(v.error.empty(), v.error.c_str());
            QVERIFY(v.kld.ppl > 1.0);
            QVERIFY(v.fileBytes > 0);
            QVERIFY(v.speed.has_value());
        }
        // The reference agrees with itself; 8-bit is far closer than 4-bit.
        qInfo("mean KLD: reference %g, Q4_K_M %g, Q8_0 %g", variants[0].kld.kldMean,
              variants[1].kld.kldMean, variants[2].kld.kldMean);
        QVERIFY(variants[0].kld.kldMean < variants[2].kld.kldMean);
        QVERIFY(variants[2].kld.kldMean < variants[1].kld.kldMean);
        QVERIFY(variants[1].fileBytes < variants[2].fileBytes);
        QVERIFY(variants[2].fileBytes < variants[0].fileBytes);

        QCOMPARE(view->kldPlot()->variants().size(), std::size_t(3));
        QCOMPARE(view->kldPlot()->variants()[0].kld, 0.0); // the reference, as in the table
        QCOMPARE(view->pplPlot()->variants().size(), std::size_t(3));
        QCOMPARE(view->pplPlot()->metric(), ui::ComparisonMetric::Ppl);
        QVERIFY(!view->kldPlot()->paretoFront().empty());
        QVERIFY(view->speedPlot()->hasReference());
        QCOMPARE(view->speedPlot()->variantCount(), std::size_t(2));
        QCOMPARE(view->speedPlot()->ratioLabels().size(), 4); // pp and tg of each variant

        // Display: PPL with its error, the reference named as such.
        const QModelIndex ppl = view->table()->index(1, ui::ComparisonTableModel::PplColumn);
        QVERIFY(view->table()->data(ppl).toString().contains(QStringLiteral("±")));
        QVERIFY(view->table()
                    ->data(view->table()->index(0, ui::ComparisonTableModel::NameColumn))
                    .toString()
                    .contains(QStringLiteral("reference")));

        // CSV export: a header and one line per row.
        QTemporaryDir dir;
        const QString csvPath = dir.filePath(QStringLiteral("compare.csv"));
        QVERIFY(view->table()->exportCsv(csvPath));
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 4);
        QVERIFY(lines[0].startsWith(QStringLiteral("variant,reference,file_bytes")));
        QVERIFY(lines[2].startsWith(QStringLiteral("Q4_K_M,0,")));
        QVERIFY(w.showTab(QStringLiteral("compare")));
        QVERIFY(w.showTab(QStringLiteral("compare-speed")));
        QVERIFY(view->speedPlot()->isVisibleTo(&w));
        QVERIFY(!w.showTab(QStringLiteral("compare-nothing")));

        // Issue 7: per-layer error curves of the two quantized variants (not the reference),
        // one point per layer, Q8_0 below Q4_K_M everywhere.
        const int layers = static_cast<int>(w.model()->hparams().blockCount);
        QVERIFY(layers > 1);
        QVERIFY(variants[0].tensorErrors.empty());
        ui::VariantErrorPlot* errors = view->errorPlot();
        QCOMPARE(errors->variantNames(),
                 QStringList({QStringLiteral("Q4_K_M"), QStringLiteral("Q8_0")}));
        QCustomPlot* plot = errors->customPlot();
        QCOMPARE(plot->graphCount(), 2);
        QCOMPARE(plot->graph(0)->name(), QStringLiteral("Q4_K_M"));
        QCOMPARE(plot->graph(1)->name(), QStringLiteral("Q8_0"));
        QCOMPARE(plot->yAxis->scaleType(), QCPAxis::stLogarithmic);
        const auto q4 = plot->graph(0)->data();
        const auto q8 = plot->graph(1)->data();
        QCOMPARE(q4->size(), layers);
        QCOMPARE(q8->size(), layers);
        for (int layer = 0; layer < layers; ++layer) {
            QCOMPARE(q4->at(layer)->key, double(layer));
            QCOMPARE(q8->at(layer)->key, double(layer));
            const double a = q4->at(layer)->value;
            const double b = q8->at(layer)->value;
            qInfo("layer %d mean relative RMSE: Q4_K_M %g, Q8_0 %g", layer, a, b);
            QVERIFY(std::isfinite(b) && b > 0);
            QVERIFY2(b < a, qPrintable(QStringLiteral("layer %1").arg(layer)));
        }
        QVERIFY(w.showTab(QStringLiteral("compare-errors")));
        QVERIFY(errors->isVisibleTo(&w));
        // A variant streamed again replaces its curve; the reference adds none.
        errors->addVariant(variants[2]);
        errors->addVariant(variants[0]);
        QCOMPARE(plot->graphCount(), 2);
        QVERIFY(errors->csvText().contains(QStringLiteral("Q8_0,")));
    }

    // The user's edited plan is compared after the presets, under its own name.
    void currentPlanIsAVariant() {
        ui::MainWindow w;
        openStories(w);
        ui::CompareView* view = w.compareView();
        QVERIFY(view->includePlan());
        view->setCheckedPresets({QStringLiteral("Q8_0")});
        view->setMeasureSpeed(false);
        // An unedited plan repeats the reference and is left out.
        QSignalSpy finished(&w, &ui::MainWindow::comparisonFinished);
        w.runComparison();
        QVERIFY(finished.wait(180000));
        QCOMPARE(view->table()->rowCount(), 2);

        const auto* t = w.model()->findTensor("blk.0.attn_q.weight");
        const auto index = static_cast<std::size_t>(t - w.model()->tensors().data());
        QCOMPARE(w.planDocument()->setTypes({index}, core::GgmlType::Q4_0), 1);
        w.runComparison();
        QVERIFY(finished.wait(180000));
        QVERIFY(finished.last().at(0).toBool());
        const auto& rows = view->table()->variants();
        QCOMPARE(rows.size(), std::size_t(3));
        QCOMPARE(QString::fromStdString(rows[2].name), ui::CompareView::planVariantName());
        QVERIFY2(rows[2].error.empty(), rows[2].error.c_str());
        // One tensor of an F32 model at 4.5 bits: smaller than the input, larger than Q8_0.
        QVERIFY(rows[2].fileBytes < rows[0].fileBytes);
        QVERIFY(rows[2].fileBytes > rows[1].fileBytes);
        QCOMPARE(view->kldPlot()->variants().size(), std::size_t(3));
    }

    // The device chosen in the settings evaluates the variants when it is a GPU; a device on
    // the host CPU (lavapipe) leaves the forward pass to the fused CPU kernels.
    void evaluationRunsOnTheChosenGpu() {
        ui::MainWindow w;
        openStories(w);
        ui::CompareView* view = w.compareView();
        view->setCheckedPresets({QStringLiteral("Q8_0")});
        view->setIncludePlan(false);
        view->setMeasureSpeed(false);
        auto gpu = std::make_shared<CountingGpuBackend>();
        w.setComputeBackend(gpu, QStringLiteral("test"));
        QCOMPARE(view->evaluationDevice(), QStringLiteral("Test GPU"));
        QSignalSpy finished(&w, &ui::MainWindow::comparisonFinished);
        w.runComparison();
        QVERIFY(finished.wait(180000));
        QVERIFY2(finished.last().at(0).toBool(), qPrintable(view->lastMessage()));
        QVERIFY(gpu->calls.load() > 0);
        QVERIFY2(view->lastMessage().contains(QStringLiteral("Test GPU")),
                 qPrintable(view->lastMessage()));
        const auto onGpu = view->table()->variants();

        gpu->setOnHostCpu(true);
        gpu->calls = 0;
        QCOMPARE(view->evaluationDevice(), QStringLiteral("CPU (fused kernels)"));
        w.runComparison();
        QVERIFY(finished.wait(180000));
        QVERIFY(finished.last().at(0).toBool());
        QCOMPARE(gpu->calls.load(), 0);
        // Both routes compute the same model; the fused CPU kernels round the activations to
        // 8 bits as llama.cpp does, a backend takes them in f32, so PPL differs slightly.
        const auto onCpu = view->table()->variants();
        QCOMPARE(onCpu.size(), onGpu.size());
        for (std::size_t i = 0; i < onCpu.size(); ++i) {
            qInfo("%s: PPL %.5f fused CPU, %.5f backend", onCpu[i].name.c_str(), onCpu[i].kld.ppl,
                  onGpu[i].kld.ppl);
            QVERIFY(std::abs(onCpu[i].kld.ppl / onGpu[i].kld.ppl - 1) < 1e-2);
        }
    }

    void cancelMidwayStopsAfterTheStreamedRows() {
        ui::MainWindow w;
        openStories(w);
        ui::CompareView* view = w.compareView();
        view->setCheckedPresets(
            {QStringLiteral("Q2_K"), QStringLiteral("Q4_K_M"), QStringLiteral("Q8_0")});
        view->setMeasureSpeed(false);
        // Cancel as soon as the reference row arrives.
        connect(view->job(), &ui::JobRunner::itemReady, view, &ui::CompareView::cancelComparison);
        QSignalSpy finished(&w, &ui::MainWindow::comparisonFinished);
        w.runComparison();
        QVERIFY(finished.wait(180000));
        QCOMPARE(finished.first().at(0).toBool(), false);
        QVERIFY2(view->lastMessage().contains(QStringLiteral("cancel")),
                 qPrintable(view->lastMessage()));
        QVERIFY(view->table()->rowCount() >= 1);
        QVERIFY(view->table()->rowCount() < 4);
        QVERIFY(!view->job()->isRunning());
        // The temporary folder of the variants goes too.
        QVERIFY(!QFileInfo::exists(QDir::tempPath() + QStringLiteral("/quantscope-compare-") +
                                   QString::number(QCoreApplication::applicationPid())));
    }

    void checkpointFolderIsAVariant() {
        // A GPTQ checkpoint of stories260K (8 bits, one group per row: its ffn_down has 172
        // inputs), written by the same core call as the export dialog's.
        QTemporaryDir dir;
        const QString ckpt = dir.filePath(QStringLiteral("stories-gptq"));
        {
            auto model = core::openModel(QS_RESOURCES_DIR "/models/stories260K-f32.gguf");
            QVERIFY(model.ok());
            core::CalibratedExportOptions options;
            options.gptq.bits = 8;
            options.gptq.groupSize = -1;
            options.calibration.nsamples = 2;
            options.calibration.seqlen = 32;
            options.calibrationText = QS_RESOURCES_DIR "/text/shakespeare-val-a.txt";
            QVERIFY(core::normalizeCalibratedOptions(options).ok());
            core::CancelToken cancel;
            core::NullProgressSink quiet;
            auto written = core::exportCalibratedCheckpoint(*model, ckpt.toStdString(), options,
                                                            cancel, quiet);
            QVERIFY2(written.ok(), written.ok() ? "" : written.error().message.c_str());
        }
        ui::MainWindow w;
        openStories(w);
        ui::CompareView* view = w.compareView();
        view->setCheckedPresets({QStringLiteral("Q8_0")});
        view->setIncludePlan(false);
        view->setMeasureSpeed(false);
        QVERIFY(view->addFileVariant(dir.filePath(QStringLiteral("missing"))).isEmpty());
        QCOMPARE(view->addFileVariant(ckpt), QStringLiteral("stories-gptq"));
        QCOMPARE(view->addFileVariant(ckpt), QStringLiteral("stories-gptq (2)"));
        QCOMPARE(view->checkedFileVariants().size(), std::size_t(2));
        QCOMPARE(view->checkedPresets(), QStringList{QStringLiteral("Q8_0")}); // files apart
        QSignalSpy finished(view, &ui::CompareView::comparisonFinished);
        QVERIFY(view->startComparison());
        QVERIFY(finished.wait(180000));
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(view->lastMessage()));
        const auto& rows = view->table()->variants();
        QCOMPARE(rows.size(), std::size_t(4)); // input, Q8_0, the checkpoint twice
        const core::VariantResult& g = rows[2];
        QCOMPARE(g.name, std::string("stories-gptq"));
        QVERIFY2(g.error.empty(), g.error.c_str());
        QVERIFY(std::isfinite(g.kld.ppl) && g.kld.ppl > 1.0);
        QVERIFY(std::isfinite(g.kld.kldMean) && g.kld.kldMean >= 0.0 && g.kld.kldMean < 0.1);
        QVERIFY(g.bitsPerWeight > 8.0 && g.bitsPerWeight < 16.0);
        QCOMPARE(QString::fromStdString(g.path), ckpt);
        QVERIFY(QFileInfo::exists(ckpt + QStringLiteral("/model.safetensors"))); // never removed
    }
};

QTEST_MAIN(TestCompare)
#include "tst_compare.moc"
