#pragma once

#include "core/error.h"
#include "core/jobs/job_control.h"

namespace qs::core {

class LlamaContext;

// llama-bench's two figures: pp = a prompt of promptTokens in one batch from an empty cache,
// tg = genTokens decode steps of one token each from an empty cache. Token ids are fixed
// pseudo-random, so figures do not depend on a text.
struct ThroughputOptions {
    int promptTokens = 128;
    int genTokens = 32;
    int warmupRuns = 1; // not timed: faults the mapping in and warms caches
    int repeats = 3;
};

struct ThroughputFigure {
    double tokensPerSecond = 0.0; // mean over repeats
    double stddev = 0.0;          // between repeats
};

struct ThroughputResult {
    ThroughputFigure promptProcessing; // pp
    ThroughputFigure generation;       // tg
    int threads = 0;
};

Result<ThroughputResult> measureThroughput(LlamaContext& context, const ThroughputOptions& options,
                                           const CancelToken& cancel);

} // namespace qs::core
