// Plan files: what the GUI saves the CLI must read back unchanged, and a broken or hostile
// file is a Format error naming the file, never a half-read plan.
#include "core/plan/plan_json.h"

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>

using namespace qs::core;

class TestPlanJson : public QObject {
    Q_OBJECT

private slots:
    void roundTripKeepsOrderTypesAndInfo() {
        QuantPlan plan;
        plan.set("token_embd.weight", GgmlType::Q6_K);
        plan.set("blk.0.attn_q.weight", GgmlType::Q4_K);
        plan.set("blk.0.ffn_down.weight", GgmlType::Q5_0, /*fellBack=*/true);
        plan.set("output.weight", GgmlType::BF16);
        const PlanFileInfo info{"models/x.gguf", "preset Q4_K_M", 15};

        PlanFileInfo back;
        const auto parsed = planFromJson(planToJson(plan, info), "x.json", &back);
        QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().message.c_str());
        QCOMPARE(parsed->size(), plan.size());
        for (std::size_t i = 0; i < plan.size(); ++i) {
            QCOMPARE(parsed->tensors()[i].name, plan.tensors()[i].name);
            QVERIFY(parsed->tensors()[i].type == plan.tensors()[i].type);
            QCOMPARE(parsed->tensors()[i].fellBack, plan.tensors()[i].fellBack);
        }
        QCOMPARE(back.model, info.model);
        QCOMPARE(back.source, info.source);
        QCOMPARE(back.fileType, info.fileType);
    }

    void typeNamesAreCaseInsensitive() {
        const auto parsed = planFromJson(
            R"({"format":"quantscope-plan","version":1,"tensors":[{"name":"a","type":"q4_k"}]})",
            "p.json");
        QVERIFY(parsed.ok());
        QVERIFY(parsed->typeOf("a") == GgmlType::Q4_K);
    }

    void badFilesAreFormatErrorsNamingTheFile_data() {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not json") << "{\"format\": "
                                  << "not a JSON object";
        QTest::newRow("array") << "[1,2]"
                               << "not a JSON object";
        QTest::newRow("other format") << R"({"format":"gguf","version":1,"tensors":[]})"
                                      << "\"format\"";
        QTest::newRow("no tensors") << R"({"format":"quantscope-plan","version":1})"
                                    << "\"tensors\"";
        QTest::newRow("unknown type")
            << R"({"format":"quantscope-plan","version":1,"tensors":[{"name":"a","type":"Q9_K"}]})"
            << "unknown type \"Q9_K\"";
        QTest::newRow("integer type")
            << R"({"format":"quantscope-plan","version":1,"tensors":[{"name":"a","type":"I32"}]})"
            << "unknown type";
        QTest::newRow("duplicate")
            << R"({"format":"quantscope-plan","version":1,"tensors":[{"name":"a","type":"F16"},{"name":"a","type":"Q8_0"}]})"
            << "listed twice";
        QTest::newRow("nameless")
            << R"({"format":"quantscope-plan","version":1,"tensors":[{"type":"F16"}]})"
            << "no \"name\"";
    }
    void badFilesAreFormatErrorsNamingTheFile() {
        QFETCH(QString, json);
        QFETCH(QString, expected);
        const auto parsed = planFromJson(json.toStdString(), "bad-plan.json");
        QVERIFY(!parsed.ok());
        QVERIFY(parsed.error().code == ErrorCode::Format);
        const QString message = QString::fromStdString(parsed.error().message);
        QVERIFY2(message.startsWith("bad-plan.json: "), qPrintable(message));
        QVERIFY2(message.contains(expected), qPrintable(message));
    }

    void newerVersionIsUnsupported() {
        const auto parsed =
            planFromJson(R"({"format":"quantscope-plan","version":2,"tensors":[]})", "v2.json");
        QVERIFY(!parsed.ok());
        QVERIFY(parsed.error().code == ErrorCode::Unsupported);
    }

    void fileRoundTripLeavesNoTemporary() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("plan.json").toStdString();
        QuantPlan plan;
        plan.set("blk.0.attn_v.weight", GgmlType::Q6_K);
        QVERIFY(writePlanFile(path, plan, {}).ok());
        // Overwriting replaces the file whole.
        plan.set("blk.0.attn_v.weight", GgmlType::Q8_0);
        QVERIFY(writePlanFile(path, plan, {}).ok());
        const auto back = readPlanFile(path);
        QVERIFY(back.ok());
        QVERIFY(back->typeOf("blk.0.attn_v.weight") == GgmlType::Q8_0);
        int entries = 0;
        for ([[maybe_unused]] const auto& e :
             std::filesystem::directory_iterator(dir.path().toStdString())) {
            ++entries;
        }
        QCOMPARE(entries, 1);
    }

    void missingFileNamesThePath() {
        const auto back = readPlanFile("/nonexistent/dir/plan.json");
        QVERIFY(!back.ok());
        QVERIFY(back.error().code == ErrorCode::Io);
        QVERIFY(back.error().message.find("/nonexistent/dir/plan.json") != std::string::npos);
    }

    void unwritableDestinationIsAnError() {
        const auto status = writePlanFile("/nonexistent/dir/plan.json", QuantPlan{}, {});
        QVERIFY(!status.ok());
        QVERIFY(status.error().message.find("/nonexistent/dir/plan.json") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestPlanJson)
#include "tst_plan_json.moc"
