#include "core/io/quantized_import.h"

#include "core/quant/half.h"
#include "core/quant/packing.h"

#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>

namespace qs::core {

bool splitQuantizedName(const std::string& name, std::string& prefix, std::string& part) {
    for (const char* suffix : {".qweight", ".qzeros", ".scales", ".g_idx"}) {
        const std::string s(suffix);
        if (name.size() > s.size() && name.ends_with(s)) {
            prefix = name.substr(0, name.size() - s.size());
            part = s.substr(1);
            return true;
        }
    }
    return false;
}

namespace {

template <typename T>
Result<std::vector<T>> readPart(const std::string& folder, const QuantizedLinearParts& l,
                                const std::string& prefix, const char* part, const char* dtype,
                                std::size_t rank, std::vector<std::uint64_t>& shape) {
    auto it = l.parts.find(part);
    if (it == l.parts.end()) {
        return makeError(ErrorCode::Format,
                         folder + ": " + prefix + " has no ." + part + " tensor");
    }
    const auto& [t, file] = it->second;
    if (t.dtype != dtype || t.shape.size() != rank) {
        return makeError(ErrorCode::Format, folder + ": " + prefix + "." + part + " has dtype " +
                                                t.dtype + " and " + std::to_string(t.shape.size()) +
                                                " dims, expected " + dtype);
    }
    shape = t.shape;
    std::vector<T> out(t.byteSize / sizeof(T));
    const auto bytes = file->slice(t.offset, t.byteSize);
    if (bytes.size() != t.byteSize) {
        return makeError(ErrorCode::Format,
                         folder + ": " + prefix + "." + part + " lies outside its file");
    }
    std::memcpy(out.data(), bytes.data(), bytes.size());
    return out;
}

} // namespace

Status importQuantizedLinears(const std::string& folder, const std::string& quantConfigJson,
                              const HfArchitecture& arch,
                              const std::map<std::string, QuantizedLinearParts>& linears,
                              std::vector<std::shared_ptr<const MappedFile>>& sources,
                              std::vector<TensorInfo>& tensors,
                              std::vector<SafetensorsTensor>& expertPieces) {
    const auto qc = nlohmann::json::parse(quantConfigJson, nullptr, false);
    if (!qc.is_object()) {
        return makeError(ErrorCode::Format, folder + ": quantization_config is not an object");
    }
    const std::string method = qc.value("quant_method", std::string());
    const bool awq = method == "awq";
    if (!awq && method != "gptq") {
        return makeError(ErrorCode::Unsupported,
                         folder + ": quant_method '" + method + "' is not supported (gptq, awq)");
    }
    int bits = 4, groupSize = -1;
    std::string format;
    try {
        bits = qc.contains("bits") ? qc["bits"].get<int>() : qc.value("w_bit", 4);
        groupSize =
            qc.contains("group_size") ? qc["group_size"].get<int>() : qc.value("q_group_size", -1);
        format = awq ? qc.value("version", std::string("gemm"))
                     : qc.value("checkpoint_format", qc.value("format", std::string("gptq")));
    } catch (const nlohmann::json::exception& e) {
        return makeError(ErrorCode::Format, folder + ": quantization_config: " + e.what());
    }
    for (auto& c : format) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (awq ? format != "gemm" : (format != "gptq" && format != "gptq_v2")) {
        return makeError(ErrorCode::Unsupported,
                         folder + ": checkpoint format '" + format + "' is not supported" +
                             (awq ? " (AWQ: gemm)" : " (GPTQ: gptq, gptq_v2)"));
    }
    const bool v2 = format == "gptq_v2";

    // Dequantize each linear to f16 (rows in HF order), then lay them out in one mapping.
    struct Pending {
        TensorInfo info;
        std::vector<std::uint16_t> values;
        bool expert = false; // one expert's piece of a stacked tensor
    };
    std::vector<Pending> pending;
    std::uint64_t total = 0;
    for (const auto& [prefix, l] : linears) {
        std::vector<std::uint64_t> qwShape, qzShape, scShape, giShape;
        auto qweight = readPart<std::int32_t>(folder, l, prefix, "qweight", "I32", 2, qwShape);
        auto qzeros = readPart<std::int32_t>(folder, l, prefix, "qzeros", "I32", 2, qzShape);
        auto scales = readPart<std::uint16_t>(folder, l, prefix, "scales", "F16", 2, scShape);
        if (!qweight || !qzeros || !scales) {
            return !qweight ? qweight.error() : !qzeros ? qzeros.error() : scales.error();
        }
        Result<QuantizedLinear> q = makeError(ErrorCode::Internal, "unset");
        if (awq) {
            AwqPacked p;
            p.in = static_cast<int>(qwShape[0]);
            p.out = static_cast<int>(scShape[1]);
            p.groups = static_cast<int>(scShape[0]);
            p.qweight = std::move(*qweight);
            p.qzeros = std::move(*qzeros);
            p.scales = std::move(*scales);
            q = unpackAwq(p, groupSize);
        } else {
            auto gIdx = readPart<std::int32_t>(folder, l, prefix, "g_idx", "I32", 1, giShape);
            GptqPacked p;
            p.bits = bits;
            p.out = static_cast<int>(qwShape[1]);
            p.in = static_cast<int>(qwShape[0] * 32 / static_cast<std::uint64_t>(bits));
            p.groups = static_cast<int>(scShape[0]);
            if (gIdx) {
                p.gIdx = std::move(*gIdx);
            } else {
                // Older checkpoints without g_idx: contiguous groups.
                const int g = groupSize > 0 ? groupSize : p.in;
                p.gIdx.resize(static_cast<std::size_t>(p.in));
                for (int i = 0; i < p.in; ++i) {
                    p.gIdx[i] = i / g;
                }
            }
            p.qweight = std::move(*qweight);
            p.qzeros = std::move(*qzeros);
            p.scales = std::move(*scales);
            q = unpackGptq(p, v2, groupSize);
        }
        if (!q) {
            return makeError(q.error().code, folder + ": " + prefix + ": " + q.error().message);
        }
        const auto dq = q->dequantize();
        Pending pd;
        pd.values.resize(dq.size());
        for (std::size_t i = 0; i < dq.size(); ++i) {
            pd.values[i] = fp32ToFp16(dq[i]);
        }
        const std::string hfName = prefix + ".weight";
        // An expert keeps its HF name: the caller stacks it with the others.
        pd.expert = hfExpertTensor(*arch.family, hfName).has_value();
        const auto gguf = pd.expert ? std::optional(hfName) : hfToGgufName(*arch.family, hfName);
        if (!gguf) {
            return makeError(ErrorCode::Unsupported,
                             folder + ": quantized tensor '" + prefix + "' has no GGUF name");
        }
        pd.info.name = *gguf;
        pd.info.sourceName = hfName;
        pd.info.dims = {static_cast<std::uint64_t>(q->cols), static_cast<std::uint64_t>(q->rows)};
        pd.info.type = GgmlType::F16;
        pd.info.byteSize = pd.values.size() * sizeof(std::uint16_t);
        pd.info.offset = total;
        if (arch.permuteQK) {
            if (hfName.find("self_attn.q_proj.") != std::string::npos) {
                pd.info.permuteHeads = arch.headCount;
            } else if (hfName.find("self_attn.k_proj.") != std::string::npos) {
                pd.info.permuteHeads = arch.headCountKv;
            }
        }
        total += pd.info.byteSize;
        pending.push_back(std::move(pd));
    }
    const auto source = static_cast<std::uint32_t>(sources.size());
    auto mapped = MappedFile::anonymous(
        folder + " (dequantized " + method + ")", total, [&](std::span<std::byte> bytes) -> Status {
            for (const auto& pd : pending) {
                std::memcpy(bytes.data() + pd.info.offset, pd.values.data(), pd.info.byteSize);
            }
            return {};
        });
    if (!mapped) {
        return mapped.error();
    }
    sources.push_back(*mapped);
    for (auto& pd : pending) {
        pd.info.source = source;
        if (pd.expert) {
            SafetensorsTensor piece;
            piece.name = pd.info.sourceName;
            piece.dtype = "F16";
            piece.shape = {pd.info.dims[1], pd.info.dims[0]};
            piece.offset = pd.info.offset;
            piece.byteSize = pd.info.byteSize;
            expertPieces.push_back(std::move(piece));
            continue;
        }
        tensors.push_back(std::move(pd.info));
    }
    return {};
}

} // namespace qs::core
