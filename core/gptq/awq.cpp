#include "core/gptq/awq.h"

#include "core/eval/llama_weights.h"

#include <algorithm>
#include <cmath>

namespace qs::core {

namespace {

// diag(1/s) H diag(1/s): the Hessian of inputs divided by s.
std::vector<double> scaleHessian(const std::vector<double>& h, const std::vector<float>& s) {
    const std::size_t n = s.size();
    std::vector<double> out(h.size());
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            out[i * n + j] = h[i * n + j] / (static_cast<double>(s[i]) * s[j]);
        }
    }
    return out;
}

// Effective original-space weights of a stored matrix: diag(1/rowScale) Q diag(1/s).
std::vector<float> effectiveWeights(const QuantizedLinear& q, const std::vector<float>& s,
                                    const std::vector<float>* rowScale) {
    auto dq = q.dequantize();
    for (int r = 0; r < q.rows; ++r) {
        const float rs = rowScale ? 1.0f / (*rowScale)[static_cast<std::size_t>(r)] : 1.0f;
        for (int c = 0; c < q.cols; ++c) {
            dq[static_cast<std::size_t>(r) * q.cols + c] *= rs / s[static_cast<std::size_t>(c)];
        }
    }
    return dq;
}

std::vector<float> scaledMatrix(const std::vector<float>& w, int rows, int cols,
                                const std::vector<float>& s, const std::vector<float>* rowScale) {
    std::vector<float> out(w.size());
    for (int r = 0; r < rows; ++r) {
        const float rs = rowScale ? (*rowScale)[static_cast<std::size_t>(r)] : 1.0f;
        for (int c = 0; c < cols; ++c) {
            out[static_cast<std::size_t>(r) * cols + c] =
                w[static_cast<std::size_t>(r) * cols + c] * rs * s[static_cast<std::size_t>(c)];
        }
    }
    return out;
}

struct SearchTarget {
    const std::vector<float>* w;
    int rows;
    const std::vector<float>* rowScale; // applied before the column scales (up: 1/s_down)
};

Result<std::vector<float>> searchScales(const std::vector<SearchTarget>& targets, int cols,
                                        const std::vector<double>& h,
                                        const std::vector<double>& mean, const GptqOptions& options,
                                        float& bestAlpha) {
    std::vector<float> best(static_cast<std::size_t>(cols), 1.0f);
    double bestErr = -1.0;
    bestAlpha = 0.0f;
    for (int step = 0; step < 20; ++step) {
        const double alpha = 0.05 * step;
        std::vector<float> s(static_cast<std::size_t>(cols));
        double smax = 0.0, smin = 1e30;
        for (int c = 0; c < cols; ++c) {
            const double v = std::max(1e-4, std::pow(std::max(mean[c], 0.0), alpha));
            s[c] = static_cast<float>(v);
            smax = std::max(smax, v);
            smin = std::min(smin, v);
        }
        const double norm = std::sqrt(smax * smin);
        for (auto& v : s) {
            v = static_cast<float>(v / norm);
        }
        double err = 0.0;
        for (const auto& t : targets) {
            // Unscaled rows for the error: compare with the matrix as the search sees it.
            const auto base =
                scaledMatrix(*t.w, t.rows, cols,
                             std::vector<float>(static_cast<std::size_t>(cols), 1.0f), t.rowScale);
            auto q =
                rtnQuantize(scaledMatrix(base, t.rows, cols, s, nullptr), t.rows, cols, options);
            if (!q) {
                return q.error();
            }
            err += outputError(base, effectiveWeights(*q, s, nullptr), t.rows, cols, h);
        }
        if (bestErr < 0.0 || err < bestErr) {
            bestErr = err;
            best = s;
            bestAlpha = static_cast<float>(alpha);
        }
    }
    return best;
}

} // namespace

Result<AwqLayerScales> awqSearchLayer(const std::map<std::string, std::vector<float>>& originals,
                                      const std::array<std::vector<double>, 4>& hessians,
                                      const std::array<std::vector<double>, 4>& absMeans,
                                      const LlamaLayerWeights& layer, const LlamaConfig& config,
                                      const GptqOptions& options) {
    auto get = [&](const char* name) -> const std::vector<float>& {
        return originals.at(name);
    };
    const int qDim = config.heads * config.headDim;
    const int kvDim = config.kvHeads * config.headDim;
    AwqLayerScales out;
    if (config.experts > 0) {
        // The FFN input feeds the router and every expert: no scale is folded into ffn_norm
        // (awqSearchExpert handles each expert's down).
        out.gateUp.assign(static_cast<std::size_t>(config.dim), 1.0f);
    } else {
        // down first: its scales change up's rows, which the gate/up search then sees.
        auto down = searchScales({{&get("ffn_down"), config.dim, nullptr}}, config.hidden,
                                 hessians[3], absMeans[3], options, out.alphaDown);
        if (!down) {
            return down.error();
        }
        out.down = std::move(*down);
        std::vector<float> invDown(out.down.size());
        for (std::size_t i = 0; i < invDown.size(); ++i) {
            invDown[i] = 1.0f / out.down[i];
        }
        auto gateUp = searchScales(
            {{&get("ffn_gate"), config.hidden, nullptr}, {&get("ffn_up"), config.hidden, &invDown}},
            config.dim, hessians[2], absMeans[2], options, out.alphaGateUp);
        if (!gateUp) {
            return gateUp.error();
        }
        out.gateUp = std::move(*gateUp);
    }
    auto qkv = searchScales({{&get("attn_q"), qDim, nullptr},
                             {&get("attn_k"), kvDim, nullptr},
                             {&get("attn_v"), kvDim, nullptr}},
                            config.dim, hessians[0], absMeans[0], options, out.alphaQkv);
    if (!qkv) {
        return qkv.error();
    }
    out.qkv = std::move(*qkv);
    out.attnNorm = layer.attnNorm;
    out.ffnNorm = layer.ffnNorm;
    for (int c = 0; c < config.dim; ++c) {
        out.attnNorm[c] /= out.qkv[c];
        out.ffnNorm[c] /= out.gateUp[c];
    }
    return out;
}

Result<AwqLayerScales> awqSearchExpert(const std::map<std::string, std::vector<float>>& originals,
                                       const std::vector<double>& downHessian,
                                       const std::vector<double>& downAbsMean, int dim,
                                       int expertHidden, const GptqOptions& options) {
    AwqLayerScales out;
    out.gateUp.assign(static_cast<std::size_t>(dim), 1.0f);
    auto down = searchScales({{&originals.at("ffn_down"), dim, nullptr}}, expertHidden, downHessian,
                             downAbsMean, options, out.alphaDown);
    if (!down) {
        return down.error();
    }
    out.down = std::move(*down);
    return out;
}

Result<AwqLinear> awqQuantizeLinear(const std::vector<float>& w, int rows, int cols,
                                    const std::vector<double>& h, const AwqLayerScales& scales,
                                    const std::string& suffix, const GptqOptions& options) {
    std::vector<float> ones(static_cast<std::size_t>(cols), 1.0f);
    const std::vector<float>* s = &ones;
    std::vector<float> rowScale;
    const std::vector<float>* rows_ = nullptr;
    if (suffix == "attn_q" || suffix == "attn_k" || suffix == "attn_v") {
        s = &scales.qkv;
    } else if (suffix == "ffn_gate" || suffix == "ffn_up") {
        s = &scales.gateUp;
    } else if (suffix == "ffn_down") {
        s = &scales.down;
    }
    if (suffix == "ffn_up") {
        rowScale.resize(scales.down.size());
        for (std::size_t i = 0; i < rowScale.size(); ++i) {
            rowScale[i] = 1.0f / scales.down[i];
        }
        rows_ = &rowScale;
    }
    const auto stored = scaledMatrix(w, rows, cols, *s, rows_);
    // AutoAWQ skips the clipping search for q/k (attention scores are sensitive to their
    // range); here the search minimises the measured output error, which includes the unclipped
    // range, so it is run for every linear: q would otherwise end up slightly worse than RTN
    // when the shared q/k/v scales favour v.
    auto q = rtnQuantizeClipped(stored, rows, cols, scaleHessian(h, *s), options, 10);
    if (!q) {
        return q.error();
    }
    AwqLinear out;
    out.effective = effectiveWeights(*q, *s, rows_);
    out.quantized = std::move(*q);
    return out;
}

} // namespace qs::core
