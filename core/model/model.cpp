#include "core/model/model.h"

#include "core/quant/half.h"
#include "core/try.h"

#include <algorithm>
#include <cstring>
#include <map>

namespace qs::core {

const char* modelFormatName(ModelFormat format) {
    switch (format) {
    case ModelFormat::Gguf:
        return "gguf";
    case ModelFormat::Safetensors:
        return "safetensors";
    case ModelFormat::Llama2c:
        return "llama2c";
    }
    return "?";
}

std::uint64_t TensorInfo::elementCount() const {
    std::uint64_t n = 1;
    for (auto d : dims) {
        n *= d; // readers reject dims whose product overflows
    }
    return n;
}

std::uint64_t TensorInfo::ggmlRows() const {
    std::uint64_t n = 1;
    for (std::size_t i = 1; i < dims.size(); ++i) {
        n *= dims[i];
    }
    return n;
}

std::uint64_t TensorInfo::outerRows() const {
    if (dims.size() >= 2) {
        return std::max<std::uint64_t>(dims.back(), 1);
    }
    // A 1-D tensor splits per element only when an element is a whole number of bytes.
    if (dims.size() == 1 && ggmlTypeInfo(type).blockSize == 1) {
        return std::max<std::uint64_t>(dims[0], 1);
    }
    return 1;
}

LlamaHParams LlamaHParams::fromMetadata(const Metadata& md) {
    LlamaHParams hp;
    hp.architecture = md.string("general.architecture");
    const std::string p = hp.architecture + ".";
    auto u32 = [&](const std::string& key) -> std::uint32_t {
        if (const auto v = md.integer(key); v && *v >= 0 && *v <= UINT32_MAX) {
            return static_cast<std::uint32_t>(*v);
        }
        // Per-layer arrays (feed_forward_length, head_count): report the first layer's value.
        if (const auto* value = md.find(key); value && value->asArray()) {
            if (const auto first = value->asArray()->integer(0); first && *first >= 0) {
                return static_cast<std::uint32_t>(std::min<std::int64_t>(*first, UINT32_MAX));
            }
        }
        return 0;
    };
    hp.contextLength = u32(p + "context_length");
    hp.embeddingLength = u32(p + "embedding_length");
    hp.blockCount = u32(p + "block_count");
    hp.feedForwardLength = u32(p + "feed_forward_length");
    hp.headCount = u32(p + "attention.head_count");
    hp.headCountKv = u32(p + "attention.head_count_kv");
    if (hp.headCountKv == 0) {
        hp.headCountKv = hp.headCount;
    }
    hp.ropeDimensionCount = u32(p + "rope.dimension_count");
    if (hp.ropeDimensionCount == 0 && hp.headCount > 0) {
        hp.ropeDimensionCount = hp.embeddingLength / hp.headCount;
    }
    hp.ropeFreqBase = static_cast<float>(md.number(p + "rope.freq_base").value_or(10000.0));
    hp.rmsEpsilon =
        static_cast<float>(md.number(p + "attention.layer_norm_rms_epsilon").value_or(0));
    hp.vocabSize = u32(p + "vocab_size");
    if (hp.vocabSize == 0) {
        if (const auto* tokens = md.find("tokenizer.ggml.tokens"); tokens && tokens->asArray()) {
            hp.vocabSize = static_cast<std::uint32_t>(tokens->asArray()->size());
        }
    }
    return hp;
}

Model::Model(ModelFormat format, std::string path,
             std::vector<std::shared_ptr<const MappedFile>> sources, Metadata metadata,
             std::vector<TensorInfo> tensors, std::uint32_t alignment, std::uint64_t dataOffset)
    : m_format(format)
    , m_path(std::move(path))
    , m_sources(std::move(sources))
    , m_metadata(std::move(metadata))
    , m_tensors(std::move(tensors))
    , m_alignment(alignment)
    , m_dataOffset(dataOffset) {}

std::uint64_t Model::fileBytes() const {
    std::uint64_t total = 0;
    for (const auto& s : m_sources) {
        total += s->size();
    }
    return total;
}

const TensorInfo* Model::findTensor(std::string_view name) const {
    for (const auto& t : m_tensors) {
        if (t.name == name) {
            return &t;
        }
    }
    return nullptr;
}

std::vector<LayerView> Model::layers() const {
    std::map<int, LayerView> byIndex;
    for (std::size_t i = 0; i < m_tensors.size(); ++i) {
        if (const auto layer = tensorLayerIndex(m_tensors[i].name)) {
            auto& view = byIndex[*layer];
            view.index = *layer;
            view.tensors.push_back(i);
        }
    }
    std::vector<LayerView> out;
    out.reserve(byIndex.size());
    for (auto& [index, view] : byIndex) {
        out.push_back(std::move(view));
    }
    return out;
}

std::uint64_t Model::parameterCount() const {
    std::uint64_t n = 0;
    for (const auto& t : m_tensors) {
        n += t.elementCount();
    }
    return n;
}

std::uint64_t Model::tensorBytes() const {
    std::uint64_t n = 0;
    for (const auto& t : m_tensors) {
        n += t.byteSize;
    }
    return n;
}

double Model::bitsPerWeight() const {
    const auto params = parameterCount();
    return params == 0 ? 0.0
                       : 8.0 * static_cast<double>(tensorBytes()) / static_cast<double>(params);
}

std::span<const std::byte> Model::storedBytes(const TensorInfo& t) const {
    if (!t.parts.empty()) {
        return t.parts.size() == 1 ? storedRange(t, 0, t.byteSize) : std::span<const std::byte>{};
    }
    if (t.source >= m_sources.size()) {
        return {};
    }
    return m_sources[t.source]->slice(t.offset, t.byteSize);
}

std::span<const std::byte> Model::storedRange(const TensorInfo& t, std::uint64_t offset,
                                              std::uint64_t size) const {
    if (offset > t.byteSize || size > t.byteSize - offset) {
        return {};
    }
    if (t.parts.empty()) {
        if (t.source >= m_sources.size()) {
            return {};
        }
        return m_sources[t.source]->slice(t.offset + offset, size);
    }
    std::uint64_t start = 0;
    for (const TensorPart& part : t.parts) {
        if (offset >= start && offset - start + size <= part.byteSize &&
            part.source < m_sources.size()) {
            return m_sources[part.source]->slice(part.offset + (offset - start), size);
        }
        start += part.byteSize;
    }
    return {};
}

Status Model::copyStored(const TensorInfo& t, std::uint64_t offset,
                         std::span<std::byte> out) const {
    if (offset > t.byteSize || out.size() > t.byteSize - offset) {
        return makeError(ErrorCode::InvalidArgument,
                         t.name + ": byte range does not lie inside the tensor");
    }
    if (t.parts.empty()) {
        const auto stored = storedRange(t, offset, out.size());
        if (stored.size() != out.size()) {
            return makeError(ErrorCode::Internal, t.name + ": tensor bytes lie outside the file");
        }
        std::memcpy(out.data(), stored.data(), out.size());
        return {};
    }
    std::uint64_t start = 0; // of the current piece, in tensor bytes
    std::size_t done = 0;
    for (const TensorPart& part : t.parts) {
        const std::uint64_t end = start + part.byteSize;
        const std::uint64_t want = offset + done;
        if (done < out.size() && want < end) {
            const std::uint64_t n = std::min<std::uint64_t>(end - want, out.size() - done);
            const auto bytes = part.source < m_sources.size()
                                   ? m_sources[part.source]->slice(part.offset + (want - start), n)
                                   : std::span<const std::byte>{};
            if (bytes.size() != n) {
                return makeError(ErrorCode::Internal,
                                 t.name + ": piece " + part.sourceName + " lies outside its file");
            }
            std::memcpy(out.data() + done, bytes.data(), n);
            done += n;
        }
        start = end;
    }
    if (done != out.size()) {
        return makeError(ErrorCode::Internal, t.name + ": its pieces are shorter than the tensor");
    }
    return {};
}

void Model::releaseStored(const TensorInfo& t, std::uint64_t offset, std::uint64_t size) const {
    if (offset > t.byteSize || size > t.byteSize - offset) {
        return;
    }
    if (t.parts.empty()) {
        if (t.source < m_sources.size()) {
            m_sources[t.source]->releasePages(storedRange(t, offset, size));
        }
        return;
    }
    std::uint64_t start = 0;
    for (const TensorPart& part : t.parts) {
        const std::uint64_t end = start + part.byteSize;
        const std::uint64_t lo = std::max(offset, start);
        const std::uint64_t hi = std::min(offset + size, end);
        if (lo < hi && part.source < m_sources.size()) {
            const auto& file = m_sources[part.source];
            file->releasePages(file->slice(part.offset + (lo - start), hi - lo));
        }
        start = end;
    }
}

void Model::releaseTensorPages(const TensorInfo& t) const {
    releaseStored(t, 0, t.byteSize);
}

void Model::releaseRowPages(const TensorInfo& t, std::uint64_t first, std::uint64_t count) const {
    const std::uint64_t rows = t.outerRows();
    if (t.permuteHeads != 0 || first > rows || count > rows - first) {
        return;
    }
    const std::uint64_t rowBytes = t.outerRowBytes();
    releaseStored(t, first * rowBytes, count * rowBytes);
}

namespace {

// 1 + w for every value of a shifted norm, rounded to the stored type as the converter's
// torch addition in that dtype does.
Status addOneInPlace(const TensorInfo& t, std::span<std::byte> bytes) {
    switch (t.type) {
    case GgmlType::F32:
        for (std::size_t i = 0; i + 4 <= bytes.size(); i += 4) {
            float v;
            std::memcpy(&v, bytes.data() + i, 4);
            v += 1.0f;
            std::memcpy(bytes.data() + i, &v, 4);
        }
        return {};
    case GgmlType::F16:
    case GgmlType::BF16:
        for (std::size_t i = 0; i + 2 <= bytes.size(); i += 2) {
            std::uint16_t h;
            std::memcpy(&h, bytes.data() + i, 2);
            const bool f16 = t.type == GgmlType::F16;
            const float v = (f16 ? fp16ToFp32(h) : bf16ToFp32(h)) + 1.0f;
            h = f16 ? fp32ToFp16(v) : fp32ToBf16(v);
            std::memcpy(bytes.data() + i, &h, 2);
        }
        return {};
    default:
        return makeError(ErrorCode::Unsupported, t.sourceName + ": a norm stored as " +
                                                     std::string(ggmlTypeInfo(t.type).name) +
                                                     " cannot be shifted by one");
    }
}

} // namespace

bool Model::canReadGgmlRows(const TensorInfo& t) const {
    return t.dims.size() == 2 || (t.dims.size() > 2 && t.permuteHeads == 0 && !t.normPlusOne);
}

Status Model::readGgmlRows(const TensorInfo& t, std::uint64_t first, std::uint64_t count,
                           std::span<std::byte> out) const {
    if (t.dims.size() <= 2) {
        return readRows(t, first, count, out);
    }
    const std::uint64_t rows = t.ggmlRows();
    const std::uint64_t rowBytes = rows ? t.byteSize / rows : 0;
    if (!canReadGgmlRows(t) || first > rows || count > rows - first ||
        out.size() != count * rowBytes) {
        return makeError(ErrorCode::InvalidArgument,
                         t.name + ": ggml row range or buffer size does not match the tensor");
    }
    return copyStored(t, first * rowBytes, out);
}

void Model::releaseGgmlRowPages(const TensorInfo& t, std::uint64_t first,
                                std::uint64_t count) const {
    if (t.dims.size() <= 2) {
        releaseRowPages(t, first, count);
        return;
    }
    const std::uint64_t rows = t.ggmlRows();
    if (!canReadGgmlRows(t) || rows == 0 || first > rows || count > rows - first) {
        return;
    }
    const std::uint64_t rowBytes = t.byteSize / rows;
    releaseStored(t, first * rowBytes, count * rowBytes);
}

Status Model::readRows(const TensorInfo& t, std::uint64_t first, std::uint64_t count,
                       std::span<std::byte> out) const {
    const std::uint64_t rows = t.outerRows();
    const std::uint64_t rowBytes = t.outerRowBytes();
    if (first > rows || count > rows - first || out.size() != count * rowBytes) {
        return makeError(ErrorCode::InvalidArgument,
                         t.name + ": row range or buffer size does not match the tensor");
    }
    if (count == 0 || rowBytes == 0) {
        return {};
    }
    if (t.normPlusOne) {
        QS_TRY(copyStored(t, first * rowBytes, out));
        return addOneInPlace(t, out);
    }
    if (t.permuteHeads == 0) {
        return copyStored(t, first * rowBytes, out);
    }
    // GGUF row h*d + 2j + c holds HF row h*d + c*d/2 + j (rotate-half -> interleaved pairs).
    const std::uint64_t headDim = rows / t.permuteHeads;
    const std::uint64_t half = headDim / 2;
    if (headDim * t.permuteHeads != rows || headDim % 2 != 0) {
        return makeError(ErrorCode::Format, t.sourceName + ": " + std::to_string(rows) +
                                                " rows cannot be split into " +
                                                std::to_string(t.permuteHeads) +
                                                " heads of even size");
    }
    for (std::uint64_t r = 0; r < count; ++r) {
        const std::uint64_t row = first + r;
        const std::uint64_t head = row / headDim;
        const std::uint64_t within = row % headDim;
        const std::uint64_t src = head * headDim + (within % 2) * half + within / 2;
        QS_TRY(copyStored(t, src * rowBytes, out.subspan(r * rowBytes, rowBytes)));
    }
    return {};
}

} // namespace qs::core
