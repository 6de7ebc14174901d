// `quantscope-cli plan` (sensitivity, cache, optimizer, plan file) and `quantize --plan`, on
// shakespeare-3M with its llama-imatrix importance matrix (both in tests/data).
#include "cli_runner.h"

#include "core/io/model_reader.h"
#include "core/model/model.h"
#include "core/plan/plan_json.h"

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString kModel = QStringLiteral(QS_TEST_DATA_DIR "/models/shakespeare-3M-f32.gguf");
const QString kImatrix =
    QStringLiteral(QS_TEST_DATA_DIR "/golden/imatrix/shakespeare-3M-imatrix.gguf");

// "predicted: 2089824 bytes of file, 4.9026 bpw, error 0.0496" -> {bytes, bpw}.
std::pair<qint64, double> predicted(const QString& out) {
    const auto m =
        QRegularExpression(QStringLiteral(R"(predicted: (\d+) bytes of file, ([\d.]+) bpw)"))
            .match(out);
    return m.hasMatch() ? std::pair{m.captured(1).toLongLong(), m.captured(2).toDouble()}
                        : std::pair{qint64(-1), -1.0};
}

} // namespace

class TestCliPlan : public QObject {
    Q_OBJECT

private slots:
    void planQuantizeAndCache() {
        QTemporaryDir dir;
        const QString cache = dir.filePath("cache");
        const QString planFile = dir.filePath("plan.json");
        const CliRun r = runCli({"plan", kModel, "--match-preset", "Q4_K_M", "--imatrix", kImatrix,
                                 "--cache-dir", cache, "--threads", "2", "-o", planFile});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        // The allocation table: one line per layer, a column per role.
        QVERIFY(r.out.contains(QRegularExpression(QStringLiteral(R"(layer attn_q\s+attn_k)"))));
        QVERIFY(r.out.contains(QRegularExpression(QStringLiteral(R"(\n\s+3 [QIF])"))));
        QVERIFY(r.out.contains("outside layers:  token_embd"));
        // 28 layer matrices x 12 formats (8 + IQ2_XXS, IQ2_S, IQ3_XXS, IQ3_S with the imatrix),
        // token_embd and output x 9 (no importance weights: of the i-quants only IQ3_S).
        QVERIFY(r.out.contains("30 tensors, 354 points (0 cached, 354 measured)"));
        // Sizes are whole files; this one's metadata names the imatrix by the path given, whose
        // length depends on the checkout, so the preset's size is read from the output.
        const auto presetMatch =
            QRegularExpression(QStringLiteral(R"(preset Q4_K_M: (\d+) bytes of file)"))
                .match(r.out);
        QVERIFY(presetMatch.hasMatch());
        const qint64 presetBytes = presetMatch.captured(1).toLongLong();
        QVERIFY(r.out.contains(QStringLiteral("target: %1 bytes of file").arg(presetBytes)));
        const auto [bytes, bpw] = predicted(r.out);
        QVERIFY(bytes > 0 && bytes <= presetBytes); // Q4_K_M's file, or smaller
        QVERIFY(bpw > 4.0 && bpw < 5.0);

        qs::core::PlanFileInfo info;
        auto plan = qs::core::readPlanFile(planFile.toStdString(), &info);
        QVERIFY(plan.ok());
        QCOMPARE(plan->size(), std::size_t(30));
        QVERIFY(info.source.find("optimizer --match-preset Q4_K_M") != std::string::npos);
        QVERIFY(info.fileType != 0);

        // Second run: every point from the cache, same answer.
        const CliRun again = runCli({"plan", kModel, "--match-preset", "Q4_K_M", "--imatrix",
                                     kImatrix, "--cache-dir", cache});
        QCOMPARE(again.exitCode, 0);
        QVERIFY(again.out.contains("(354 cached, 0 measured)"));
        QCOMPARE(predicted(again.out).first, bytes);

        // quantize --plan writes exactly the planned types, no bigger than the preset.
        const QString optOut = dir.filePath("opt.gguf");
        const CliRun q =
            runCli({"quantize", kModel, optOut, "--plan", planFile, "--imatrix", kImatrix});
        QVERIFY2(q.exitCode == 0, qPrintable(q.err));
        const QString preOut = dir.filePath("pre.gguf");
        QCOMPARE(runCli({"quantize", kModel, preOut, "Q4_K_M", "--imatrix", kImatrix}).exitCode, 0);
        QCOMPARE(QFileInfo(preOut).size(), presetBytes); // the preset's size, exactly
        QCOMPARE(QFileInfo(optOut).size(), bytes);       // the prediction, exactly
        QVERIFY(QFileInfo(optOut).size() <= QFileInfo(preOut).size());
        auto written = qs::core::openModel(optOut.toStdString());
        QVERIFY(written.ok());
        for (const auto& t : plan->tensors()) {
            QCOMPARE(written->findTensor(t.name)->type, t.type);
        }
    }

    void targetsAndErrors() {
        QTemporaryDir dir;
        const QString cache = dir.filePath("cache");
        const QStringList base = {"plan", kModel,      "--cache-dir",
                                  cache,  "--formats", "Q3_K,Q4_K,Q6_K,Q8_0"};
        const CliRun bpw = runCli(base + QStringList{"--target-bpw", "4.5"});
        QVERIFY2(bpw.exitCode == 0, qPrintable(bpw.err));
        QVERIFY(bpw.out.contains("(0 cached, 120 measured)"));
        QVERIFY(predicted(bpw.out).second <= 4.5);
        QVERIFY(predicted(bpw.out).second > 4.0);
        // A size target is the whole file: quantize --plan writes at most that many bytes.
        const QString sizePlan = dir.filePath("size.json");
        const CliRun size = runCli(base + QStringList{"--target-size", "1.9M", "-o", sizePlan});
        QCOMPARE(size.exitCode, 0);
        QVERIFY(predicted(size.out).first <= 1900000);
        QVERIFY(predicted(size.out).first > 1890000); // the budget is used, not wasted
        QVERIFY(size.out.contains("(120 cached, 0 measured)"));
        const QString sized = dir.filePath("sized.gguf");
        const CliRun q = runCli({"quantize", kModel, sized, "--plan", sizePlan, "--no-error"});
        QVERIFY2(q.exitCode == 0, qPrintable(q.err));
        QCOMPARE(QFileInfo(sized).size(), predicted(size.out).first);
        QVERIFY(QFileInfo(sized).size() <= 1900000);
        // The error target: the smallest plan meeting a loose target is the all-Q3_K plan.
        const CliRun loose = runCli(base + QStringList{"--max-error", "1000"});
        QCOMPARE(loose.exitCode, 0);
        QVERIFY(loose.out.contains("Q3_K 100.0%"));
        const CliRun impossible = runCli(base + QStringList{"--max-error", "1e-12"});
        QCOMPARE(impossible.exitCode, 1);
        QVERIFY(impossible.err.contains("cannot be met"));
        const CliRun tooSmall = runCli(base + QStringList{"--target-size", "1000"});
        QCOMPARE(tooSmall.exitCode, 1);
        // Usage errors.
        QCOMPARE(runCli({"plan", kModel}).exitCode, 2);
        QCOMPARE(runCli({"plan", kModel, "--target-bpw", "4", "--max-error", "1"}).exitCode, 2);
        QCOMPARE(runCli({"plan", kModel, "--target-bpw", "4", "--formats", "Q9"}).exitCode, 2);
        QCOMPARE(runCli({"plan", kModel, "--target-size", "lots"}).exitCode, 2);
        QCOMPARE(runCli({"plan", kModel, "--match-preset", "Q4_K_X"}).exitCode, 2);
        // A plan for another model is refused by quantize.
        qs::core::QuantPlan foreign;
        foreign.set("blk.99.attn_q.weight", qs::core::GgmlType::Q4_K);
        const QString foreignFile = dir.filePath("foreign.json");
        QVERIFY(qs::core::writePlanFile(foreignFile.toStdString(), foreign, {}).ok());
        const CliRun refused =
            runCli({"quantize", kModel, dir.filePath("x.gguf"), "--plan", foreignFile});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY(refused.err.contains("blk.99.attn_q.weight"));
        QVERIFY(!QFileInfo::exists(dir.filePath("x.gguf")));
        QCOMPARE(
            runCli({"quantize", kModel, dir.filePath("x.gguf"), "--plan", foreignFile, "--pure"})
                .exitCode,
            2);
    }
};

QTEST_APPLESS_MAIN(TestCliPlan)
#include "tst_cli_plan.moc"
