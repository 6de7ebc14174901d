#include "core/workflows/calibrated_export.h"

#include "core/eval/eval_model.h"
#include "core/eval/text_input.h"
#include "core/model/model.h"

#include <array>
#include <filesystem>
#include <string_view>
#include <unistd.h>

namespace qs::core {

namespace {

namespace fs = std::filesystem;

// The linears quantizeCalibrated replaces (calibrate.cpp's kLinears).
constexpr std::array<std::string_view, 7> kLinearSuffixes = {
    ".attn_q.weight",   ".attn_k.weight", ".attn_v.weight",  ".attn_output.weight",
    ".ffn_gate.weight", ".ffn_up.weight", ".ffn_down.weight"};

bool isBlockLinear(const TensorInfo& t) {
    if (t.dims.size() != 2 || !t.name.starts_with("blk.")) {
        return false;
    }
    for (const auto suffix : kLinearSuffixes) {
        if (t.name.ends_with(suffix)) {
            return true;
        }
    }
    return false;
}

// "/a/b/" -> "/a/b": writeQuantizedCheckpoint names its temporary folder after the last part.
fs::path normalizedFolder(const std::string& path) {
    fs::path p = fs::absolute(fs::path(path)).lexically_normal();
    if (!p.has_filename() && p.has_parent_path()) {
        p = p.parent_path();
    }
    return p;
}

bool isInside(const fs::path& file, const fs::path& folder) {
    std::error_code ec;
    const fs::path f = fs::weakly_canonical(file, ec);
    const fs::path d = fs::weakly_canonical(folder, ec);
    auto fi = f.begin();
    for (auto di = d.begin(); di != d.end(); ++di, ++fi) {
        if (di->empty()) {
            continue; // a trailing separator
        }
        if (fi == f.end() || *fi != *di) {
            return false;
        }
    }
    return true;
}

} // namespace

Status normalizeCalibratedOptions(CalibratedExportOptions& o) {
    if (o.method == CalibratedMethod::Awq) {
        o.gptq.bits = 4;
        o.gptq.sym = false; // AutoAWQ's zero_point = true
        o.gptq.descAct = false;
        o.checkpoint.format = "gemm";
        if (o.gptq.groupSize <= 0) {
            return makeError(ErrorCode::InvalidArgument, "AWQ needs a positive group size");
        }
    } else {
        if (o.checkpoint.format != "gptq" && o.checkpoint.format != "gptq_v2") {
            return makeError(ErrorCode::InvalidArgument,
                             "the checkpoint format is gptq or gptq_v2, not '" +
                                 o.checkpoint.format + "'");
        }
        // v1 where it can express the result (symmetric), else v2 (logged once, here).
        o.checkpoint.format = gptqCheckpointFormat(o.checkpoint.format, o.gptq.sym);
        // v1 stores zero - 1: keep zeros >= 1 so nothing overflows (symmetric zeros already are).
        o.gptq.minZeroOne = o.checkpoint.format == "gptq";
    }
    if (o.calibration.nsamples < 1 || o.calibration.seqlen < 2) {
        return makeError(ErrorCode::InvalidArgument,
                         "nsamples must be at least 1 and seqlen at least 2");
    }
    return validateGptqOptions(o.gptq, o.gptq.groupSize > 0 ? o.gptq.groupSize : 1);
}

std::uint64_t expectedCheckpointBytes(const Model& model, const CalibratedExportOptions& o) {
    const bool awq = o.method == CalibratedMethod::Awq;
    const std::uint64_t bits = awq ? 4 : static_cast<std::uint64_t>(o.gptq.bits);
    std::uint64_t bytes = 0;
    for (const TensorInfo& t : model.tensors()) {
        if (!isBlockLinear(t)) {
            bytes += t.elementCount() * 2; // F16
            continue;
        }
        const std::uint64_t cols = t.dims[0];
        const std::uint64_t rows = t.dims[1];
        const std::uint64_t groups =
            o.gptq.groupSize > 0 ? (cols + static_cast<std::uint64_t>(o.gptq.groupSize) - 1) /
                                       static_cast<std::uint64_t>(o.gptq.groupSize)
                                 : 1;
        bytes += rows * cols * bits / 8;   // qweight
        bytes += groups * rows * 2;        // f16 scales
        bytes += groups * rows * bits / 8; // qzeros
        if (!awq) {
            bytes += cols * 4; // g_idx
        }
    }
    return bytes;
}

Result<CalibratedQuantization> exportCalibratedCheckpoint(const Model& model,
                                                          const std::string& outDir,
                                                          const CalibratedExportOptions& options,
                                                          CancelToken& cancel,
                                                          ProgressSink& progress) {
    if (outDir.empty()) {
        return makeError(ErrorCode::InvalidArgument, "no output folder given");
    }
    const fs::path out = normalizedFolder(outDir);
    for (const auto& source : model.sources()) {
        if (!source->path().empty() && isInside(fs::path(source->path()), out)) {
            return makeError(ErrorCode::InvalidArgument,
                             outDir + ": the output folder would overwrite the model being read (" +
                                 source->path() + ")");
        }
    }
    std::error_code ec;
    const bool replacing =
        fs::exists(out, ec) && !(fs::is_directory(out, ec) && fs::is_empty(out, ec));
    if (replacing && (!options.replaceExisting || !fs::is_directory(out, ec))) {
        return makeError(ErrorCode::InvalidArgument,
                         outDir + ": already exists and is not an empty folder");
    }
    auto evalModel = makeEvalModel(model);
    if (!evalModel) {
        return evalModel.error();
    }
    if (!evalModel->tokenizer) {
        return makeError(ErrorCode::InvalidArgument, model.path() + ": the model has no tokenizer");
    }
    auto text = readEvalText(options.calibrationText);
    if (!text) {
        return text.error();
    }
    const auto tokens = evalModel->tokenizer->encode(*text, false);
    auto result = quantizeCalibrated(model, tokens, evalModel->tokenizer->bos(), options.method,
                                     options.gptq, options.calibration, cancel, progress);
    if (!result) {
        return result.error();
    }
    // A folder being replaced is kept until its successor is complete beside it.
    const fs::path target =
        replacing
            ? out.parent_path() / (out.filename().string() + ".new-" + std::to_string(::getpid()))
            : out;
    if (replacing) {
        fs::remove_all(target, ec);
    }
    if (auto st = writeQuantizedCheckpoint(model, *result, target.string(), options.checkpoint,
                                           cancel, progress);
        !st) {
        return st.error();
    }
    if (replacing) {
        fs::remove_all(out, ec);
        if (!ec) {
            fs::rename(target, out, ec);
        }
        if (ec) {
            return makeError(ErrorCode::Io, outDir +
                                                ": cannot replace the folder (the new one is " +
                                                target.string() + "): " + ec.message());
        }
    }
    return result;
}

} // namespace qs::core
