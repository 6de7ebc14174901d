#include "core/io/imatrix_coverage.h"

#include "core/io/imatrix.h"
#include "core/logging.h"

#include <spdlog/spdlog.h>

namespace qs::core {

std::vector<StarvedExpert> starvedExperts(const ImportanceMatrix& imatrix, std::int64_t minTokens) {
    std::vector<StarvedExpert> starved;
    for (const ImatrixEntry& e : imatrix.entries) {
        // Only per-expert counts say which expert saw what (GGUF imatrix files).
        if (e.matrices <= 1 || e.counts.size() != static_cast<std::size_t>(e.matrices)) {
            continue;
        }
        for (std::size_t m = 0; m < e.counts.size(); ++m) {
            const auto tokens = static_cast<std::int64_t>(e.counts[m]);
            if (tokens < minTokens) {
                starved.push_back({e.name, static_cast<int>(m), tokens});
            }
        }
    }
    return starved;
}

std::string describeStarvedExperts(const std::vector<StarvedExpert>& starved) {
    constexpr std::size_t kShown = 6;
    std::string text;
    for (std::size_t i = 0; i < starved.size() && i < kShown; ++i) {
        text += (i ? ", " : "") + starved[i].tensor + " expert " +
                std::to_string(starved[i].expert) + " (" + std::to_string(starved[i].tokens) +
                " tokens)";
    }
    if (starved.size() > kShown) {
        text += " and " + std::to_string(starved.size() - kShown) + " more";
    }
    return text;
}

std::vector<StarvedExpert> reportStarvedExperts(const ImportanceMatrix& imatrix,
                                                const std::string& source) {
    auto starved = starvedExperts(imatrix);
    if (!starved.empty()) {
        coreLog().warn("{}: {} expert matri{} received no calibration tokens: {}; quantizing "
                       "gives them uniform importance weights (llama-quantize's choice) unless "
                       "imatrix-missing is 'error'",
                       source, starved.size(), starved.size() == 1 ? "x" : "ces",
                       describeStarvedExperts(starved));
    }
    return starved;
}

} // namespace qs::core
