#include "core/eval/bpe_word_split.h"
#include "core/eval/tokenizer_load.h"
#include "core/eval/unicode_classes.h"
#include "core/fs/byte_cursor.h"
#include "core/io/hf_reader.h"
#include "core/model/metadata.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>

using namespace qs::core;

// Byte-level BPE (GGUF "gpt2" vocabularies: Llama 3, Qwen2/3, Phi-4) as llama.cpp tokenizes:
// the pre-tokenizers against the regular expressions they stand for, merges in rank order,
// ignore_merges, user-defined tokens, the GGUF and tokenizer.json loaders.
class TestBpeTokenizer : public QObject {
    Q_OBJECT

private:
    using Words = std::vector<std::string>;

    // The expressions with \p{L} and \p{N} narrowed to ASCII, which std::regex (ECMAScript, the
    // same leftmost-alternative backtracking as the tokenizers' engines) can run. (?i:...) is
    // spelled out as llama.cpp spells it.
    static std::string asciiPattern(BpeSplit split) {
        if (split == BpeSplit::Gpt2) {
            return "'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\\sA-Za-z0-9]+|\\s+(?!\\S)|"
                   "\\s+";
        }
        const std::string digits = split == BpeSplit::Llama3 ? "[0-9]{1,3}" : "[0-9]";
        return "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|"
               "[^\\r\\nA-Za-z0-9]?[A-Za-z]+|" +
               digits + "| ?[^\\sA-Za-z0-9]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    }

    static Words regexWords(const std::string& text, const std::regex& re) {
        Words words;
        std::size_t covered = 0;
        for (auto it = std::sregex_iterator(text.begin(), text.end(), re);
             it != std::sregex_iterator(); ++it) {
            const auto at = static_cast<std::size_t>(it->position());
            if (at > covered) { // text no alternative matched stays a word of its own
                words.push_back(text.substr(covered, at - covered));
            }
            words.push_back(it->str());
            covered = at + static_cast<std::size_t>(it->length());
        }
        if (covered < text.size()) {
            words.push_back(text.substr(covered));
        }
        return words;
    }

    static QString show(const Words& words) {
        QStringList parts;
        for (const std::string& w : words) {
            parts << "[" + QString::fromStdString(w).replace("\n", "\\n").replace("\r", "\\r") +
                         "]";
        }
        return parts.join(' ');
    }

    // 256 byte symbols (id = byte), then merged pieces; see bpeMergesInRankOrder.
    static TokenizerSpec toySpec() {
        TokenizerSpec spec;
        spec.kind = TokenizerKind::ByteLevelBpe;
        for (int b = 0; b < 256; ++b) {
            spec.tokens.push_back(TokenEntry{unicode::byteSymbol(static_cast<std::uint8_t>(b))});
        }
        const std::vector<std::pair<std::string, std::string>> merges = {
            {"h", "e"}, {"l", "l"}, {"he", "ll"}, {"hell", "o"},
            {"Ġ", "w"}, {"o", "r"}, {"Ġw", "or"}};
        for (const auto& [a, b] : merges) {
            spec.merges.emplace_back(a, b);
            spec.tokens.push_back(TokenEntry{a + b});
        }
        spec.tokens.push_back(TokenEntry{"Ġworld"}); // 263: no merge path leads to it
        spec.tokens.push_back(TokenEntry{"<tag>", 0.0f, TokenType::UserDefined}); // 264
        spec.tokens.push_back(TokenEntry{"<|end|>", 0.0f, TokenType::Control});   // 265
        spec.bos = -1;
        spec.eos = 265;
        spec.unk = -1;
        spec.addBos = false;
        spec.addSpacePrefix = false;
        return spec;
    }

    static Tokenizer make(TokenizerSpec spec) {
        auto t = Tokenizer::create(std::move(spec));
        if (!t) {
            qFatal("%s", t.error().toString().c_str());
        }
        return std::move(*t);
    }

    static std::vector<std::int32_t> ids(std::initializer_list<int> values) {
        return {values.begin(), values.end()};
    }

private slots:
    void preTokenizersMatchTheirExpressionsOnAsciiText() {
        // Random text from an alphabet that reaches every alternative: contractions in both
        // cases, digit runs, punctuation runs, spaces, tabs and line breaks in runs.
        const std::string alphabet = "aZsStTdDmMlLrReEvV019'''.,!-  \t\n\r\n\x0b";
        std::mt19937 rng(20261206);
        std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
        std::uniform_int_distribution<int> length(0, 40);
        for (BpeSplit split : {BpeSplit::Gpt2, BpeSplit::Llama3, BpeSplit::Qwen2}) {
            const std::regex re(asciiPattern(split));
            for (int i = 0; i < 3000; ++i) {
                std::string text;
                for (int n = length(rng); n > 0; --n) {
                    text.push_back(alphabet[pick(rng)]);
                }
                const Words expected = regexWords(text, re);
                const Words got = splitBpeWords(text, split);
                if (got != expected) {
                    QFAIL(qPrintable(QString("split %1 of \"%2\": %3, the expression gives %4")
                                         .arg(int(split))
                                         .arg(QString::fromStdString(text))
                                         .arg(show(got), show(expected))));
                }
            }
        }
    }

    void preTokenizersClassifyUnicode() {
        // é and CJK are letters, ① (U+2460) a number, U+00A0 whitespace in llama.cpp's set.
        const std::string text = "H\u00e9llo \u65e5\u672c\u8a9e 12345 \u2460x\u00a0y";
        QCOMPARE(splitBpeWords(text, BpeSplit::Llama3),
                 (Words{"H\u00e9llo", " \u65e5\u672c\u8a9e", " ", "123", "45", " ", "\u2460", "x",
                        "\u00a0y"}));
        QCOMPARE(splitBpeWords(text, BpeSplit::Qwen2),
                 (Words{"H\u00e9llo", " \u65e5\u672c\u8a9e", " ", "1", "2", "3", "4", "5", " ",
                        "\u2460", "x", "\u00a0y"}));
        QCOMPARE(
            splitBpeWords(text, BpeSplit::Gpt2),
            (Words{"H\u00e9llo", " \u65e5\u672c\u8a9e", " 12345", " \u2460", "x", "\u00a0", "y"}));
        QCOMPARE(int(unicode::classOf(0x3000)), int(unicode::kWhitespace)); // ideographic space
        QCOMPARE(int(unicode::classOf(0x1C)), 0); // Python's isspace says yes; llama.cpp no
        QCOMPARE(int(unicode::classOf(0x0663)), int(unicode::kNumber)); // Arabic-Indic three
        QCOMPARE(int(unicode::classOf(0x2014)), 0);                     // em dash
        // Invalid UTF-8 becomes U+FFFD, one per byte, as llama.cpp decodes it.
        QCOMPARE(splitBpeWords("a\xff\xfe", BpeSplit::Llama3), (Words{"a", "\ufffd\ufffd"}));
    }

    void utf8DecodingAsLlamaCppAndStrictChecking() {
        // llama.cpp decodes by shape only: an overlong '/' stays '/', a surrogate stays one;
        // isValidUtf8 (our readers' check) refuses both, and truncated sequences.
        QCOMPARE(unicode::decodeUtf8Lossy("\xC0\xAF"), std::vector<char32_t>{0x2F});
        QCOMPARE(unicode::decodeUtf8Lossy("\xED\xA0\x80"), std::vector<char32_t>{0xD800});
        QCOMPARE(unicode::decodeUtf8Lossy("\xF0\x9F\x98"),
                 (std::vector<char32_t>{0xFFFD, 0xFFFD, 0xFFFD}));
        QCOMPARE(unicode::decodeUtf8Lossy("a\U0001F600"), (std::vector<char32_t>{'a', 0x1F600}));
        QVERIFY(!isValidUtf8("\xC0\xAF"));
        QVERIFY(!isValidUtf8("\xED\xA0\x80"));
        QVERIFY(!isValidUtf8("\xF0\x9F\x98"));
        QVERIFY(!isValidUtf8("\xF4\x90\x80\x80")); // past U+10FFFF
        QVERIFY(isValidUtf8("a\u00e9\u65e5\U0001F600"));
        QVERIFY(isValidUtf8(""));
    }

    void byteAlphabetIsGpt2s() {
        QCOMPARE(unicode::byteSymbol(' '), std::string("\u0120"));  // Ġ
        QCOMPARE(unicode::byteSymbol('\n'), std::string("\u010a")); // Ċ
        QCOMPARE(unicode::byteSymbol('A'), std::string("A"));
        QCOMPARE(unicode::byteSymbol(0xAD), std::string("\u0143"));
        for (int b = 0; b < 256; ++b) {
            QCOMPARE(unicode::symbolByte(unicode::byteSymbol(static_cast<std::uint8_t>(b))), b);
        }
    }

    void bpeMergesInRankOrder() {
        const Tokenizer t = make(toySpec());
        // "hello": h+e (rank 0), l+l (1), he+ll (2), hell+o (3). " world": Ġ+w (4), o+r (5),
        // Ġw+or (6); l and d stay bytes.
        QCOMPARE(t.encode("hello world"), ids({259, 262, 'l', 'd'}));
        QCOMPARE(t.decode(t.encode("hello world")), std::string("hello world"));
    }

    void ignoreMergesTakesWholeWords() {
        TokenizerSpec spec = toySpec();
        spec.pre = *bpePreTokenizerFor("llama-bpe");
        QVERIFY(spec.pre.ignoreMerges);
        QCOMPARE(make(spec).encode("hello world"), ids({259, 263}));
        spec.pre = *bpePreTokenizerFor("qwen2");
        QVERIFY(!spec.pre.ignoreMerges);
        QCOMPARE(make(spec).encode("hello world"), ids({259, 262, 'l', 'd'}));
    }

    void userDefinedTokensAreCutOutControlTokensAreNot() {
        const Tokenizer t = make(toySpec());
        const auto got = t.encode("he<tag>he<|end|>");
        QCOMPARE(got, ids({256, 264, 256, '<', '|', 'e', 'n', 'd', '|', '>'}));
        QCOMPARE(t.decode(got), std::string("he<tag>he<|end|>"));
        QCOMPARE(t.decode(ids({256, 265})), std::string("he")); // control tokens drop out
    }

    void anyTextRoundTrips() {
        const Tokenizer t = make(toySpec());
        std::mt19937 rng(7);
        const std::vector<std::string> pieces = {"hello",  " world", "\n",        "\u00e9",
                                                 "\u65e5", "123",    "'S",        "  ",
                                                 "\t",     "!?",     "\U0001F600"};
        std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
        for (int i = 0; i < 500; ++i) {
            std::string text;
            for (int n = 0; n < 12; ++n) {
                text += pieces[pick(rng)];
            }
            QCOMPARE(t.decode(t.encode(text)), text);
        }
    }

    void ggufVocabularyLoads() {
        const TokenizerSpec toy = toySpec();
        std::vector<std::string> texts;
        std::vector<std::int32_t> types;
        for (const TokenEntry& e : toy.tokens) {
            texts.push_back(e.text);
            types.push_back(static_cast<std::int32_t>(e.type));
        }
        std::vector<std::string> merges;
        for (const auto& [a, b] : toy.merges) {
            merges.push_back(a + " " + b);
        }
        Metadata md;
        md.set("tokenizer.ggml.model", MetaValue("gpt2"));
        md.set("tokenizer.ggml.pre", MetaValue("llama-bpe"));
        md.set("tokenizer.ggml.tokens", MetaValue(MetaArray::ofStrings(texts)));
        md.set("tokenizer.ggml.token_type", MetaValue(MetaArray::ofInt32(types)));
        md.set("tokenizer.ggml.merges", MetaValue(MetaArray::ofStrings(merges)));
        md.set("tokenizer.ggml.bos_token_id", MetaValue(std::uint32_t{265}));
        auto t = tokenizerFromMetadata(md);
        QVERIFY2(t.ok(), t.ok() ? "" : t.error().toString().c_str());
        // llama-bpe: BOS added by default, whole words taken (ignore_merges).
        QCOMPARE(t->encode("hello world"), ids({265, 259, 263}));
        md.set("tokenizer.ggml.add_bos_token", MetaValue(false));
        QCOMPARE(tokenizerFromMetadata(md)->encode("hello world"), ids({259, 263}));
        // Without add_bos no chunk of perplexity or imatrix starts with BOS (llama.cpp's rule).
        QCOMPARE(tokenizerFromMetadata(md)->bos(), -1);

        md.set("tokenizer.ggml.pre", MetaValue("some-new-model"));
        auto unknown = tokenizerFromMetadata(md);
        QVERIFY(!unknown.ok());
        const QString message = QString::fromStdString(unknown.error().toString());
        QVERIFY2(message.contains("some-new-model") && message.contains("qwen2"),
                 qPrintable(message));
    }

    void tokenizerJsonLoads() {
        // Llama 3's layout: Split on its expression then ByteLevel, ignore_merges, special
        // tokens only in added_tokens (past the model's vocabulary), BOS from the template.
        const TokenizerSpec toy = toySpec();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath("tokenizer.json").toStdString();
        nlohmann::json vocab = nlohmann::json::object();
        for (std::size_t id = 0; id < 264; ++id) { // added tokens are not in the model's vocab
            vocab[toy.tokens[id].text] = id;
        }
        nlohmann::json merges = nlohmann::json::array();
        for (const auto& [a, b] : toy.merges) {
            merges.push_back(a + " " + b);
        }
        const nlohmann::json split = {
            {"type", "Split"},
            {"pattern",
             {{"Regex", "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| "
                        "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"}}},
            {"behavior", "Isolated"},
            {"invert", false}};
        const nlohmann::json byteLevel = {
            {"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}};
        const nlohmann::json doc = {
            {"added_tokens",
             {{{"id", 264}, {"content", "<tag>"}, {"special", false}},
              {{"id", 266}, {"content", "<|begin|>"}, {"special", true}}}},
            {"pre_tokenizer", {{"type", "Sequence"}, {"pretokenizers", {split, byteLevel}}}},
            {"post_processor",
             {{"type", "TemplateProcessing"},
              {"single",
               {{{"SpecialToken", {{"id", "<|begin|>"}, {"type_id", 0}}}},
                {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}}}},
            {"model",
             {{"type", "BPE"},
              {"ignore_merges", true},
              {"byte_fallback", false},
              {"vocab", vocab},
              {"merges", merges}}}};
        std::ofstream(path) << doc.dump();
        auto t = loadHfTokenizerJson(path);
        QVERIFY2(t.ok(), t.ok() ? "" : t.error().toString().c_str());
        QCOMPARE(int(t->vocabSize()), 267);
        QCOMPARE(t->piece(265), std::string_view("[PAD265]")); // the gap, as the converter pads
        QCOMPARE(t->encode("hello world<tag>"), ids({266, 259, 263, 264}));
        QCOMPARE(t->decode(t->encode("hello world<tag>")), std::string("hello world<tag>"));

        // Converted to GGUF metadata (as an HF folder is), the pre-tokenizer is named from the
        // expression and the GGUF tokenizer encodes as the tokenizer.json does.
        const std::string config = dir.filePath("config.json").toStdString();
        std::ofstream(config) << R"({"bos_token_id": 266})";
        HfArchitecture arch;
        arch.ggufArchitecture = "llama";
        Metadata md;
        const Status converted = readHfTokenizer(path, arch, config, md);
        QVERIFY2(converted.ok(), converted.ok() ? "" : converted.error().toString().c_str());
        QCOMPARE(md.string("tokenizer.ggml.model"), std::string("gpt2"));
        QCOMPARE(md.string("tokenizer.ggml.pre"), std::string("llama-bpe"));
        auto fromGguf = tokenizerFromMetadata(md);
        QVERIFY2(fromGguf.ok(), fromGguf.ok() ? "" : fromGguf.error().toString().c_str());
        QCOMPARE(fromGguf->encode("hello world<tag>"), t->encode("hello world<tag>"));
    }
};

QTEST_APPLESS_MAIN(TestBpeTokenizer)
#include "tst_bpe_tokenizer.moc"
