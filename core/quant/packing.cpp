#include "core/quant/packing.h"

#include "core/quant/half.h"

#include <algorithm>
#include <string>

namespace qs::core {

void packBitstream(const std::int32_t* values, std::size_t count, int bits, std::uint32_t* words) {
    const std::size_t nWords = (count * static_cast<std::size_t>(bits) + 31) / 32;
    for (std::size_t w = 0; w < nWords; ++w) {
        words[w] = 0;
    }
    const std::uint32_t mask = (1u << bits) - 1u;
    for (std::size_t k = 0; k < count; ++k) {
        const std::uint32_t v = static_cast<std::uint32_t>(values[k]) & mask;
        const std::size_t pos = k * static_cast<std::size_t>(bits);
        const std::size_t word = pos / 32;
        const unsigned shift = static_cast<unsigned>(pos % 32);
        words[word] |= v << shift;
        if (shift + static_cast<unsigned>(bits) > 32) {
            words[word + 1] |= v >> (32 - shift);
        }
    }
}

std::int32_t unpackBitstream(const std::uint32_t* words, std::size_t index, int bits) {
    const std::uint32_t mask = (1u << bits) - 1u;
    const std::size_t pos = index * static_cast<std::size_t>(bits);
    const std::size_t word = pos / 32;
    const unsigned shift = static_cast<unsigned>(pos % 32);
    std::uint64_t v = words[word] >> shift;
    if (shift + static_cast<unsigned>(bits) > 32) {
        v |= static_cast<std::uint64_t>(words[word + 1]) << (32 - shift);
    }
    return static_cast<std::int32_t>(v & mask);
}

Result<GptqPacked> packGptq(const QuantizedLinear& q, bool v2) {
    const int bits = q.bits;
    if (bits != 2 && bits != 3 && bits != 4 && bits != 8) {
        return makeError(ErrorCode::Unsupported, "GPTQ packing: " + std::to_string(bits) + " bits");
    }
    if ((q.cols * bits) % 32 != 0 || (q.rows * bits) % 32 != 0) {
        return makeError(ErrorCode::InvalidArgument,
                         "GPTQ packing: " + std::to_string(q.cols) + " inputs and " +
                             std::to_string(q.rows) + " outputs must fill whole 32-bit words at " +
                             std::to_string(bits) + " bits");
    }
    GptqPacked p;
    p.in = q.cols;
    p.out = q.rows;
    p.groups = q.groups();
    p.bits = bits;
    const int inWords = q.cols * bits / 32;
    const int outWords = q.rows * bits / 32;
    p.qweight.resize(static_cast<std::size_t>(inWords) * p.out);
    std::vector<std::int32_t> column(static_cast<std::size_t>(q.cols));
    std::vector<std::uint32_t> words(static_cast<std::size_t>(std::max(inWords, outWords)));
    for (int j = 0; j < p.out; ++j) {
        for (int i = 0; i < q.cols; ++i) {
            column[i] = q.q[static_cast<std::size_t>(j) * q.cols + i];
        }
        packBitstream(column.data(), column.size(), bits, words.data());
        for (int r = 0; r < inWords; ++r) {
            p.qweight[static_cast<std::size_t>(r) * p.out + j] =
                static_cast<std::int32_t>(words[r]);
        }
    }
    p.qzeros.resize(static_cast<std::size_t>(p.groups) * outWords);
    std::vector<std::int32_t> zrow(static_cast<std::size_t>(p.out));
    for (int g = 0; g < p.groups; ++g) {
        for (int j = 0; j < p.out; ++j) {
            zrow[j] = q.zeros[static_cast<std::size_t>(g) * p.out + j] - (v2 ? 0 : 1);
        }
        packBitstream(zrow.data(), zrow.size(), bits,
                      reinterpret_cast<std::uint32_t*>(p.qzeros.data()) +
                          static_cast<std::size_t>(g) * outWords);
    }
    p.scales.resize(q.scales.size());
    for (std::size_t i = 0; i < q.scales.size(); ++i) {
        p.scales[i] = fp32ToFp16(q.scales[i]);
    }
    p.gIdx = q.gIdx;
    return p;
}

Result<QuantizedLinear> unpackGptq(const GptqPacked& p, bool v2, int groupSize) {
    const int bits = p.bits;
    if ((bits != 2 && bits != 3 && bits != 4 && bits != 8) || (p.in * bits) % 32 != 0 ||
        (p.out * bits) % 32 != 0 || p.groups <= 0) {
        return makeError(ErrorCode::Format, "GPTQ tensors: unsupported bits or shape");
    }
    const std::size_t inWords = static_cast<std::size_t>(p.in) * bits / 32;
    const std::size_t outWords = static_cast<std::size_t>(p.out) * bits / 32;
    if (p.qweight.size() != inWords * p.out || p.qzeros.size() != p.groups * outWords ||
        p.scales.size() != static_cast<std::size_t>(p.groups) * p.out ||
        p.gIdx.size() != static_cast<std::size_t>(p.in)) {
        return makeError(ErrorCode::Format, "GPTQ tensors: shapes do not agree");
    }
    QuantizedLinear q;
    q.rows = p.out;
    q.cols = p.in;
    q.bits = bits;
    q.groupSize = groupSize;
    q.q.resize(static_cast<std::size_t>(q.rows) * q.cols);
    std::vector<std::uint32_t> words(inWords);
    for (int j = 0; j < p.out; ++j) {
        for (std::size_t r = 0; r < inWords; ++r) {
            words[r] = static_cast<std::uint32_t>(p.qweight[r * p.out + j]);
        }
        for (int i = 0; i < p.in; ++i) {
            q.q[static_cast<std::size_t>(j) * q.cols + i] =
                static_cast<std::uint8_t>(unpackBitstream(words.data(), i, bits));
        }
    }
    q.zeros.resize(static_cast<std::size_t>(p.groups) * p.out);
    for (int g = 0; g < p.groups; ++g) {
        const auto* w = reinterpret_cast<const std::uint32_t*>(p.qzeros.data()) + g * outWords;
        for (int j = 0; j < p.out; ++j) {
            q.zeros[static_cast<std::size_t>(g) * p.out + j] =
                unpackBitstream(w, j, bits) + (v2 ? 0 : 1);
        }
    }
    q.scales.resize(p.scales.size());
    for (std::size_t i = 0; i < p.scales.size(); ++i) {
        q.scales[i] = fp16ToFp32(p.scales[i]);
    }
    q.gIdx = p.gIdx;
    for (const auto g : q.gIdx) {
        if (g < 0 || g >= p.groups) {
            return makeError(ErrorCode::Format, "GPTQ tensors: g_idx value out of range");
        }
    }
    return q;
}

namespace {
// AutoAWQ packs column order_map[k] of each group of 8 at nibble k.
constexpr int kAwqOrder[8] = {0, 2, 4, 6, 1, 3, 5, 7};

void packAwqRow(const std::int32_t* values, int out, std::int32_t* words) {
    for (int c = 0; c < out / 8; ++c) {
        std::uint32_t w = 0;
        for (int k = 0; k < 8; ++k) {
            w |= (static_cast<std::uint32_t>(values[c * 8 + kAwqOrder[k]]) & 0xFu) << (4 * k);
        }
        words[c] = static_cast<std::int32_t>(w);
    }
}

void unpackAwqRow(const std::int32_t* words, int out, std::int32_t* values) {
    for (int c = 0; c < out / 8; ++c) {
        const auto w = static_cast<std::uint32_t>(words[c]);
        for (int k = 0; k < 8; ++k) {
            values[c * 8 + kAwqOrder[k]] = static_cast<std::int32_t>((w >> (4 * k)) & 0xFu);
        }
    }
}
} // namespace

Result<AwqPacked> packAwq(const QuantizedLinear& q) {
    if (q.bits != 4 || q.rows % 8 != 0) {
        return makeError(ErrorCode::Unsupported, "AWQ GEMM packing needs 4 bits and outputs % 8");
    }
    const int groups = q.groups();
    const int g = q.cols / groups;
    for (int c = 0; c < q.cols; ++c) {
        if (q.gIdx[c] != c / g) {
            return makeError(ErrorCode::Unsupported, "AWQ GEMM packing needs contiguous groups");
        }
    }
    AwqPacked p;
    p.in = q.cols;
    p.out = q.rows;
    p.groups = groups;
    const int ow = q.rows / 8;
    p.qweight.resize(static_cast<std::size_t>(p.in) * ow);
    std::vector<std::int32_t> row(static_cast<std::size_t>(p.out));
    for (int i = 0; i < p.in; ++i) {
        for (int j = 0; j < p.out; ++j) {
            row[j] = q.q[static_cast<std::size_t>(j) * q.cols + i];
        }
        packAwqRow(row.data(), p.out, p.qweight.data() + static_cast<std::size_t>(i) * ow);
    }
    p.qzeros.resize(static_cast<std::size_t>(groups) * ow);
    for (int k = 0; k < groups; ++k) {
        packAwqRow(q.zeros.data() + static_cast<std::size_t>(k) * p.out, p.out,
                   p.qzeros.data() + static_cast<std::size_t>(k) * ow);
    }
    p.scales.resize(q.scales.size());
    for (std::size_t i = 0; i < q.scales.size(); ++i) {
        p.scales[i] = fp32ToFp16(q.scales[i]);
    }
    return p;
}

Result<QuantizedLinear> unpackAwq(const AwqPacked& p, int groupSize) {
    const std::size_t ow = static_cast<std::size_t>(p.out) / 8;
    if (p.out % 8 != 0 || p.groups <= 0 || p.in % p.groups != 0 ||
        p.qweight.size() != static_cast<std::size_t>(p.in) * ow ||
        p.qzeros.size() != p.groups * ow ||
        p.scales.size() != static_cast<std::size_t>(p.groups) * p.out) {
        return makeError(ErrorCode::Format, "AWQ tensors: shapes do not agree");
    }
    QuantizedLinear q;
    q.rows = p.out;
    q.cols = p.in;
    q.bits = 4;
    q.groupSize = groupSize;
    q.sym = false;
    q.q.resize(static_cast<std::size_t>(q.rows) * q.cols);
    std::vector<std::int32_t> row(static_cast<std::size_t>(p.out));
    for (int i = 0; i < p.in; ++i) {
        unpackAwqRow(p.qweight.data() + i * ow, p.out, row.data());
        for (int j = 0; j < p.out; ++j) {
            q.q[static_cast<std::size_t>(j) * q.cols + i] = static_cast<std::uint8_t>(row[j]);
        }
    }
    q.zeros.resize(static_cast<std::size_t>(p.groups) * p.out);
    for (int k = 0; k < p.groups; ++k) {
        unpackAwqRow(p.qzeros.data() + k * ow, p.out,
                     q.zeros.data() + static_cast<std::size_t>(k) * p.out);
    }
    q.scales.resize(p.scales.size());
    for (std::size_t i = 0; i < p.scales.size(); ++i) {
        q.scales[i] = fp16ToFp32(p.scales[i]);
    }
    const int g = p.in / p.groups;
    q.gIdx.resize(static_cast<std::size_t>(p.in));
    for (int c = 0; c < p.in; ++c) {
        q.gIdx[c] = c / g;
    }
    return q;
}

std::vector<int> ggufToHfRows(int rows, int heads) {
    std::vector<int> map(static_cast<std::size_t>(rows));
    const int headDim = rows / heads;
    const int half = headDim / 2;
    for (int r = 0; r < rows; ++r) {
        const int head = r / headDim;
        const int within = r % headDim;
        map[r] = head * headDim + (within % 2) * half + within / 2;
    }
    return map;
}

void permuteRowsGgufToHf(QuantizedLinear& q, int heads) {
    const auto map = ggufToHfRows(q.rows, heads);
    std::vector<std::uint8_t> nq(q.q.size());
    for (int r = 0; r < q.rows; ++r) {
        std::copy_n(q.q.begin() + static_cast<std::ptrdiff_t>(r) * q.cols, q.cols,
                    nq.begin() + static_cast<std::ptrdiff_t>(map[r]) * q.cols);
    }
    q.q.swap(nq);
    auto perRow = [&](auto& v) {
        auto nv = v;
        const int groups = static_cast<int>(v.size()) / q.rows;
        for (int g = 0; g < groups; ++g) {
            for (int r = 0; r < q.rows; ++r) {
                nv[static_cast<std::size_t>(g) * q.rows + map[r]] =
                    v[static_cast<std::size_t>(g) * q.rows + r];
            }
        }
        v.swap(nv);
    };
    perRow(q.scales);
    perRow(q.zeros);
}

} // namespace qs::core
