// Issue 20: a GGUF with calibrated rounding (quantize --calibrate) on shakespeare-3M with a
// CI-sized calibration: every tensor has the preset's type and byte size, the block linears
// carry the calibrated bytes, everything else is llama-quantize's, and the file evaluates.
#include "core/eval/eval_model.h"
#include "core/eval/llama_context.h"
#include "core/export/quantize_model.h"
#include "core/io/imatrix.h"
#include "core/io/model_reader.h"
#include "core/model/model.h"
#include "core/plan/llama_presets.h"
#include "core/plan/model_plan.h"
#include "core/workflows/calibrated_gguf.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace qs::core;

namespace {

const std::string kModel = QS_TEST_DATA_DIR "/models/shakespeare-3M-f32.gguf";
const std::string kImatrix = QS_TEST_DATA_DIR "/golden/imatrix/shakespeare-3M-imatrix.gguf";
const std::string kCalib = QS_TEST_DATA_DIR "/gptq/tinyshakespeare-20k.txt";
const std::string kMoe = QS_SHARED_DIR "/golden/arch/qwen3moe/qwen3moe";

std::vector<std::byte> tensorBytes(const Model& model, const TensorInfo& t) {
    std::vector<std::byte> raw(t.byteSize);
    return model.readTensorData(t, raw) ? raw : std::vector<std::byte>();
}

// A CI-sized calibration: `samples` segments of 64 tokens of the 20 kB excerpt, 2 threads.
CalibratedGgufOptions smallCalibration(int samples) {
    CalibratedGgufOptions co;
    co.calibrationText = kCalib;
    co.calibration.nsamples = samples;
    co.calibration.seqlen = 64;
    co.calibration.threads = 2;
    co.rounding.threads = 2;
    return co;
}

} // namespace

class TestCalibratedGguf : public QObject {
    Q_OBJECT

private slots:
    void presetTypesAndSizesKept() {
        auto model = openModel(kModel);
        QVERIFY2(model, model ? "" : model.error().message.c_str());
        auto imatrix = readImatrix(kImatrix);
        QVERIFY2(imatrix, imatrix ? "" : imatrix.error().message.c_str());
        const LlamaPreset* preset = llamaPresetByName("Q3_K_M");
        QVERIFY(preset);
        PresetOptions presetOptions;
        presetOptions.hasImatrix = true;
        auto plan = buildLlamaPlanForModel(*model, *preset, presetOptions);
        QVERIFY(plan);

        QuantizeOptions options;
        options.imatrix = &*imatrix;
        options.imatrixFileName = "shakespeare-3M-imatrix.gguf";
        options.fileType = static_cast<std::uint32_t>(preset->ftype);
        options.threads = 2;
        const CalibratedGgufOptions co = smallCalibration(4);
        CancelToken cancel;
        NullProgressSink progress;
        auto linears = calibrateGgufLinears(*model, *plan, options, co, cancel, progress);
        QVERIFY2(linears, linears ? "" : linears.error().message.c_str());
        QCOMPARE(linears->reports.size(), std::size_t{4 * 7});
        QCOMPARE(linears->calibrationTokens, std::int64_t{4 * 64});
        QVERIFY(!linears->bytes.empty());
        for (const auto& r : linears->reports) {
            // What is kept never does worse than llama-quantize's rounding on the calibration.
            QVERIFY2(r.error <= r.rtnError, r.name.c_str());
            QCOMPARE(linears->bytes.count(r.name) == 1, r.error < r.rtnError);
        }

        QTemporaryDir dir;
        const std::string plainPath = dir.filePath("plain.gguf").toStdString();
        const std::string calibratedPath = dir.filePath("calibrated.gguf").toStdString();
        QVERIFY(quantizeModel(*model, *plan, plainPath, options, cancel, progress));
        QuantizeOptions withBytes = options;
        withBytes.precomputed = &linears->bytes;
        auto report = quantizeModel(*model, *plan, calibratedPath, withBytes, cancel, progress);
        QVERIFY2(report, report ? "" : report.error().message.c_str());

        auto plain = openModel(plainPath);
        auto calibrated = openModel(calibratedPath);
        QVERIFY(plain && calibrated);
        QCOMPARE(calibrated->tensors().size(), plain->tensors().size());
        int changed = 0;
        for (std::size_t i = 0; i < plain->tensors().size(); ++i) {
            const TensorInfo& p = plain->tensors()[i];
            const TensorInfo& c = calibrated->tensors()[i];
            QCOMPARE(c.name, p.name);
            QCOMPARE(c.type, p.type);
            QCOMPARE(c.byteSize, p.byteSize);
            const auto cb = tensorBytes(*calibrated, c);
            QCOMPARE(cb.size(), c.byteSize);
            if (auto it = linears->bytes.find(c.name); it != linears->bytes.end()) {
                QVERIFY(cb == it->second);
                changed += cb != tensorBytes(*plain, p);
            } else {
                QVERIFY2(cb == tensorBytes(*plain, p), c.name.c_str());
            }
        }
        QVERIFY(changed > 0);

        auto em = makeEvalModel(*calibrated);
        QVERIFY2(em, em ? "" : em.error().message.c_str());
        LlamaContext ctx(em->weights, 32, 1);
        const std::vector<std::int32_t> toks = {1, 50, 60, 70};
        std::vector<float> logits;
        QVERIFY(ctx.evaluate(toks, 3, logits));
        QVERIFY(!logits.empty());
        for (float v : logits) {
            QVERIFY(std::isfinite(v));
        }

        // Bytes of the wrong size are refused before anything is written.
        std::map<std::string, std::vector<std::byte>> wrong;
        wrong["blk.0.attn_q.weight"] = std::vector<std::byte>(10);
        withBytes.precomputed = &wrong;
        const std::string wrongPath = dir.filePath("wrong.gguf").toStdString();
        auto refused = quantizeModel(*model, *plan, wrongPath, withBytes, cancel, progress);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, ErrorCode::InvalidArgument);
    }
    // Issue 19: a mixture of experts (the golden qwen3moe, Q4_K_M with llama-imatrix's matrix):
    // each expert calibrated on the tokens routed to it, a starved expert keeping
    // llama-quantize's rounding, and every stacked expert tensor written whole with each
    // expert's slice either its calibrated bytes or llama-quantize's.
    void mixtureOfExpertsCalibratedPerExpert() {
        if (!QFile::exists(QString::fromStdString(kMoe + "-f16.gguf"))) {
            QSKIP("../shared/golden/arch is not beside this checkout");
        }
        auto model = openModel(kMoe + "-f16.gguf");
        QVERIFY2(model, model ? "" : model.error().message.c_str());
        auto imatrix = readImatrix(kMoe + "-imatrix.gguf");
        QVERIFY2(imatrix, imatrix ? "" : imatrix.error().message.c_str());
        const LlamaPreset* preset = llamaPresetByName("Q4_K_M");
        QVERIFY(preset);
        PresetOptions presetOptions;
        presetOptions.hasImatrix = true;
        auto plan = buildLlamaPlanForModel(*model, *preset, presetOptions);
        QVERIFY(plan);
        QuantizeOptions options;
        options.imatrix = &*imatrix;
        options.imatrixFileName = "qwen3moe-imatrix.gguf";
        options.fileType = static_cast<std::uint32_t>(preset->ftype);
        options.measureError = false;
        options.threads = 2;
        CalibratedGgufOptions co = smallCalibration(16);
        // 1024 tokens, 2048 routed slots over 8 experts: a few experts fall under 150.
        co.calibration.minExpertTokens = 150;
        CancelToken cancel;
        NullProgressSink progress;
        auto linears = calibrateGgufLinears(*model, *plan, options, co, cancel, progress);
        QVERIFY2(linears, linears ? "" : linears.error().message.c_str());
        constexpr int kLayers = 4, kExperts = 8;
        QCOMPARE(linears->reports.size(), std::size_t{kLayers * (4 + 3 * kExperts)});
        std::map<std::string, std::vector<const LinearQuantReport*>> byTensor;
        int starved = 0, expertsCalibrated = 0;
        for (const auto& r : linears->reports) {
            QVERIFY2(r.error <= r.rtnError, r.name.c_str());
            if (r.expert < 0) {
                QCOMPARE(linears->bytes.count(r.name) == 1, r.error < r.rtnError);
                QCOMPARE(r.tokens, std::int64_t{16 * 64});
                continue;
            }
            const std::string tensor = r.name.substr(0, r.name.find('#'));
            QCOMPARE(r.name, expertLinearKey(tensor, r.expert));
            byTensor[tensor].push_back(&r);
            QCOMPARE(r.rtnFallback, r.tokens < 150);
            if (r.rtnFallback) {
                ++starved;
                QCOMPARE(r.error, r.rtnError); // kept llama-quantize's rounding
            }
            expertsCalibrated += r.error < r.rtnError;
        }
        QCOMPARE(byTensor.size(), std::size_t{kLayers * 3});
        qInfo("%d expert linears starved, %d kept calibrated bytes", starved, expertsCalibrated);
        QVERIFY2(starved > 0 && expertsCalibrated > 0, "expected both kinds of expert");
        // Every token goes to two experts: the routed counts of one linear's experts add up.
        for (const auto& [tensor, reports] : byTensor) {
            QCOMPARE(reports.size(), std::size_t{kExperts});
            std::int64_t routed = 0;
            for (int e = 0; e < kExperts; ++e) {
                QCOMPARE(reports[static_cast<std::size_t>(e)]->expert, e);
                routed += reports[static_cast<std::size_t>(e)]->tokens;
            }
            QCOMPARE(routed, std::int64_t{2 * 16 * 64});
        }

        QTemporaryDir dir;
        const std::string plainPath = dir.filePath("plain.gguf").toStdString();
        const std::string calibratedPath = dir.filePath("calibrated.gguf").toStdString();
        QVERIFY(quantizeModel(*model, *plan, plainPath, options, cancel, progress));
        QuantizeOptions withBytes = options;
        withBytes.precomputed = &linears->bytes;
        auto report = quantizeModel(*model, *plan, calibratedPath, withBytes, cancel, progress);
        QVERIFY2(report, report ? "" : report.error().message.c_str());
        auto plain = openModel(plainPath);
        auto calibrated = openModel(calibratedPath);
        QVERIFY(plain && calibrated);
        int expertSlicesChanged = 0;
        for (std::size_t i = 0; i < plain->tensors().size(); ++i) {
            const TensorInfo& p = plain->tensors()[i];
            const TensorInfo& c = calibrated->tensors()[i];
            QCOMPARE(c.name, p.name);
            QCOMPARE(c.type, p.type);
            QCOMPARE(c.byteSize, p.byteSize);
            const auto cb = tensorBytes(*calibrated, c);
            const auto pb = tensorBytes(*plain, p);
            const auto it = byTensor.find(c.name);
            if (it == byTensor.end()) {
                QVERIFY2(linears->bytes.count(c.name) ? cb == linears->bytes.at(c.name) : cb == pb,
                         c.name.c_str());
                continue;
            }
            // Expert by expert: calibrated bytes exactly where the report says they were kept.
            QVERIFY(linears->bytes.count(c.name) == 1);
            const std::size_t slice = c.byteSize / kExperts;
            for (const LinearQuantReport* r : it->second) {
                const auto first = static_cast<std::ptrdiff_t>(slice) * r->expert;
                const bool same = std::equal(
                    cb.begin() + first, cb.begin() + first + static_cast<std::ptrdiff_t>(slice),
                    pb.begin() + first);
                QVERIFY2(same == !(r->error < r->rtnError), r->name.c_str());
                expertSlicesChanged += !same;
            }
        }
        QCOMPARE(expertSlicesChanged, expertsCalibrated);

        // The router is left as it is, and the file evaluates.
        auto em = makeEvalModel(*calibrated);
        QVERIFY2(em, em ? "" : em.error().message.c_str());
        LlamaContext ctx(em->weights, 32, 1);
        const std::vector<std::int32_t> toks = {1, 50, 60, 70};
        std::vector<float> logits;
        QVERIFY(ctx.evaluate(toks, 3, logits));
        for (float v : logits) {
            QVERIFY(std::isfinite(v));
        }
    }
};

QTEST_APPLESS_MAIN(TestCalibratedGguf)
#include "tst_calibrated_gguf.moc"
