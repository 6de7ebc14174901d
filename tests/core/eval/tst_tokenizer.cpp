#include "eval_test_data.h"

#include "core/eval/text_input.h"
#include "core/eval/tokenizer_load.h"
#include "core/io/gguf_reader.h"

#include <QTest>

using namespace qs::core;
using namespace qs::test;

// Issue 6: every tokenizer container of the tok512 vocabulary must give run.c's and
// llama.cpp's ids (stories260K/reference.json, shakespeare-3M/reference.json).
class TestTokenizer : public QObject {
    Q_OBJECT

private:
    Tokenizer load(const QString& kind) {
        if (kind == "llama2c") {
            auto t = loadLlama2cTokenizer(evalData("tok512.bin"));
            if (!t) {
                qFatal("%s", t.error().toString().c_str());
            }
            return std::move(*t);
        }
        if (kind == "hf") {
            auto t = loadHfTokenizerJson(evalData("tok512-tokenizer.json"));
            if (!t) {
                qFatal("%s", t.error().toString().c_str());
            }
            return std::move(*t);
        }
        auto model = readGguf(resource("models/stories260K-f32.gguf"));
        if (!model) {
            qFatal("%s", model.error().toString().c_str());
        }
        auto t = tokenizerFromMetadata(model->metadata());
        if (!t) {
            qFatal("%s", t.error().toString().c_str());
        }
        return std::move(*t);
    }

    static void addContainers() {
        QTest::addColumn<QString>("kind");
        QTest::newRow("llama2c tokenizer.bin") << "llama2c";
        QTest::newRow("gguf metadata") << "gguf";
        QTest::newRow("hf tokenizer.json") << "hf";
    }

private slots:
    void encodeExamples_data() { addContainers(); }
    void encodeExamples() {
        QFETCH(QString, kind);
        const Tokenizer tok = load(kind);
        QCOMPARE(tok.vocabSize(), std::size_t{512});
        QCOMPARE(tok.bos(), 1);
        const auto ref = loadJson(evalData("stories260K-reference.json"))["encode_examples"];
        int checked = 0;
        for (const auto& [text, ids] : ref.items()) {
            if (!ids.is_array()) {
                continue;
            }
            QCOMPARE(tok.encode(text), ids.get<std::vector<std::int32_t>>());
            QCOMPARE(tok.decode(tok.encode(text)), text);
            ++checked;
        }
        QCOMPARE(checked, 3);
        QCOMPARE(tok.encode(""), std::vector<std::int32_t>{1});
    }

    void tinyShakespeare_data() { addContainers(); }
    void tinyShakespeare() {
        QFETCH(QString, kind);
        const Tokenizer tok = load(kind);
        const auto ref =
            loadJson(evalData("stories260K-reference.json"))["perplexity_tinyshakespeare_100k"];
        std::ifstream in(evalData("tinyshakespeare-100k.txt"), std::ios::binary);
        const std::string text((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
        const auto ids = tok.encode(text);
        QCOMPARE(ids.size(), ref["n_tokens_whole_file_without_bos"].get<std::size_t>() + 1);
        const auto first = ref["first_512_ids_with_bos"].get<std::vector<std::int32_t>>();
        QCOMPARE(std::vector<std::int32_t>(ids.begin(), ids.begin() + 512), first);
        QCOMPARE(tok.decode(ids), text);
    }

    // llama-perplexity's input: val-a minus its final newline, 32,222 tokens with BOS.
    void shakespeareValA_data() { addContainers(); }
    void shakespeareValA() {
        QFETCH(QString, kind);
        const Tokenizer tok = load(kind);
        auto text = readEvalText(resource("text/shakespeare-val-a.txt"));
        QVERIFY(text.ok());
        const auto ids = tok.encode(*text);
        const auto ref = loadJson(evalData("shakespeare-3M-reference.json"));
        QCOMPARE(ids.size(),
                 ref["perplexity_python"]["val_a_llama_perplexity_procedure"]["n_tokens_with_bos"]
                     .get<std::size_t>());
        const auto prompt = ref["greedy"]["prompt_ids"].get<std::vector<std::int32_t>>();
        QCOMPARE(tok.encode(ref["greedy"]["prompt"].get<std::string>()), prompt);
    }

    void byteFallbackAndEdgeCases_data() { addContainers(); }
    void byteFallbackAndEdgeCases() {
        QFETCH(QString, kind);
        const Tokenizer tok = load(kind);
        for (const std::string text :
             {"  leading and  double spaces ", "tab\there\r\n", "Ünïcödé ✓ 😀",
              "\xff\xfe invalid utf-8", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}) {
            const auto ids = tok.encode(text);
            QVERIFY(ids.size() > 1);
            QCOMPARE(tok.decode(ids), text);
        }
        // 'ü' (C3 BC) is not a piece of tok512: two byte tokens, id = byte + 3.
        const auto ids = tok.encode("ü", false);
        QCOMPARE(ids.back(), 0xBC + 3);
        QCOMPARE(ids[ids.size() - 2], 0xC3 + 3);
    }
};

QTEST_APPLESS_MAIN(TestTokenizer)
#include "tst_tokenizer.moc"
