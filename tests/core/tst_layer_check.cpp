// The layer order inside core and the places that start threads (issue 17), checked over the
// source tree, and the rules themselves checked on offending text so that the check can fail.
#include "layer_rules.h"

#include <QTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace qs::test;
namespace fs = std::filesystem;

namespace {

bool isSource(const fs::path& p) {
    const std::string ext = p.extension().string();
    return ext == ".h" || ext == ".hpp" || ext == ".cpp" || ext == ".cc" || ext == ".inc";
}

struct SourceFile {
    std::string path; // relative to the repository root
    std::string text;
};

// Every C++ source under the given top-level folders, sorted so that messages are stable.
std::vector<SourceFile> sourcesUnder(const std::vector<std::string>& folders) {
    const fs::path root(QS_SOURCE_DIR);
    std::vector<SourceFile> files;
    for (const std::string& folder : folders) {
        if (!fs::is_directory(root / folder)) {
            continue; // ui/ is absent from a checkout without the GUI
        }
        for (const auto& entry : fs::recursive_directory_iterator(root / folder)) {
            if (!entry.is_regular_file() || !isSource(entry.path())) {
                continue;
            }
            std::ifstream in(entry.path(), std::ios::binary);
            std::ostringstream text;
            text << in.rdbuf();
            files.push_back({fs::relative(entry.path(), root).generic_string(), text.str()});
        }
    }
    std::sort(files.begin(), files.end(),
              [](const SourceFile& a, const SourceFile& b) { return a.path < b.path; });
    return files;
}

QByteArray report(const std::vector<Violation>& violations) {
    std::string text = std::to_string(violations.size()) + " violation(s):";
    for (const Violation& v : violations) {
        text += "\n  " + v.toString();
    }
    return QByteArray::fromStdString(text);
}

} // namespace

class TestLayerCheck : public QObject {
    Q_OBJECT

private slots:
    void coreIncludesPointDown() {
        const std::vector<SourceFile> files = sourcesUnder({"core"});
        QVERIFY(files.size() > 100); // the walk found the tree
        std::vector<Violation> all;
        for (const SourceFile& f : files) {
            for (Violation& v : checkCoreIncludes(f.path, f.text)) {
                all.push_back(std::move(v));
            }
        }
        QVERIFY2(all.empty(), report(all).constData());
    }

    void threadsStartOnlyInJobs() {
        std::vector<Violation> all;
        for (const SourceFile& f : sourcesUnder({"core", "app", "ui", "vkcompute"})) {
            for (Violation& v : checkThreads(f.path, f.text)) {
                all.push_back(std::move(v));
            }
        }
        QVERIFY2(all.empty(), report(all).constData());
    }

    // The rules on offending text: each must be reported with its file, line and edge.
    void includeUpTheOrderIsReported() {
        const auto v =
            checkCoreIncludes("core/quant/x.cpp", "#include \"core/quant/half.h\"\n"
                                                  "#include \"core/eval/llama_context.h\"\n");
        QCOMPARE(v.size(), std::size_t(1));
        QCOMPARE(v[0].file, std::string("core/quant/x.cpp"));
        QCOMPARE(v[0].line, 2);
        QVERIFY2(v[0].what.find("quant -> eval") != std::string::npos, v[0].what.c_str());
    }

    void includeDownOrSameFolderIsAllowed() {
        QVERIFY(checkCoreIncludes("core/workflows/x.cpp",
                                  "#include \"core/export/quantize_model.h\"\n"
                                  "#include \"core/fs/mapped_file.h\"\n"
                                  "#include \"core/error.h\"\n"
                                  "#include \"local.h\"\n"
                                  "#include <vector>\n")
                    .empty());
        QVERIFY(checkCoreIncludes("core/io/x.h", "#include \"core/model/model.h\"\n").empty());
        QVERIFY(checkCoreIncludes("core/eval/x.h", "#include \"core/eval/y.h\"\n").empty());
    }

    void everyPairFollowsTheOrder() {
        const auto& layers = coreLayers();
        for (std::size_t from = 0; from < layers.size(); ++from) {
            for (std::size_t to = 0; to < layers.size(); ++to) {
                const std::string path = "core/" + layers[from] + "/x.cpp";
                const std::string text = "#include \"core/" + layers[to] + "/y.h\"\n";
                QCOMPARE(checkCoreIncludes(path, text).size(), std::size_t(to > from ? 1 : 0));
            }
        }
    }

    void topLevelFilesIncludeNoLayer() {
        QCOMPARE(checkCoreIncludes("core/error.h", "#include \"core/fs/mapped_file.h\"\n").size(),
                 std::size_t(1));
        QVERIFY(checkCoreIncludes("core/error.cpp", "#include \"core/error.h\"\n").empty());
    }

    void otherModulesQtAndVulkanAreReported() {
        const auto v = checkCoreIncludes("core/eval/x.cpp", "#include \"ui/jobs/job_runner.h\"\n"
                                                            "#include \"vkcompute/vk_context.h\"\n"
                                                            "#include <QString>\n"
                                                            "#include <vulkan/vulkan.h>\n"
                                                            "#include \"../io/x.h\"\n");
        QCOMPARE(v.size(), std::size_t(5));
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(v[static_cast<std::size_t>(i)].line, i + 1);
        }
    }

    void unknownFolderIsReported() {
        QCOMPARE(checkCoreIncludes("core/misc/x.cpp", "").size(), std::size_t(1));
        QCOMPARE(checkCoreIncludes("core/eval/x.cpp", "#include \"core/misc/y.h\"\n").size(),
                 std::size_t(1));
    }

    void commentedIncludeIsIgnored() {
        QVERIFY(checkCoreIncludes("core/quant/x.cpp", "/*\n#include \"core/eval/y.h\"\n*/\n"
                                                      "// #include \"core/eval/y.h\"\n")
                    .empty());
    }

    void threadOutsideJobsIsReported() {
        const auto v = checkThreads("core/plan/x.cpp", "int a = 1;\n"
                                                       "std::vector<std::jthread> pool;\n"
                                                       "auto f = std::async([] {});\n");
        QCOMPARE(v.size(), std::size_t(2));
        QCOMPARE(v[0].line, 2);
        QVERIFY2(v[0].what.find("std::jthread") != std::string::npos, v[0].what.c_str());
        QCOMPARE(v[1].line, 3);
        QCOMPARE(checkThreads("app/cli/x.cpp", "unsigned n = std::thread::hardware_concurrency();")
                     .size(),
                 std::size_t(1));
        QCOMPARE(
            checkThreads("ui/windows/x.cpp", "QThreadPool::globalInstance()->start(f);").size(),
            std::size_t(1));
    }

    void threadInJobsCommentsAndStringsIsAllowed() {
        QVERIFY(checkThreads("core/jobs/x.cpp", "std::vector<std::thread> m_workers;").empty());
        QVERIFY(checkThreads("ui/jobs/x.cpp", "QThreadPool::globalInstance();").empty());
        QVERIFY(checkThreads("core/eval/x.cpp", "// no std::thread here\n"
                                                "/* nor std::async */ int x = 1'000;\n"
                                                "const char* s = \"std::thread\";\n"
                                                "const char* r = R\"(std::thread)\";\n"
                                                "std::this_thread::yield();\n")
                    .empty());
    }
};

QTEST_APPLESS_MAIN(TestLayerCheck)
#include "tst_layer_check.moc"
