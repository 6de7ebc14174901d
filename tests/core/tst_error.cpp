#include "core/error.h"

#include <QTest>

#include <cerrno>
#include <string>

using namespace qs::core;

class TestError : public QObject {
    Q_OBJECT

private slots:
    void resultHoldsValueOrError() {
        Result<int> good = 42;
        QVERIFY(good.ok());
        QCOMPARE(*good, 42);

        Result<int> bad = makeError(ErrorCode::Format, "model.gguf: truncated header");
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().code, ErrorCode::Format);
        QCOMPARE(bad.error().toString(), std::string("format error: model.gguf: truncated header"));
    }

    void statusDefaultsToSuccess() {
        Status s;
        QVERIFY(s.ok());
        Status failed = makeError(ErrorCode::Cancelled, "quantize cancelled by the user");
        QVERIFY(!failed.ok());
        QCOMPARE(failed.error().code, ErrorCode::Cancelled);
    }

    void errnoMapsToCodeAndNamesTheFile() {
        const Error noSpace = Error::fromErrno(ENOSPC, "/tmp/out.gguf", "write");
        QCOMPARE(noSpace.code, ErrorCode::NoSpace);
        QVERIFY(noSpace.message.find("/tmp/out.gguf") != std::string::npos);
        QVERIFY(noSpace.message.find("write") != std::string::npos);

        const Error missing = Error::fromErrno(ENOENT, "/nope/model.gguf", "open");
        QCOMPARE(missing.code, ErrorCode::Io);
        QVERIFY(missing.message.find("No such file") != std::string::npos);
    }

    void resultMovesOutLargeValues() {
        Result<std::string> r = std::string(1000, 'x');
        std::string moved = std::move(r).value();
        QCOMPARE(moved.size(), std::size_t(1000));
    }
};

QTEST_APPLESS_MAIN(TestError)
#include "tst_error.moc"
