#include "core/compute/packed_linear.h"

#include "core/quant/packing.h"

#include <algorithm>
#include <string>

namespace qs::core {
namespace {

Error invalid(const PackedLinear& w, const std::string& what) {
    return makeError(ErrorCode::InvalidArgument,
                     std::string("packed linear (") + packedLayoutName(w.layout) + ", " +
                         std::to_string(w.bits) + " bits, " + std::to_string(w.out) + " x " +
                         std::to_string(w.in) + "): " + what);
}

} // namespace

const char* packedLayoutName(PackedLayout layout) {
    switch (layout) {
    case PackedLayout::GptqV1:
        return "GPTQ v1";
    case PackedLayout::GptqV2:
        return "GPTQ v2";
    case PackedLayout::AwqGemm:
        return "AWQ GEMM";
    }
    return "?";
}

std::int64_t packedQweightWords(const PackedLinear& w) {
    // Both layouts hold in * out values of `bits` bits, packed without gaps.
    return w.in * w.out * w.bits / 32;
}

std::int64_t packedQzerosWords(const PackedLinear& w) {
    return w.groups * w.out * w.bits / 32;
}

std::int64_t packedBytes(const PackedLinear& w) {
    return 4 * (packedQweightWords(w) + packedQzerosWords(w)) + 2 * w.groups * w.out +
           (w.gIdx ? 4 * w.in : 0);
}

std::int64_t packedOutputGranule(const PackedLinear& w) {
    if (w.layout == PackedLayout::AwqGemm) {
        return 8;
    }
    return w.bits == 3 ? 32 : 32 / w.bits;
}

Status validatePackedLinear(const PackedLinear& w) {
    const bool awq = w.layout == PackedLayout::AwqGemm;
    if (awq ? w.bits != 4 : (w.bits != 2 && w.bits != 3 && w.bits != 4 && w.bits != 8)) {
        return makeError(ErrorCode::Unsupported, std::string(packedLayoutName(w.layout)) +
                                                     " has no " + std::to_string(w.bits) +
                                                     "-bit layout");
    }
    constexpr std::int64_t kMaxFeatures = std::int64_t(1) << 31;
    if (w.in <= 0 || w.out <= 0 || w.in >= kMaxFeatures || w.out >= kMaxFeatures) {
        return invalid(w, "features must be positive and below 2^31");
    }
    if (!w.qweight || !w.qzeros || !w.scales) {
        return invalid(w, "null qweight, qzeros or scales");
    }
    if (!awq && (w.in * w.bits) % 32 != 0) {
        return invalid(w, std::to_string(w.in) + " input features do not fill whole 32-bit words "
                                                 "of qweight");
    }
    // AutoAWQ has no such rule, but every checkpoint keeps it (group sizes are multiples of
    // 32), and kernels then write dequantized rows in whole 4-value vectors, as for GPTQ.
    if (awq && w.in % 4 != 0) {
        return invalid(w, std::to_string(w.in) + " input features are not a multiple of 4");
    }
    if ((w.out * w.bits) % 32 != 0 || (awq && w.out % 8 != 0)) {
        return invalid(w, std::to_string(w.out) +
                              " output features do not fill whole 32-bit words of qzeros");
    }
    // A group per column at most: more groups than columns (ceil(in / group size)) cannot be
    // meant, and bounding them bounds the backends' per-group tables.
    if (w.groups < 1 || w.groups > w.in) {
        return invalid(w, std::to_string(w.groups) + " groups for " + std::to_string(w.in) +
                              " input features");
    }
    if (!w.gIdx) {
        if (w.in % w.groups != 0) {
            return invalid(w, "without g_idx, " + std::to_string(w.groups) +
                                  " contiguous groups must divide " + std::to_string(w.in) +
                                  " input features");
        }
        return {};
    }
    for (std::int64_t c = 0; c < w.in; ++c) {
        if (w.gIdx[c] < 0 || w.gIdx[c] >= w.groups) {
            return invalid(w, "g_idx[" + std::to_string(c) + "] = " + std::to_string(w.gIdx[c]) +
                                  " outside [0, " + std::to_string(w.groups) + ")");
        }
    }
    return {};
}

Status validatePackedRows(const PackedLinear& w, std::int64_t first, std::int64_t count) {
    if (Status s = validatePackedLinear(w); !s) {
        return s;
    }
    if (first < 0 || count < 0 || first > w.out || count > w.out - first) {
        return invalid(w, "rows [" + std::to_string(first) + ", +" + std::to_string(count) +
                              ") outside " + std::to_string(w.out) + " output rows");
    }
    return {};
}

std::int32_t packedGroupOf(const PackedLinear& w, std::int64_t column) {
    return w.gIdx ? w.gIdx[column] : static_cast<std::int32_t>(column / (w.in / w.groups));
}

std::vector<std::int32_t> packedBlockGroups(const PackedLinear& w) {
    std::vector<std::int32_t> blocks(static_cast<std::size_t>((w.in + 31) / 32));
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        const std::int64_t first = static_cast<std::int64_t>(b) * 32;
        const std::int64_t end = std::min<std::int64_t>(w.in, first + 32);
        blocks[b] = packedGroupOf(w, first);
        for (std::int64_t c = first + 1; c < end; ++c) {
            if (packedGroupOf(w, c) != blocks[b]) {
                blocks[b] = -1;
                break;
            }
        }
    }
    return blocks;
}

PackedLinear packedView(const GptqPacked& p, bool v2) {
    PackedLinear w;
    w.layout = v2 ? PackedLayout::GptqV2 : PackedLayout::GptqV1;
    w.bits = p.bits;
    w.in = p.in;
    w.out = p.out;
    w.groups = p.groups;
    w.qweight = p.qweight.data();
    w.qzeros = p.qzeros.data();
    w.scales = p.scales.data();
    w.gIdx = p.gIdx.empty() ? nullptr : p.gIdx.data();
    return w;
}

PackedLinear packedView(const AwqPacked& p) {
    PackedLinear w;
    w.layout = PackedLayout::AwqGemm;
    w.bits = 4;
    w.in = p.in;
    w.out = p.out;
    w.groups = p.groups;
    w.qweight = p.qweight.data();
    w.qzeros = p.qzeros.data();
    w.scales = p.scales.data();
    return w;
}

} // namespace qs::core
