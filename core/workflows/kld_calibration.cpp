#include "core/workflows/kld_calibration.h"

#include "core/eval/eval_model.h"
#include "core/eval/kl_divergence.h"
#include "core/eval/llama_context.h"
#include "core/eval/logprob_file.h"
#include "core/export/quantize_model.h"
#include "core/fs/atomic_file.h"
#include "core/fs/content_hash.h"
#include "core/io/model_reader.h"
#include "core/jobs/threads.h"
#include "core/model/model.h"
#include "core/plan/sensitivity_cache.h"
#include "core/quant/format_registry.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

namespace qs::core {
namespace {

namespace fs = std::filesystem;

constexpr int kCalibrationVersion = 1;

} // namespace

Result<KldCalibration> calibrateWithKld(const std::string& modelPath, const SensitivityTable& table,
                                        const KldCalibrationOptions& options, CancelToken& cancel,
                                        ProgressSink& progress) {
    const int threads = effectiveThreads(options.threads);
    const std::string cacheDir =
        options.cacheDir.empty() ? (fs::temp_directory_path() / "quantscope-sensitivity").string()
                                 : options.cacheDir;
    auto source = openModel(modelPath);
    if (!source) {
        return source.error();
    }
    const std::uint64_t textHash =
        contentHash64(std::as_bytes(std::span(options.text.data(), options.text.size())));
    KldCalibration result;
    result.cacheFile =
        (fs::path(cacheDir) /
         ("kldcal-" + hashHex(sensitivityModelKey(*source)) + "-" +
          hashHex(sensitivityImatrixKey(options.imatrix)) + "-" + hashHex(textHash) + "-c" +
          std::to_string(options.contextLength) + "-n" + std::to_string(options.maxChunks) + "-" +
          std::string(ggmlTypeInfo(options.probeType).name) + ".json"))
            .string();

    // The probe KLDs depend on nothing the table's candidates change, so a cached file
    // covering every row is reused as is.
    if (std::ifstream in(result.cacheFile); in) {
        std::stringstream text;
        text << in.rdbuf();
        const auto json = nlohmann::json::parse(text.str(), nullptr, false);
        if (!json.is_discarded() && json.is_object() &&
            json.value("version", 0) == kCalibrationVersion && json.contains("probe_kld") &&
            json["probe_kld"].is_object()) {
            for (const auto& [name, v] : json["probe_kld"].items()) {
                if (v.is_number()) {
                    result.probeKld[name] = v.get<double>();
                }
            }
        }
    }

    std::vector<std::size_t> todo;
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        if (!result.probeKld.count(table.rows[i].name)) {
            todo.push_back(i);
        }
    }
    result.cached = todo.empty();
    if (!todo.empty()) {
        auto input = openEvalModel(modelPath);
        if (!input) {
            return input.error();
        }
        if (!input->tokenizer) {
            return makeError(ErrorCode::InvalidArgument, modelPath + " has no tokenizer");
        }
        const auto tokens = input->tokenizer->encode(options.text, true);
        const std::int32_t bos = input->tokenizer->bos();
        auto modelHash = fileHash64(modelPath);
        if (!modelHash) {
            return modelHash.error();
        }
        const std::string reference =
            referenceCachePath(cacheDir, *modelHash, textHash, options.contextLength);
        std::error_code ec;
        fs::create_directories(cacheDir, ec);
        {
            PerplexityOptions ppl;
            ppl.contextLength = options.contextLength;
            ppl.maxChunks = options.maxChunks;
            ppl.batchSize = options.batchSize;
            LlamaContext context(input->weights, options.contextLength, threads);
            NullProgressSink quiet;
            auto reused =
                ensureReferenceLogProbs(reference, context, tokens, bos, ppl, quiet, cancel);
            if (!reused) {
                return reused.error();
            }
        }
        // Unique per process and call: the GUI may calibrate two models at once.
        static std::atomic<unsigned> counter{0};
        const fs::path probePath =
            fs::temp_directory_path() / ("quantscope-kldcal-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(counter.fetch_add(1)) + ".gguf");
        for (std::size_t k = 0; k < todo.size(); ++k) {
            const SensitivityRow& row = table.rows[todo[k]];
            progress.progress(k, todo.size(), "probes", row.name);
            if (cancel.isCancelled()) {
                break;
            }
            GgmlType probe = options.probeType;
            if (!row.find(probe)) {
                probe = row.points.front().type;
            }
            QuantPlan plan;
            plan.set(row.name, probe);
            QuantizeOptions qopt;
            qopt.imatrix = options.imatrix;
            qopt.threads = static_cast<unsigned>(threads);
            qopt.measureError = false;
            NullProgressSink quiet;
            auto written = quantizeModel(*source, plan, probePath.string(), qopt, cancel, quiet);
            if (!written) {
                fs::remove(probePath, ec);
                return written.error();
            }
            auto model = openEvalModel(probePath.string());
            if (!model) {
                fs::remove(probePath, ec);
                return model.error();
            }
            auto base = LogProbReader::open(reference);
            if (!base) {
                fs::remove(probePath, ec);
                return base.error();
            }
            LlamaContext context(model->weights, options.contextLength, threads);
            auto kld = computeKlDivergence(context, *base, bos, options.maxChunks,
                                           options.batchSize, quiet, cancel);
            fs::remove(probePath, ec);
            if (!kld) {
                return kld.error();
            }
            result.probeKld[row.name] = kld->kldMean;
        }
        // Saved even when cancelled: finished probes need not run again.
        nlohmann::json probes = nlohmann::json::object();
        for (const auto& [name, v] : result.probeKld) {
            probes[name] = v;
        }
        const nlohmann::json json = {
            {"format", "quantscope-kld-calibration"},
            {"version", kCalibrationVersion},
            {"probe_type", std::string(ggmlTypeInfo(options.probeType).name)},
            {"probe_kld", probes}};
        if (Status s = writeFileAtomically(result.cacheFile, json.dump(1)); !s) {
            return s.error();
        }
        if (cancel.isCancelled()) {
            return makeError(ErrorCode::Cancelled, "KLD calibration cancelled");
        }
    }

    // Gains, normalised to a mean of 1 so that objectives stay on the table's scale.
    double sum = 0;
    for (const SensitivityRow& row : table.rows) {
        const SensitivityPoint* p = row.find(options.probeType);
        if (!p) {
            p = &row.points.front();
        }
        const double g = p->error > 0 ? result.probeKld[row.name] / p->error : 0.0;
        result.gains[row.name] = g;
        sum += g;
    }
    const double mean = table.rows.empty() ? 1.0 : sum / static_cast<double>(table.rows.size());
    for (auto& [name, g] : result.gains) {
        // A probe below the measurement's resolution still gets a small weight, so the
        // optimizer does not strip that tensor to its cheapest format on no evidence.
        g = mean > 0 ? std::max(g / mean, 0.01) : 1.0;
    }
    progress.progress(todo.size(), todo.size(), "probes", "");
    return result;
}

} // namespace qs::core
