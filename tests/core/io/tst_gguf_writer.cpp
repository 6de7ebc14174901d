#include "test_paths.h"

#include "core/export/gguf_convert.h"
#include "core/io/gguf_reader.h"
#include "core/io/gguf_writer.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/resource.h>

using namespace qs::core;

namespace {

QByteArray sha256Of(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(&f);
    return h.result().toHex();
}

// Only the destination may be left in the folder: no temporary files.
QStringList folderEntries(const QString& dir) {
    return QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot);
}

} // namespace

class TestGgufWriter : public QObject {
    Q_OBJECT

private slots:
    // Reading a GGUF that llama.cpp's tools wrote and writing it back gives the same bytes.
    void roundTripIsByteIdentical_data() {
        QTest::addColumn<QString>("path");
        QTest::newRow("stories260K-f32") << bundledGguf("stories260K-f32.gguf");
        QTest::newRow("shakespeare-3M-f16") << bundledGguf("shakespeare-3M-f16.gguf");
        const QString shared = sharedModels();
        if (!shared.isEmpty()) {
            QTest::newRow("shared shakespeare-3M-f32")
                << shared + "/shakespeare-3M/shakespeare-3M-f32.gguf";
            // Files llama.cpp wrote (quantized types included) when ../shared/golden exists.
            QDirIterator it(shared + "/../golden", {"*.gguf"}, QDir::Files,
                            QDirIterator::Subdirectories);
            while (it.hasNext()) {
                const QString path = it.next();
                QTest::newRow(
                    qPrintable("golden " + QDir(shared + "/../golden").relativeFilePath(path)))
                    << path;
            }
        }
    }
    void roundTripIsByteIdentical() {
        QFETCH(QString, path);
        QTemporaryDir dir;
        auto model = readGguf(path.toStdString());
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());
        const QString out = dir.filePath("copy.gguf");
        NullProgressSink progress;
        CancelToken cancel;
        auto s = convertToGguf(*model, out.toStdString(), {}, progress, cancel);
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        QCOMPARE(sha256Of(out), sha256Of(path));
        QCOMPARE(folderEntries(dir.path()), QStringList{"copy.gguf"});
    }

    // Every metadata value type, nested arrays included, survives a write and a read.
    void allValueTypesRoundTrip() {
        Metadata md;
        md.set("general.architecture", MetaValue(std::string("llama")));
        md.set("t.u8", MetaValue(std::uint8_t{200}));
        md.set("t.i8", MetaValue(std::int8_t{-100}));
        md.set("t.u16", MetaValue(std::uint16_t{60000}));
        md.set("t.i16", MetaValue(std::int16_t{-30000}));
        md.set("t.u32", MetaValue(std::uint32_t{4000000000u}));
        md.set("t.i32", MetaValue(std::int32_t{-2000000000}));
        md.set("t.f32", MetaValue(1.5f));
        md.set("t.bool", MetaValue(true));
        md.set("t.u64", MetaValue(std::uint64_t{1} << 63));
        md.set("t.i64", MetaValue(std::int64_t{-(std::int64_t{1} << 62)}));
        md.set("t.f64", MetaValue(-2.25));
        MetaArray inner1 = MetaArray::ofInt32({1, 2, 3});
        MetaArray inner2 = MetaArray::ofStrings({"a", "", "\xC3\xA9"});
        MetaArray nested;
        nested.elementType = MetaType::Array;
        nested.arrays = {MetaValue(inner1), MetaValue(inner2)};
        md.set("t.nested", MetaValue(nested));
        md.set("t.empty", MetaValue(MetaArray::ofFloat32({})));

        QTemporaryDir dir;
        const std::string out = dir.filePath("types.gguf").toStdString();
        auto w = GgufWriter::create(out, md, {{"a.weight", {3, 2}, GgmlType::F32}});
        QVERIFY(w.ok());
        const float data[6] = {1, 2, 3, 4, 5, 6};
        QVERIFY((*w)->write(std::as_bytes(std::span(data))).ok());
        QVERIFY((*w)->finish().ok());

        auto model = readGguf(out);
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());
        QCOMPARE(model->metadata().size(), md.size());
        for (std::size_t i = 0; i < md.size(); ++i) {
            QCOMPARE(model->metadata().entries()[i].first, md.entries()[i].first);
            QVERIFY2(model->metadata().entries()[i].second == md.entries()[i].second,
                     md.entries()[i].first.c_str());
        }
        const auto bytes = model->storedBytes(model->tensors()[0]);
        QCOMPARE(std::memcmp(bytes.data(), data, sizeof data), 0);
    }

    void unfinishedWriterLeavesNothing() {
        QTemporaryDir dir;
        const std::string out = dir.filePath("partial.gguf").toStdString();
        {
            auto w = GgufWriter::create(out, {}, {{"a", {4}, GgmlType::F32}});
            QVERIFY(w.ok());
            const float two[2] = {1, 2};
            QVERIFY((*w)->write(std::as_bytes(std::span(two))).ok());
            const auto s = (*w)->finish();
            QVERIFY(!s.ok());
            QVERIFY(s.error().message.find("'a'") != std::string::npos);
        }
        QVERIFY(folderEntries(dir.path()).isEmpty());
    }

    void cancelRemovesTemporaryFile() {
        auto model = readGguf(bundledGguf("stories260K-f32.gguf").toStdString());
        QVERIFY(model.ok());
        QTemporaryDir dir;
        CancelToken cancel;
        int calls = 0;
        CallbackProgressSink progress(
            [&](std::uint64_t, std::uint64_t, const std::string&, const std::string&) {
                if (++calls == 3) {
                    cancel.requestCancel();
                }
            });
        const auto s =
            convertToGguf(*model, dir.filePath("c.gguf").toStdString(), {}, progress, cancel);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::Cancelled);
        QVERIFY(folderEntries(dir.path()).isEmpty());
    }

    // A full disk is simulated with RLIMIT_FSIZE: write() then fails with EFBIG, which must
    // surface as NoSpace naming the destination, with no file left behind.
    void fullDiskIsNoSpace() {
        auto model = readGguf(bundledGguf("stories260K-f32.gguf").toStdString());
        QVERIFY(model.ok());
        QTemporaryDir dir;
        const std::string out = dir.filePath("full.gguf").toStdString();
        std::signal(SIGXFSZ, SIG_IGN);
        rlimit old{};
        getrlimit(RLIMIT_FSIZE, &old);
        rlimit small = old;
        small.rlim_cur = 64 * 1024;
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &small), 0);
        NullProgressSink progress;
        CancelToken cancel;
        const auto s = convertToGguf(*model, out, {}, progress, cancel);
        setrlimit(RLIMIT_FSIZE, &old);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::NoSpace);
        QVERIFY(s.error().message.find(out) != std::string::npos);
        QVERIFY(folderEntries(dir.path()).isEmpty());
    }

    void progressIsInBytes() {
        auto model = readGguf(bundledGguf("stories260K-f32.gguf").toStdString());
        QVERIFY(model.ok());
        QTemporaryDir dir;
        std::uint64_t lastDone = 0, lastTotal = 0;
        std::string unit;
        CallbackProgressSink progress(
            [&](std::uint64_t done, std::uint64_t total, const std::string& u, const std::string&) {
                QVERIFY(done >= lastDone);
                lastDone = done;
                lastTotal = total;
                unit = u;
            });
        CancelToken cancel;
        QVERIFY(
            convertToGguf(*model, dir.filePath("p.gguf").toStdString(), {}, progress, cancel).ok());
        QCOMPARE(unit, std::string("bytes"));
        QCOMPARE(lastDone, lastTotal);
        QCOMPARE(lastTotal, model->tensorBytes());
    }
};

QTEST_APPLESS_MAIN(TestGgufWriter)
#include "tst_gguf_writer.moc"
