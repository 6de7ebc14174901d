// Issue 22: one evaluation-text reader. readEvalText drops one trailing newline, as
// llama-perplexity reads -f; the compare workflow's file entry point reads through it, so the
// CLI and the GUI evaluate the tokens llama.cpp does.
#include "eval_test_data.h"

#include "core/eval/eval_model.h"
#include "core/eval/text_input.h"
#include "core/workflows/compare_variants.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace qs::core;
using namespace qs::test;

namespace {

void writeFile(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
}

} // namespace

class TestEvalText : public QObject {
    Q_OBJECT

private slots:
    void readerDropsOneTrailingNewline_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("one newline") << QByteArray("ab\ncd\n") << QByteArray("ab\ncd");
        QTest::newRow("two newlines") << QByteArray("ab\n\n") << QByteArray("ab\n");
        QTest::newRow("none") << QByteArray("ab") << QByteArray("ab");
        QTest::newRow("crlf keeps the cr") << QByteArray("ab\r\n") << QByteArray("ab\r");
        QTest::newRow("only a newline") << QByteArray("\n") << QByteArray();
        QTest::newRow("empty") << QByteArray() << QByteArray();
    }
    void readerDropsOneTrailingNewline() {
        QFETCH(QByteArray, bytes);
        QFETCH(QByteArray, expected);
        QTemporaryDir dir;
        const std::string path = dir.filePath("text.txt").toStdString();
        writeFile(path, bytes.toStdString());
        auto text = readEvalText(path);
        QVERIFY2(text.ok(), text.ok() ? "" : text.error().toString().c_str());
        QCOMPARE(QByteArray::fromStdString(*text), expected);
    }

    void readerNamesAMissingFile() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("absent.txt").toStdString();
        auto text = readEvalText(path);
        QVERIFY(!text.ok());
        QVERIFY2(text.error().toString().find("absent.txt") != std::string::npos,
                 text.error().toString().c_str());
    }

    // compareVariantsOnTextFile tokenizes what readEvalText returns: a text file ending in a
    // newline gives the stripped text's token count, not the raw bytes' one.
    void compareEntryPointReadsThroughReadEvalText() {
        const std::string model = resource("models/stories260K-f32.gguf");
        auto source = readEvalText(resource("text/shakespeare-val-a.txt"));
        QVERIFY(source.ok());
        const std::string body = source->substr(0, 1500);
        QTemporaryDir dir;
        const std::string path = dir.filePath("eval.txt").toStdString();
        writeFile(path, body + "\n");

        auto eval = openEvalModel(model);
        QVERIFY2(eval.ok(), eval.ok() ? "" : eval.error().toString().c_str());
        QVERIFY(eval->tokenizer.has_value());
        const auto stripped = eval->tokenizer->encode(body, true).size();
        const auto raw = eval->tokenizer->encode(body + "\n", true).size();
        // The check below can only tell the readers apart if the newline is a token.
        QVERIFY(raw != stripped);

        CompareVariantsOptions options;
        options.contextLength = 32;
        options.maxChunks = 1;
        options.batchSize = 32;
        options.threads = 1;
        options.measureSpeed = false;
        options.cacheDir = dir.filePath("cache").toStdString();
        CancelToken cancel;
        NullProgressSink progress;
        auto r = compareVariantsOnTextFile(model, path, options, cancel, progress);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE(r->tokens, static_cast<std::int64_t>(stripped));
        QCOMPARE(r->variants.size(), std::size_t(1)); // the input model's own row

        auto missing = compareVariantsOnTextFile(model, dir.filePath("absent.txt").toStdString(),
                                                 options, cancel, progress);
        QVERIFY(!missing.ok());
    }
};

QTEST_APPLESS_MAIN(TestEvalText)
#include "tst_eval_text.moc"
