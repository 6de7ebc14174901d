#include "core/export/gguf_convert.h"

#include "core/io/gguf_writer.h"
#include "core/quant/half.h"

#include <algorithm>
#include <cstring>

namespace qs::core {
namespace {

constexpr std::uint64_t kChunkBytes = 8u << 20;

bool isFloatType(GgmlType t) {
    return t == GgmlType::F32 || t == GgmlType::F16 || t == GgmlType::BF16;
}

std::uint32_t fileTypeFor(GgmlType t) {
    // llama_ftype numbering (not ggml_ftype): ALL_F32 = 0, MOSTLY_F16 = 1, MOSTLY_BF16 = 32.
    return t == GgmlType::F16 ? 1 : t == GgmlType::BF16 ? 32 : 0;
}

float loadAsF32(GgmlType type, const std::byte* p) {
    if (type == GgmlType::F32) {
        float v;
        std::memcpy(&v, p, 4);
        return v;
    }
    std::uint16_t h;
    std::memcpy(&h, p, 2);
    return type == GgmlType::F16 ? fp16ToFp32(h) : bf16ToFp32(h);
}

void storeFromF32(GgmlType type, float v, std::byte* p) {
    if (type == GgmlType::F32) {
        std::memcpy(p, &v, 4);
        return;
    }
    const std::uint16_t h = type == GgmlType::F16 ? fp32ToFp16(v) : fp32ToBf16(v);
    std::memcpy(p, &h, 2);
}

std::uint64_t rowBytesOf(GgmlType type, const TensorInfo& t) {
    // Output bytes per outer row: the element count of one outer row times the element size.
    return t.elementCount() / t.outerRows() * ggmlTypeInfo(type).bytesPerBlock;
}

} // namespace

Result<GgmlType> convertedType(const TensorInfo& t, const ConvertOptions& options) {
    if (!options.matrixType) {
        return t.type;
    }
    if (!isFloatType(*options.matrixType)) {
        return makeError(ErrorCode::InvalidArgument,
                         std::string("convert writes F32, F16 or BF16, not ") +
                             std::string(ggmlTypeInfo(*options.matrixType).name));
    }
    if (!isFloatType(t.type)) {
        if (ggmlTypeInfo(t.type).isInteger) {
            return t.type; // index tensors are data, not weights
        }
        return makeError(ErrorCode::Unsupported,
                         "tensor '" + t.name + "' is " + std::string(ggmlTypeInfo(t.type).name) +
                             "; converting quantized tensors needs the quantizer");
    }
    return t.dims.size() >= 2 ? *options.matrixType : GgmlType::F32;
}

Metadata convertedMetadata(const Model& model, const ConvertOptions& options) {
    Metadata md = model.metadata();
    for (const char* key : {"split.no", "split.count", "split.tensors.count"}) {
        md.erase(key);
    }
    if (options.matrixType) {
        md.set("general.file_type", MetaValue(fileTypeFor(*options.matrixType)));
    }
    const bool quantized =
        std::any_of(model.tensors().begin(), model.tensors().end(), [](const auto& t) {
            return !isFloatType(t.type) && !ggmlTypeInfo(t.type).isInteger &&
                   t.type != GgmlType::F64;
        });
    if (quantized && !md.contains("general.quantization_version")) {
        md.set("general.quantization_version", MetaValue(std::uint32_t{2}));
    }
    return md;
}

Status convertToGguf(const Model& model, const std::string& outPath, const ConvertOptions& options,
                     ProgressSink& progress, const CancelToken& cancel) {
    std::vector<GgufTensorSpec> specs;
    std::vector<GgmlType> outTypes;
    for (const auto& t : model.tensors()) {
        auto type = convertedType(t, options);
        if (!type) {
            return makeError(type.error().code, model.path() + ": " + type.error().message);
        }
        outTypes.push_back(*type);
        specs.push_back({t.name, t.dims, *type});
    }
    auto writer = GgufWriter::create(outPath, convertedMetadata(model, options), std::move(specs));
    if (!writer) {
        return writer.error();
    }
    auto& w = **writer;
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < outTypes.size(); ++i) {
        total += w.tensorBytes(i);
    }
    std::uint64_t done = 0;
    std::vector<std::byte> in;
    std::vector<std::byte> out;
    for (std::size_t i = 0; i < model.tensors().size(); ++i) {
        const auto& t = model.tensors()[i];
        const GgmlType outType = outTypes[i];
        const std::uint64_t rows = t.outerRows();
        const std::uint64_t inRowBytes = t.outerRowBytes();
        const std::uint64_t outRowBytes = outType == t.type ? inRowBytes : rowBytesOf(outType, t);
        const std::uint64_t rowsPerChunk =
            std::max<std::uint64_t>(1, kChunkBytes / std::max<std::uint64_t>(inRowBytes, 1));
        for (std::uint64_t first = 0; first < rows; first += rowsPerChunk) {
            if (cancel.isCancelled()) {
                return makeError(ErrorCode::Cancelled, outPath + ": conversion cancelled");
            }
            const std::uint64_t count = std::min(rowsPerChunk, rows - first);
            in.resize(count * inRowBytes);
            if (auto s = model.readRows(t, first, count, in); !s) {
                return s;
            }
            // The chunk is copied: its pages can go, so a large tensor (a 3-D expert stack) is
            // never resident whole.
            model.releaseRowPages(t, first, count);
            std::span<const std::byte> chunk = in;
            if (outType != t.type) {
                const std::uint64_t n = count * inRowBytes / ggmlTypeInfo(t.type).bytesPerBlock;
                const std::size_t inSize = ggmlTypeInfo(t.type).bytesPerBlock;
                const std::size_t outSize = ggmlTypeInfo(outType).bytesPerBlock;
                out.resize(count * outRowBytes);
                for (std::uint64_t e = 0; e < n; ++e) {
                    storeFromF32(outType, loadAsF32(t.type, in.data() + e * inSize),
                                 out.data() + e * outSize);
                }
                chunk = out;
            }
            if (auto s = w.write(chunk); !s) {
                return s;
            }
            done += chunk.size();
            progress.progress(done, total, "bytes", t.name);
        }
        model.releaseTensorPages(t);
        if (rows == 0) {
            if (auto s = w.write({}); !s) {
                return s;
            }
        }
    }
    return w.finish();
}

} // namespace qs::core
