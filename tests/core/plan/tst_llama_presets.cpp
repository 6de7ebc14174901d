// llama-quantize's per-tensor type choices, checked against every output in
// tests/data/golden/gguf (made by llama.cpp de3ff815): same preset, same options, same types.
#include "core/plan/llama_presets.h"

#include <QDir>
#include <QTest>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace qs::core;

namespace {

const QString kGgufDir = QStringLiteral(QS_GOLDEN_DIR "/gguf/");

nlohmann::json readJson(const QString& path) {
    std::ifstream in(path.toStdString());
    return nlohmann::json::parse(in);
}

std::vector<TensorDesc> sourceTensors(const nlohmann::json& source) {
    std::vector<TensorDesc> tensors;
    for (const auto& t : source["tensors"]) {
        TensorDesc d;
        d.name = t["name"].get<std::string>();
        d.dims = t["dims"].get<std::vector<std::int64_t>>();
        d.sourceType = ggmlTypeByName(t["type"].get<std::string>())->type;
        tensors.push_back(std::move(d));
    }
    return tensors;
}

ModelShape shapeOf(const nlohmann::json& metadata) {
    ModelShape shape;
    const std::string arch = metadata["general.architecture"].get<std::string>();
    shape.architecture = arch;
    shape.nLayer = metadata[arch + ".block_count"].get<int>();
    shape.nHead = metadata[arch + ".attention.head_count"].get<int>();
    shape.nHeadKv = metadata.value(arch + ".attention.head_count_kv", shape.nHead);
    shape.nExpert = metadata.value(arch + ".expert_count", 0);
    return shape;
}

// The preset and options of a llama-quantize command line:
// llama-quantize [options] IN OUT TYPE NTHREADS
bool parseCommand(const std::string& command, std::string& preset, PresetOptions& options) {
    std::istringstream words(command);
    std::vector<std::string> args;
    for (std::string w; words >> w;) {
        args.push_back(w);
    }
    if (args.size() < 5) {
        return false;
    }
    preset = args[args.size() - 2];
    for (std::size_t i = 1; i + 4 < args.size() + 0 && i < args.size() - 4; ++i) {
        if (args[i] == "--pure") {
            options.pure = true;
        } else if (args[i] == "--imatrix") {
            options.hasImatrix = true;
            ++i;
        } else if (args[i] == "--tensor-type") {
            auto o = parseTensorTypeOverride(args[++i]);
            if (!o) {
                return false;
            }
            options.tensorTypes.push_back(*o);
        } else {
            return false;
        }
    }
    return true;
}

} // namespace

class TestLlamaPresets : public QObject {
    Q_OBJECT

private slots:
    void presetLookup() {
        QCOMPARE(llamaPresetByName("q4_k_m")->ftype, LlamaFtype::Q4_K_M);
        QCOMPARE(llamaPresetByName("Q4_K")->ftype, LlamaFtype::Q4_K_M);
        QCOMPARE(llamaPresetByName("Q3_K")->ftype, LlamaFtype::Q3_K_M);
        QCOMPARE(llamaPresetByName("15")->name, std::string_view("Q4_K_M"));
        QCOMPARE(llamaPresetByName("IQ2_S")->defaultType, GgmlType::IQ2_XS);
        QVERIFY(llamaPresetByName("Q4_K_X") == nullptr);
    }

    void tensorTypeOverrideParsing() {
        auto o = parseTensorTypeOverride("ATTN_V=q8_0");
        QVERIFY(o.ok());
        QCOMPARE(o->pattern, std::string("attn_v"));
        QCOMPARE(o->type, GgmlType::Q8_0);
        QVERIFY(!parseTensorTypeOverride("attn_v").ok());
        QVERIFY(!parseTensorTypeOverride("attn_v=q9_9").ok());
        PresetOptions bad;
        bad.tensorTypes.push_back({"(", GgmlType::Q8_0});
        QVERIFY(!buildLlamaPlan(*llamaPresetByName("Q4_0"), {}, ModelShape{}, bad).ok());
    }

    void imatrixRequirement() {
        QVERIFY(llamaRequiresImatrix("blk.0.ffn_up.weight", GgmlType::IQ2_XS, LlamaFtype::IQ2_XS));
        QVERIFY(!llamaRequiresImatrix("output.weight", GgmlType::IQ2_XS, LlamaFtype::IQ2_XS));
        QVERIFY(llamaRequiresImatrix("blk.0.ffn_up.weight", GgmlType::Q2_K, LlamaFtype::Q2_K_S));
        QVERIFY(!llamaRequiresImatrix("blk.0.ffn_up.weight", GgmlType::Q2_K, LlamaFtype::Q2_K));
    }

    void matchesLlamaQuantize_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("file");
        int count = 0;
        for (const char* model : {"stories260K", "shakespeare-3M"}) {
            const QDir dir(kGgufDir + QLatin1String(model));
            for (const QString& f : dir.entryList({"*.json"}, QDir::Files, QDir::Name)) {
                if (f.endsWith("-F32.json")) {
                    continue;
                }
                QTest::newRow(qPrintable(f)) << QString::fromLatin1(model) << dir.filePath(f);
                ++count;
            }
        }
        // Every preset of both models, the variants, and the ten i-quant presets with an imatrix.
        QVERIFY(count == 19 + 33);
    }

    void matchesLlamaQuantize() {
        QFETCH(QString, model);
        QFETCH(QString, file);
        const auto source = readJson(kGgufDir + model + "/" + model + "-F32.json");
        const auto golden = readJson(file);

        std::string presetName;
        PresetOptions options;
        QVERIFY2(parseCommand(golden["command"].get<std::string>(), presetName, options),
                 golden["command"].get<std::string>().c_str());
        const auto* preset = llamaPresetByName(presetName);
        QVERIFY(preset);
        QCOMPARE(golden["metadata"]["general.file_type"].get<std::uint32_t>(),
                 static_cast<std::uint32_t>(preset->ftype));

        const auto tensors = sourceTensors(source);
        auto plan = buildLlamaPlan(*preset, tensors, shapeOf(source["metadata"]), options);
        QVERIFY(plan.ok());
        QCOMPARE(plan->size(), golden["tensors"].size());
        const bool hasOutput = std::any_of(tensors.begin(), tensors.end(), [](const TensorDesc& d) {
            return d.name == "output.weight";
        });
        std::size_t i = 0;
        for (const auto& t : golden["tensors"]) {
            const auto name = t["name"].get<std::string>();
            // Same order as llama-quantize wrote them.
            QCOMPARE(QString::fromStdString(plan->tensors()[i++].name),
                     QString::fromStdString(name));
            const auto type = plan->typeOf(name);
            QVERIFY2(type.has_value(), name.c_str());
            // The single-tensor path agrees for these one-tensor-per-layer models.
            const auto& desc = *std::find_if(tensors.begin(), tensors.end(),
                                             [&](const TensorDesc& d) { return d.name == name; });
            const auto single =
                llamaTensorType(*preset, desc, shapeOf(source["metadata"]), options, !hasOutput);
            QVERIFY(single.ok());
            QCOMPARE(single->type, *type);
            QCOMPARE(single->fellBack, plan->find(name)->fellBack);
            QCOMPARE(QString::fromStdString(std::string(ggmlTypeInfo(*type).name)) + " " +
                         QString::fromStdString(name),
                     QString::fromStdString(t["type"].get<std::string>() + " " + name));
        }
    }
};

QTEST_APPLESS_MAIN(TestLlamaPresets)
#include "tst_llama_presets.moc"
