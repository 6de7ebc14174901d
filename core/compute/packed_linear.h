#pragma once

#include "core/error.h"

#include <cstdint>
#include <vector>

// A linear layer in its packed GPTQ/AWQ checkpoint layout (docs: formats.md 5.1, 5.2, 6.2),
// described without copying: the arrays stay the caller's (a mapped safetensors file, a
// GptqPacked). W is out x in: row r is output feature r, column c input feature c, y = W x.
// Every backend dequantizes W[r][c] = float(f16 scales[g][r]) * float(q[r][c] - zero[g][r])
// in f32 with g = gIdx[c]: bit for bit QuantizedLinear::dequantize() of the unpacked layer.
namespace qs::core {

struct GptqPacked;
struct AwqPacked;

enum class PackedLayout {
    GptqV1, // AutoGPTQ / GPTQModel default: qzeros store zero - 1 (the kernels add 1, no mask)
    GptqV2, // GPTQModel "gptq_v2": qzeros store the zero as it is
    AwqGemm // AutoAWQ GEMM: 4 bits packed along the output dim in order 0 2 4 6 1 3 5 7
};

const char* packedLayoutName(PackedLayout layout);

struct PackedLinear {
    PackedLayout layout = PackedLayout::GptqV1;
    int bits = 4;            // 2, 3, 4 or 8 (AWQ: 4)
    std::int64_t in = 0;     // input features: columns of W, length of x
    std::int64_t out = 0;    // output features: rows of W, length of y
    std::int64_t groups = 1; // rows of scales and qzeros
    // GPTQ: [in * bits / 32][out], packed along the input dim (3 bits: 32 values in 3 words).
    // AWQ: [in][out / 8], packed along the output dim.
    const std::int32_t* qweight = nullptr;
    // GPTQ: [groups][out * bits / 32]; AWQ: [groups][out / 8].
    const std::int32_t* qzeros = nullptr;
    const std::uint16_t* scales = nullptr; // [groups][out], IEEE half bits
    // [in]: the group of each input column (act-order makes it non-monotonic). nullptr:
    // contiguous groups of in / groups columns.
    const std::int32_t* gIdx = nullptr;
};

// 32-bit words of qweight and of qzeros; bytes of all four arrays (what a matvec must read).
std::int64_t packedQweightWords(const PackedLinear& w);
std::int64_t packedQzerosWords(const PackedLinear& w);
std::int64_t packedBytes(const PackedLinear& w);

// Outputs that share packed words: a range of outputs that starts at a multiple of this
// starts at a whole word of qzeros (GPTQ) or of qweight and qzeros (AWQ).
std::int64_t packedOutputGranule(const PackedLinear& w);

// Every shape rule the backends rely on, so that none reads outside the arrays: bits of the
// layout, `in` and `out` filling whole words (AWQ: in a multiple of 4), 1 <= groups <= in,
// contiguous groups dividing `in` when gIdx is null, every gIdx entry in [0, groups), sizes below
// 2^31, non-null arrays. InvalidArgument naming the problem; Unsupported for bits a layout does not
// have.
Status validatePackedLinear(const PackedLinear& w);

// validatePackedLinear and rows [first, first + count) inside [0, out).
Status validatePackedRows(const PackedLinear& w, std::int64_t first, std::int64_t count);

// The group of every input column: gIdx, or column / (in / groups). w must be valid.
std::int32_t packedGroupOf(const PackedLinear& w, std::int64_t column);

// For each 32-column block (ceil(in / 32) of them), the group all its columns share, or -1
// where they do not (act-order, or groups that are not whole blocks). w must be valid.
std::vector<std::int32_t> packedBlockGroups(const PackedLinear& w);

// Views of the in-memory packed layers of core/quant/packing.h; they must outlive the view.
PackedLinear packedView(const GptqPacked& p, bool v2);
PackedLinear packedView(const AwqPacked& p);

} // namespace qs::core
