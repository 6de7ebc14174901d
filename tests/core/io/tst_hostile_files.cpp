#include "hostile_corpus.h"
#include "test_paths.h"

#include "core/io/gguf_reader.h"
#include "core/io/llama2c_reader.h"
#include "core/io/safetensors_reader.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <unistd.h>

using namespace qs::core;

namespace {

bool writeFile(const QString& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream out(path.toStdString(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(out);
}

// Runs the parser a case targets; returns the status of the attempt.
Status parse(const std::string& reader, const std::string& path) {
    if (reader == "gguf") {
        auto r = readGguf(path);
        return r.ok() ? Status{} : Status{r.error()};
    }
    if (reader == "safetensors") {
        auto r = readSafetensors(path);
        return r.ok() ? Status{} : Status{r.error()};
    }
    if (reader == "llama2c") {
        auto r = readLlama2c(path, "/nonexistent-tokenizer.bin");
        return r.ok() ? Status{} : Status{r.error()};
    }
    Metadata md;
    return readLlama2cTokenizer(path, 4, md);
}

QString corpusDir() {
    return ioData("hostile");
}

} // namespace

class TestHostileFiles : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        // QS_WRITE_HOSTILE_CORPUS=1 regenerates tests/data/io/hostile from the generator.
        if (qEnvironmentVariableIsSet("QS_WRITE_HOSTILE_CORPUS")) {
            QDir().mkpath(corpusDir());
            for (const auto& c : hostileCorpus()) {
                QVERIFY(writeFile(corpusDir() + "/" + QString::fromStdString(c.name), c.bytes));
            }
        }
    }

    void corpusIsLargeEnough() { QVERIFY(hostileCorpus().size() >= 40); }

    // Each generated case fails with a Format/Unsupported error that names the file and the
    // problem, and nothing crashes (run under ASan/UBSan with QS_SANITIZE=ON).
    void everyCaseIsRejectedClearly_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("reader");
        QTest::addColumn<QString>("expect");
        QTest::addColumn<QByteArray>("bytes");
        for (const auto& c : hostileCorpus()) {
            QTest::newRow(c.name.c_str())
                << QString::fromStdString(c.name) << QString::fromStdString(c.reader)
                << QString::fromStdString(c.expect)
                << QByteArray(reinterpret_cast<const char*>(c.bytes.data()),
                              static_cast<qsizetype>(c.bytes.size()));
        }
    }
    void everyCaseIsRejectedClearly() {
        QFETCH(QString, name);
        QFETCH(QString, reader);
        QFETCH(QString, expect);
        QFETCH(QByteArray, bytes);
        QTemporaryDir dir;
        const QString path = dir.filePath(name);
        QVERIFY(writeFile(path, std::vector<std::uint8_t>(bytes.begin(), bytes.end())));
        const auto s = parse(reader.toStdString(), path.toStdString());
        QVERIFY2(!s.ok(), "malformed file was accepted");
        const QString message = QString::fromStdString(s.error().message);
        QVERIFY2(s.error().code == ErrorCode::Format || s.error().code == ErrorCode::Unsupported,
                 qPrintable(message));
        QVERIFY2(message.contains(path), qPrintable(message));
        // The fragment must be in the explanation, not merely in the file name.
        QVERIFY2(QString(message).remove(path).contains(expect),
                 qPrintable(message + " lacks: " + expect));
    }

    // The committed copies (what CI and the fuzzer's seed corpus see) fail the same way.
    void committedCorpusIsRejected() {
        const QStringList files = QDir(corpusDir()).entryList(QDir::Files);
        QVERIFY2(files.size() >= 40, "tests/data/io/hostile is missing or incomplete");
        for (const auto& c : hostileCorpus()) {
            const QString path = corpusDir() + "/" + QString::fromStdString(c.name);
            QVERIFY2(QFile::exists(path), qPrintable(path));
            QVERIFY2(!parse(c.reader, path.toStdString()).ok(), qPrintable(path));
        }
    }

    // A real file cut at every byte of its header, and at points through its data, is
    // always rejected (never read past the end).
    void truncationAtEveryHeaderByte() {
        const QString source = bundledGguf("stories260K-f32.gguf");
        QFile in(source);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray all = in.readAll();
        QTemporaryDir dir;
        const QString path = dir.filePath("cut.gguf");
        QVERIFY(writeFile(path, std::vector<std::uint8_t>(all.begin(), all.end())));
        QVERIFY(readGguf(path.toStdString()).ok());
        const std::size_t headerEnd = 14176;
        std::vector<std::size_t> cuts;
        for (std::size_t n = 0; n < headerEnd; ++n) {
            cuts.push_back(n);
        }
        for (std::size_t n = headerEnd; n < static_cast<std::size_t>(all.size()); n += 4099) {
            cuts.push_back(n);
        }
        cuts.push_back(static_cast<std::size_t>(all.size()) - 1);
        for (const auto n : cuts) {
            QCOMPARE(::truncate(path.toLocal8Bit().constData(), static_cast<off_t>(n)), 0);
            const auto r = readGguf(path.toStdString());
            if (r.ok()) {
                QFAIL(qPrintable(QString("accepted a file cut at %1 bytes").arg(n)));
            }
        }
    }

    // Random single-byte corruptions of the header must never crash; many are still valid.
    void randomByteFlipsDoNotCrash() {
        QFile in(bundledGguf("stories260K-f32.gguf"));
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray all = in.read(20000);
        QTemporaryDir dir;
        const QString path = dir.filePath("flip.gguf");
        std::uint32_t state = 12345;
        for (int i = 0; i < 2000; ++i) {
            QByteArray copy = all;
            state = state * 1664525u + 1013904223u;
            const int at = static_cast<int>(state % 14176);
            copy[at] = static_cast<char>(state >> 24);
            QVERIFY(writeFile(path, std::vector<std::uint8_t>(copy.begin(), copy.end())));
            (void)readGguf(path.toStdString());
        }
    }
};

QTEST_APPLESS_MAIN(TestHostileFiles)
#include "tst_hostile_files.moc"
