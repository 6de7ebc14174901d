#include "packed_test_data.h"

#include "core/quant/half.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace qs::test {

core::PackedLinear PackedLayer::view() const {
    core::PackedLinear w = spec.layout == core::PackedLayout::AwqGemm
                               ? core::packedView(awq)
                               : core::packedView(gptq, spec.layout == core::PackedLayout::GptqV2);
    if (spec.nullGIdx) {
        w.gIdx = nullptr;
    }
    return w;
}

PackedLayer makePackedLayer(const PackedCase& spec, unsigned seed) {
    std::mt19937 rng(seed);
    const int maxq = (1 << spec.bits) - 1;
    std::uniform_int_distribution<int> value(0, maxq);
    core::QuantizedLinear q;
    q.rows = spec.out;
    q.cols = spec.in;
    q.bits = spec.bits;
    q.groupSize = spec.groupSize;
    q.sym = false;
    const int groupSize = spec.groupSize > 0 ? spec.groupSize : spec.in;
    const int groups = (spec.in + groupSize - 1) / groupSize;
    q.q.resize(static_cast<std::size_t>(spec.out) * spec.in);
    for (auto& v : q.q) {
        v = static_cast<std::uint8_t>(value(rng));
    }
    q.zeros.resize(static_cast<std::size_t>(groups) * spec.out);
    for (auto& z : q.zeros) {
        z = value(rng);
    }
    // Magnitudes log-uniform from 2^-14 to 2^-2, every 61st a subnormal half.
    std::uniform_real_distribution<float> exponent(spec.narrowScales ? -8.0f : -14.0f,
                                                   spec.narrowScales ? -7.0f : -2.0f);
    q.scales.resize(q.zeros.size());
    for (std::size_t i = 0; i < q.scales.size(); ++i) {
        const bool subnormal = !spec.narrowScales && i % 61 == 7;
        const std::uint16_t h = subnormal ? static_cast<std::uint16_t>(1 + i % 1000)
                                          : core::fp32ToFp16(std::exp2(exponent(rng)));
        q.scales[i] = core::fp16ToFp32(h);
    }
    q.gIdx.resize(static_cast<std::size_t>(spec.in));
    std::vector<int> order(static_cast<std::size_t>(spec.in));
    std::iota(order.begin(), order.end(), 0);
    if (spec.actOrder) {
        std::shuffle(order.begin(), order.end(), rng);
    }
    // Column order[i] is the i-th quantized: its group is i / groupSize.
    for (int i = 0; i < spec.in; ++i) {
        q.gIdx[order[i]] = i / groupSize;
    }

    PackedLayer layer;
    layer.spec = spec;
    core::Result<core::QuantizedLinear> unpacked = core::makeError(core::ErrorCode::Internal, "");
    if (spec.layout == core::PackedLayout::AwqGemm) {
        layer.awq = *core::packAwq(q);
        unpacked = core::unpackAwq(layer.awq, spec.groupSize);
    } else {
        const bool v2 = spec.layout == core::PackedLayout::GptqV2;
        layer.gptq = *core::packGptq(q, v2);
        unpacked = core::unpackGptq(layer.gptq, v2, spec.groupSize);
    }
    layer.reference = unpacked->dequantize();
    return layer;
}

} // namespace qs::test
