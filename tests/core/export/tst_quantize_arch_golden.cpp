// llama-quantize's presets on one small model per architecture family
// (../shared/golden/arch/<family>/<family>-<PRESET>[-imatrix].json): every tensor we write must
// have the type, size and sha256 llama-quantize gave it. The -imatrix presets use llama-imatrix's
// file; for the mixture-of-experts families (mixtral, qwen3moe) that file holds one slice of
// weights per expert, and each expert must be quantized with its own slice.
#include "core/export/quantize_model.h"
#include "core/io/imatrix.h"
#include "core/io/model_reader.h"
#include "core/model/model.h"
#include "core/plan/model_plan.h"

#include <QCryptographicHash>
#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <nlohmann/json.hpp>

using namespace qs::core;

namespace {

const QString kArch = QStringLiteral(QS_SHARED_DIR "/golden/arch");

} // namespace

class TestQuantizeArchGolden : public QObject {
    Q_OBJECT

private slots:
    void matchesLlamaQuantize_data() {
        QTest::addColumn<QString>("family");
        QTest::addColumn<QString>("jsonPath");
        const QStringList families = QDir(kArch).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        if (families.isEmpty()) {
            QSKIP("../shared/golden/arch is not beside this checkout");
        }
        for (const QString& family : families) {
            const QDir dir(kArch + "/" + family);
            for (const QString& json : dir.entryList({family + "-*.json"})) {
                QTest::newRow(qPrintable(json)) << family << dir.filePath(json);
            }
        }
    }

    void matchesLlamaQuantize() {
        QFETCH(QString, family);
        QFETCH(QString, jsonPath);
        std::ifstream in(jsonPath.toStdString());
        const nlohmann::json golden = nlohmann::json::parse(in);
        const std::string dir = (kArch + "/" + family + "/").toStdString();
        const std::string name = family.toStdString();

        const LlamaPreset* preset = llamaPresetByName(golden["preset"].get<std::string>());
        QVERIFY(preset);
        PresetOptions presetOptions;
        QuantizeOptions options;
        std::optional<ImportanceMatrix> imatrix;
        if (golden.value("imatrix", false)) {
            auto read = readImatrix(dir + name + "-imatrix.gguf");
            QVERIFY2(read.ok(), read.ok() ? "" : read.error().message.c_str());
            imatrix = std::move(read).value();
            options.imatrix = &*imatrix;
            options.imatrixFileName = name + "-imatrix.gguf";
            presetOptions.hasImatrix = true;
        }
        options.fileType = static_cast<std::uint32_t>(preset->ftype);
        options.measureError = false;
        options.threads = 2;

        auto model = openModel(dir + name + "-f16.gguf");
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());
        auto plan = buildLlamaPlanForModel(*model, *preset, presetOptions);
        QVERIFY(plan.ok());
        QTemporaryDir tmp;
        const std::string out = tmp.filePath(QStringLiteral("out.gguf")).toStdString();
        CancelToken cancel;
        NullProgressSink progress;
        auto report = quantizeModel(*model, *plan, out, options, cancel, progress);
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().message.c_str());

        auto written = openModel(out);
        QVERIFY(written.ok());
        QCOMPARE(written->tensors().size(), golden["tensors"].size());
        for (const auto& g : golden["tensors"]) {
            const std::string tensor = g["name"].get<std::string>();
            const TensorInfo* t = written->findTensor(tensor);
            QVERIFY2(t, tensor.c_str());
            QCOMPARE(QString(ggmlTypeInfo(t->type).name.data()),
                     QString::fromStdString(g["type"].get<std::string>()));
            QCOMPARE(t->byteSize, g["bytes"].get<std::uint64_t>());
            std::vector<std::byte> bytes(t->byteSize);
            QVERIFY(written->readTensorData(*t, bytes).ok());
            const QByteArray hash =
                QCryptographicHash::hash(QByteArrayView(reinterpret_cast<const char*>(bytes.data()),
                                                        static_cast<qsizetype>(bytes.size())),
                                         QCryptographicHash::Sha256)
                    .toHex();
            QVERIFY2(hash == QByteArray::fromStdString(g["sha256"].get<std::string>()),
                     (tensor + " differs from llama-quantize's").c_str());
        }
    }
};

QTEST_APPLESS_MAIN(TestQuantizeArchGolden)
#include "tst_quantize_arch_golden.moc"
