#include "core/export/imatrix_match.h"

#include "core/io/imatrix.h"
#include "core/logging.h"
#include "core/model/model.h"

#include <spdlog/spdlog.h>

namespace qs::core {
namespace {

// Matrices of a tensor as llama-quantize counts them: ne[2] for 3-D expert tensors, else 1.
std::uint64_t matrixCount(const TensorInfo& t) {
    return t.dims.size() >= 3 ? t.dims[2] : 1;
}

// Names in a warning: a few, then how many more.
std::string listNames(const std::vector<std::string>& names) {
    constexpr std::size_t kShown = 5;
    std::string list;
    for (std::size_t i = 0; i < names.size() && i < kShown; ++i) {
        list += (i ? ", " : "") + names[i];
    }
    if (names.size() > kShown) {
        list += " and " + std::to_string(names.size() - kShown) + " more";
    }
    return list;
}

} // namespace

Result<std::vector<std::span<const float>>>
assignImatrix(const Model& model, const ImportanceMatrix& imatrix, const std::string& imatrixPath,
              const std::vector<bool>& quantized, MissingImatrixPolicy missing) {
    const auto& tensors = model.tensors();
    std::vector<std::span<const float>> weights(tensors.size());
    auto warn = [](const std::string& text) {
        coreLog().warn("{}", text);
    };
    std::vector<std::string> withoutEntry;
    std::vector<StarvedExpert> starved;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const TensorInfo& t = tensors[i];
        if (i >= quantized.size() || !quantized[i] || t.dims.empty()) {
            continue;
        }
        const ImatrixEntry* entry = imatrix.find(t.name);
        if (!entry) {
            withoutEntry.push_back(t.name);
            continue;
        }
        const std::uint64_t expected = t.dims[0] * matrixCount(t);
        if (entry->weights.size() != expected) {
            const std::string detail = imatrixPath + ": entry " + entry->name + " has " +
                                       std::to_string(entry->weights.size()) +
                                       " values, but tensor " + t.name + " of " + model.path() +
                                       " needs " + std::to_string(expected) + " (" +
                                       std::to_string(t.dims[0]) + " columns × " +
                                       std::to_string(matrixCount(t)) + " matrices)";
            if (t.name == "token_embd.weight") {
                warn(detail + "; the entry is ignored, as llama-quantize ignores it");
                continue;
            }
            return makeError(ErrorCode::Format,
                             detail + "; the importance matrix was made for another model");
        }
        weights[i] = entry->weights;
        if (entry->matrices > 1 &&
            entry->counts.size() == static_cast<std::size_t>(entry->matrices)) {
            for (std::size_t m = 0; m < entry->counts.size(); ++m) {
                if (entry->counts[m] <= 0.0f) {
                    starved.push_back({t.name, static_cast<int>(m), 0});
                }
            }
        }
    }
    if (!starved.empty()) {
        const std::string which = describeStarvedExperts(starved);
        if (missing == MissingImatrixPolicy::Error) {
            return makeError(ErrorCode::InvalidArgument,
                             imatrixPath + ": no importance data for " +
                                 std::to_string(starved.size()) + " expert matri" +
                                 (starved.size() == 1 ? "x" : "ces") + " of " + model.path() +
                                 ": " + which +
                                 " (imatrix-missing is 'error'; 'uniform' quantizes them with "
                                 "weights of 1, as llama-quantize does)");
        }
        warn(imatrixPath + ": no importance data for " + std::to_string(starved.size()) +
             " expert matri" + (starved.size() == 1 ? "x" : "ces") + ": " + which +
             "; they are quantized with uniform weights, as llama-quantize does "
             "(imatrix-missing 'uniform')");
    }
    if (!withoutEntry.empty()) {
        coreLog().info("{}: no importance data for {} quantized tensor(s): {}; they are "
                       "quantized without weights, as llama-quantize does",
                       imatrixPath, withoutEntry.size(), listNames(withoutEntry));
    }
    std::vector<std::string> unused;
    for (const auto& e : imatrix.entries) {
        if (!model.findTensor(e.name)) {
            unused.push_back(e.name);
        }
    }
    if (!unused.empty()) {
        warn(imatrixPath + ": " + std::to_string(unused.size()) + " entr" +
             (unused.size() == 1 ? "y names a tensor" : "ies name tensors") + " that " +
             model.path() + " does not have (" + listNames(unused) + "); they are unused");
    }
    return weights;
}

} // namespace qs::core
