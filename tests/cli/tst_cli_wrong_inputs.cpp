// The corpus of well-formed but wrong inputs (wrong_inputs.h): every case ends with its exit
// code and message, a failed command leaves no output file, and the committed corpus in
// tests/data/wrong is exactly what the generator makes.
#include "cli_runner.h"
#include "wrong_inputs.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <iterator>

using qs::test::WrongInput;

namespace {

const QString kCorpus = QStringLiteral(QS_WRONG_CORPUS_DIR);

std::vector<std::uint8_t> readFile(const QString& path) {
    std::ifstream in(path.toStdString(), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

class TestCliWrongInputs : public QObject {
    Q_OBJECT

    QTemporaryDir m_work;
    std::vector<WrongInput> m_cases;

private slots:
    void initTestCase() {
        QVERIFY(m_work.isValid());
        m_cases = qs::test::wrongInputs(m_work.path().toStdString());
        // QS_WRITE_WRONG_CORPUS=1 writes the corpus into the source tree.
        if (qEnvironmentVariableIsSet("QS_WRITE_WRONG_CORPUS")) {
            QDir(kCorpus).removeRecursively();
            for (const auto& c : m_cases) {
                for (const auto& [path, bytes] : c.files) {
                    const QString file = kCorpus + "/" + QString::fromStdString(path);
                    QDir().mkpath(QFileInfo(file).path());
                    QFile f(file);
                    QVERIFY(f.open(QIODevice::WriteOnly));
                    f.write(reinterpret_cast<const char*>(bytes.data()),
                            static_cast<qint64>(bytes.size()));
                }
            }
        }
    }

    void corpusIsLargeEnough() { QVERIFY(m_cases.size() >= 40); }

    void committedCorpusIsTheGenerators() {
        for (const auto& c : m_cases) {
            for (const auto& [path, bytes] : c.files) {
                const QString file = kCorpus + "/" + QString::fromStdString(path);
                QVERIFY2(QFile::exists(file), qPrintable(file + " is missing; run the test with "
                                                                "QS_WRITE_WRONG_CORPUS=1"));
                QVERIFY2(readFile(file) == bytes,
                         qPrintable(file + " differs from what the generator makes"));
            }
        }
    }

    void eachCaseEndsAsExpected_data() {
        QTest::addColumn<int>("index");
        for (std::size_t i = 0; i < m_cases.size(); ++i) {
            QTest::newRow(m_cases[i].name.c_str()) << static_cast<int>(i);
        }
    }
    void eachCaseEndsAsExpected() {
        QFETCH(int, index);
        const WrongInput& c = m_cases[static_cast<std::size_t>(index)];
        QTemporaryDir outDir;
        QVERIFY(outDir.isValid());
        const QString out = outDir.filePath(QStringLiteral("out.gguf"));
        QStringList args;
        for (const auto& a : c.args) {
            QString arg = QString::fromStdString(a);
            arg.replace(QStringLiteral("{data}"), kCorpus);
            arg.replace(QStringLiteral("{out}"), out);
            args << arg;
        }
        const CliRun r = runCli(args);
        const QString printed = r.err + r.out;
        QVERIFY2(r.exitCode == c.exitCode,
                 qPrintable(QStringLiteral("exit %1, want %2; printed:\n%3")
                                .arg(r.exitCode)
                                .arg(c.exitCode)
                                .arg(printed)));
        QVERIFY2(printed.contains(QString::fromStdString(c.message)),
                 qPrintable(QStringLiteral("no \"%1\" in:\n%2")
                                .arg(QString::fromStdString(c.message), printed)));
        if (c.exitCode != 0) {
            // Complete or absent: nothing at the output path, no temporary left beside it.
            QVERIFY2(
                QDir(outDir.path()).isEmpty(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                qPrintable(QDir(outDir.path())
                               .entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot)
                               .join(", ")));
        }
    }
};

QTEST_GUILESS_MAIN(TestCliWrongInputs)
#include "tst_cli_wrong_inputs.moc"
