#include "core/workflows/compare_variants.h"

#include "core/eval/eval_model.h"
#include "core/eval/llama_context.h"
#include "core/eval/logprob_file.h"
#include "core/eval/perplexity.h"
#include "core/eval/text_input.h"
#include "core/export/quantize_model.h"
#include "core/fs/content_hash.h"
#include "core/io/model_reader.h"
#include "core/jobs/threads.h"
#include "core/model/model.h"
#include "core/model/tensor_role.h"
#include "core/plan/llama_presets.h"
#include "core/plan/model_plan.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <unistd.h>

namespace qs::core {

namespace {

namespace fs = std::filesystem;

// The storage type of most of the model's weights ("F32", "F16", "Q8_0", ...).
std::string dominantType(const Model& model, std::uint64_t* parameters, std::uint64_t* bytes) {
    std::map<GgmlType, std::uint64_t> elements;
    *parameters = 0;
    *bytes = 0;
    for (const TensorInfo& t : model.tensors()) {
        *parameters += t.elementCount();
        *bytes += t.byteSize;
        if (t.dims.size() >= 2) {
            elements[t.type] += t.elementCount();
        }
    }
    const auto best =
        std::max_element(elements.begin(), elements.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    return best == elements.end() ? std::string("input")
                                  : std::string(ggmlTypeInfo(best->first).name);
}

// KLD (and PPL) of `file` against the cached reference, and its speed.
Status evaluateVariant(const std::string& file, const std::string& referencePath, std::int32_t bos,
                       const CompareVariantsOptions& options, int threads, ProgressSink& progress,
                       const CancelToken& cancel, VariantResult& row) {
    auto model = openEvalModel(file);
    if (!model) {
        return model.error();
    }
    // A reader per variant: it reads the reference chunks in order.
    auto reference = LogProbReader::open(referencePath);
    if (!reference) {
        return reference.error();
    }
    LlamaContext context(model->weights, options.contextLength, threads, options.backend);
    auto k = computeKlDivergence(context, *reference, bos, options.maxChunks, options.batchSize,
                                 progress, cancel);
    if (!k) {
        return k.error();
    }
    row.kld = *k;
    if (options.measureSpeed) {
        ThroughputOptions speed = options.speed;
        speed.promptTokens = std::min(speed.promptTokens, options.contextLength);
        speed.genTokens = std::min(speed.genTokens, options.contextLength);
        auto s = measureThroughput(context, speed, cancel);
        if (!s) {
            return s.error();
        }
        row.speed = *s;
    }
    return {};
}

// Bytes on disk of a variant file or folder; `weightBytes` receives those of its weight files
// (.safetensors, .gguf, .bin) for a folder, the whole size for a file.
std::uint64_t onDiskBytes(const fs::path& path, std::uint64_t* weightBytes) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
        const auto size = fs::file_size(path, ec);
        *weightBytes = ec ? 0 : size;
        return *weightBytes;
    }
    std::uint64_t total = 0;
    *weightBytes = 0;
    for (const auto& entry : fs::directory_iterator(path, ec)) {
        if (!entry.is_regular_file(ec)) {
            continue;
        }
        const auto size = entry.file_size(ec);
        if (ec) {
            continue;
        }
        total += size;
        const auto ext = entry.path().extension().string();
        if (ext == ".safetensors" || ext == ".gguf" || ext == ".bin") {
            *weightBytes += size;
        }
    }
    return total;
}

// Removes the temporary folder of the variants on every way out of compareVariants.
class TemporaryFolder {
public:
    TemporaryFolder() = default;
    TemporaryFolder(const TemporaryFolder&) = delete;
    TemporaryFolder& operator=(const TemporaryFolder&) = delete;
    ~TemporaryFolder() {
        if (!m_path.empty()) {
            std::error_code ec;
            fs::remove_all(m_path, ec);
        }
    }
    void set(fs::path path) { m_path = std::move(path); }

private:
    fs::path m_path;
};

} // namespace

Result<CompareVariantsResult>
compareVariants(const std::string& modelPath, const std::string& text,
                const CompareVariantsOptions& options, CancelToken& cancel, ProgressSink& progress,
                const std::function<void(const VariantResult&)>& onVariant) {
    std::vector<const LlamaPreset*> presets;
    for (const std::string& name : options.presets) {
        const LlamaPreset* p = llamaPresetByName(name);
        if (!p) {
            return makeError(ErrorCode::InvalidArgument, "unknown preset '" + name + "'");
        }
        presets.push_back(p);
    }
    const int threads = effectiveThreads(options.threads);
    auto source = openModel(modelPath);
    if (!source) {
        return source.error();
    }
    auto input = openEvalModel(modelPath);
    if (!input) {
        return input.error();
    }
    if (!input->tokenizer) {
        return makeError(ErrorCode::InvalidArgument, modelPath + " has no tokenizer");
    }
    // Calibrated twins of the presets, compared right after them.
    std::vector<PlanVariant> plans;
    if (options.calibrated) {
        PresetOptions presetOptions;
        presetOptions.hasImatrix = options.imatrix != nullptr;
        for (const LlamaPreset* preset : presets) {
            auto plan = buildLlamaPlanForModel(*source, *preset, presetOptions);
            if (!plan) {
                return plan.error();
            }
            plans.push_back({std::string(preset->name) + "+cal", std::move(*plan),
                             static_cast<std::uint32_t>(preset->ftype), true});
        }
    }
    plans.insert(plans.end(), options.plans.begin(), options.plans.end());
    const auto tokens = input->tokenizer->encode(text, true);
    const std::int32_t bos = input->tokenizer->bos();
    CompareVariantsResult result;
    result.tokens = static_cast<std::int64_t>(tokens.size());

    // The input model's distribution, computed once (or found in the cache).
    PerplexityOptions pplOptions;
    pplOptions.contextLength = options.contextLength;
    pplOptions.maxChunks = options.maxChunks;
    pplOptions.batchSize = options.batchSize;
    auto modelHash = fileHash64(modelPath);
    if (!modelHash) {
        const std::string p = fs::absolute(modelPath).string();
        modelHash = contentHash64(std::as_bytes(std::span(p.data(), p.size())));
    }
    const std::uint64_t textHash =
        contentHash64(std::as_bytes(std::span(text.data(), text.size())));
    const std::string cacheDir = options.cacheDir.empty()
                                     ? (fs::temp_directory_path() / "quantscope-kld").string()
                                     : options.cacheDir;
    result.referenceCache =
        referenceCachePath(cacheDir, *modelHash, textHash, options.contextLength);
    const auto total =
        static_cast<std::uint64_t>(presets.size() + plans.size() + options.files.size() + 1);
    progress.progress(0, total, "variants", "reference");
    if (!options.referenceFile.empty()) {
        auto file = LogProbReader::open(options.referenceFile);
        if (!file) {
            return file.error();
        }
        if (static_cast<int>(file->header().contextLength) != options.contextLength) {
            return makeError(ErrorCode::InvalidArgument,
                             options.referenceFile + " was computed with a context of " +
                                 std::to_string(file->header().contextLength) + ", not " +
                                 std::to_string(options.contextLength));
        }
        result.referenceCache = options.referenceFile;
        result.referenceCacheReused = true;
    } else {
        LlamaContext reference(input->weights, options.contextLength, threads, options.backend);
        NullProgressSink quiet;
        auto reused = ensureReferenceLogProbs(result.referenceCache, reference, tokens, bos,
                                              pplOptions, quiet, cancel);
        if (!reused) {
            return reused.error();
        }
        result.referenceCacheReused = *reused;
    }

    std::uint64_t parameters = 0;
    std::uint64_t tensorBytes = 0;
    VariantResult base;
    base.name = dominantType(*source, &parameters, &tensorBytes);
    base.isReference = true;
    base.path = modelPath;
    base.fileBytes = input->fileBytes;
    base.bitsPerWeight =
        parameters ? 8.0 * static_cast<double>(tensorBytes) / static_cast<double>(parameters) : 0;
    {
        NullProgressSink quiet;
        if (auto st = evaluateVariant(modelPath, result.referenceCache, bos, options, threads,
                                      quiet, cancel, base);
            !st) {
            return st.error();
        }
    }
    base.ppRatio = base.tgRatio = base.speed ? 1.0 : 0.0;
    result.variants.push_back(base);
    if (onVariant) {
        onVariant(base);
    }
    progress.progress(1, total, "variants", base.name);

    const bool temporary = options.outputDir.empty();
    const fs::path dir =
        temporary ? fs::temp_directory_path() / ("quantscope-compare-" + std::to_string(::getpid()))
                  : fs::path(options.outputDir);
    std::error_code ec;
    TemporaryFolder temporaryFolder;
    const bool needsDir = !presets.empty() || !plans.empty();
    if (needsDir) {
        if (temporary) {
            temporaryFolder.set(dir);
        }
        fs::create_directories(dir, ec);
        if (ec) {
            return makeError(ErrorCode::Io, dir.string() + ": " + ec.message());
        }
    }
    const std::string stem = fs::path(modelPath).stem().string();
    const std::size_t generated = presets.size() + plans.size();
    for (std::size_t i = 0; i < generated + options.files.size(); ++i) {
        if (cancel.isCancelled()) {
            return makeError(ErrorCode::Cancelled, "comparison cancelled");
        }
        VariantResult row;
        Result<QuantPlan> plan = QuantPlan{};
        std::uint32_t fileType = 0;
        if (i >= generated) {
            const FileVariant& file = options.files[i - generated];
            row.name = file.name;
            row.path = file.path;
            if (!fs::exists(file.path, ec)) {
                row.error = file.path + ": no such file or folder";
            } else {
                std::uint64_t weightBytes = 0;
                row.fileBytes = onDiskBytes(file.path, &weightBytes);
                row.bitsPerWeight = parameters ? 8.0 * static_cast<double>(weightBytes) /
                                                     static_cast<double>(parameters)
                                               : 0;
                NullProgressSink quiet;
                if (auto st = evaluateVariant(file.path, result.referenceCache, bos, options,
                                              threads, quiet, cancel, row);
                    !st) {
                    if (st.error().code == ErrorCode::Cancelled) {
                        return st.error();
                    }
                    row.error = st.error().message;
                }
            }
        } else if (i < presets.size()) {
            const LlamaPreset& preset = *presets[i];
            row.name = std::string(preset.name);
            PresetOptions presetOptions;
            presetOptions.hasImatrix = options.imatrix != nullptr;
            plan = buildLlamaPlanForModel(*source, preset, presetOptions);
            fileType = static_cast<std::uint32_t>(preset.ftype);
        } else {
            const PlanVariant& variant = plans[i - presets.size()];
            row.name = variant.name;
            plan = variant.plan;
            fileType = variant.fileType;
        }
        if (i < generated) {
            row.path = (dir / (stem + "-" + row.name + ".gguf")).string();
        }
        if (i >= generated) {
            // evaluated above
        } else if (!plan) {
            row.error = plan.error().message;
        } else if (!options.imatrix &&
                   ((i < presets.size() &&
                     llamaPresetRequiresImatrix(static_cast<LlamaFtype>(fileType))) ||
                    firstTensorNeedingImatrix(*plan, static_cast<LlamaFtype>(fileType)))) {
            row.error = row.name + " needs an importance matrix";
        }
        if (row.error.empty() && i < generated) {
            QuantizeOptions qopt;
            qopt.imatrix = options.imatrix;
            qopt.imatrixFileName = options.imatrixFileName;
            qopt.fileType = fileType;
            qopt.threads = static_cast<unsigned>(threads);
            qopt.backend = options.backend;
            // The round trip feeds the per-layer error curves; it costs one dequantization
            // per tensor, small next to the evaluation that follows.
            qopt.measureError = true;
            NullProgressSink quiet;
            const auto start = std::chrono::steady_clock::now();
            // Calibrated rounding: the block linears' bytes first (their time counts as the
            // variant's quantization time).
            CalibratedGgufLinears calibrated;
            const bool calibrate = i >= presets.size() && plans[i - presets.size()].calibrated;
            if (calibrate && !options.calibrated) {
                return makeError(ErrorCode::InvalidArgument,
                                 row.name + ": calibrated rounding needs a calibration text");
            }
            Status calibration;
            if (calibrate) {
                auto linears =
                    calibrateGgufLinears(*source, *plan, qopt, *options.calibrated, cancel, quiet);
                if (linears) {
                    calibrated = std::move(*linears);
                    qopt.precomputed = &calibrated.bytes;
                } else {
                    calibration = Status(linears.error());
                }
            }
            // A failed calibration is the row's error, handled (cancel included) as a failed
            // quantization is.
            auto report = calibration ? quantizeModel(*source, *plan, row.path, qopt, cancel, quiet)
                                      : Result<QuantizeReport>(calibration.error());
            row.quantizeSeconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            if (!report) {
                if (report.error().code == ErrorCode::Cancelled) {
                    return report.error();
                }
                row.error = report.error().message;
            } else {
                row.fileBytes = report->fileBytes;
                row.bitsPerWeight = report->bitsPerWeight;
                for (const TensorQuantResult& t : report->tensors) {
                    if (!t.error) {
                        continue; // kept its stored type
                    }
                    VariantTensorError e;
                    e.name = t.name;
                    e.layer = tensorLayerIndex(t.name).value_or(-1);
                    e.parameters = t.parameters;
                    e.relativeRmse = t.error->relativeRmse;
                    e.weightedMse = t.error->weightedMse;
                    row.tensorErrors.push_back(std::move(e));
                }
                if (auto st = evaluateVariant(row.path, result.referenceCache, bos, options,
                                              threads, quiet, cancel, row);
                    !st) {
                    if (st.error().code == ErrorCode::Cancelled) {
                        return st.error();
                    }
                    row.error = st.error().message;
                }
            }
            if (temporary) {
                fs::remove(row.path, ec);
                row.path.clear();
            }
        }
        row.deltaPpl = row.error.empty() ? row.kld.ppl - base.kld.ppl : 0;
        if (row.speed && base.speed) {
            const auto ratio = [](double a, double b) {
                return b > 0 ? a / b : 0.0;
            };
            row.ppRatio = ratio(row.speed->promptProcessing.tokensPerSecond,
                                base.speed->promptProcessing.tokensPerSecond);
            row.tgRatio = ratio(row.speed->generation.tokensPerSecond,
                                base.speed->generation.tokensPerSecond);
        }
        result.variants.push_back(row);
        if (onVariant) {
            onVariant(row);
        }
        progress.progress(i + 2, total, "variants", row.name);
    }
    return result;
}

Result<CompareVariantsResult>
compareVariantsOnTextFile(const std::string& modelPath, const std::string& textPath,
                          const CompareVariantsOptions& options, CancelToken& cancel,
                          ProgressSink& progress,
                          const std::function<void(const VariantResult&)>& onVariant) {
    auto text = readEvalText(textPath);
    if (!text) {
        return text.error();
    }
    return compareVariants(modelPath, *text, options, cancel, progress, onVariant);
}

} // namespace qs::core
