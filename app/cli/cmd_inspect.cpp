#include "cli/cli_common.h"
#include "cli/commands.h"

#include "core/io/model_reader.h"
#include "core/model/data_scan.h"
#include "core/model/hparams_check.h"

#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

// `inspect --json` schema "quantscope.inspect/1" (stable: fields are only ever added):
// { "schema", "path", "format" (gguf|safetensors|llama2c), "file_bytes",
//   "architecture": { "name", "context_length", "embedding_length", "block_count",
//                     "feed_forward_length", "head_count", "head_count_kv",
//                     "rope_dimension_count", "rope_freq_base", "rms_epsilon", "vocab_size",
//                     "tied_embeddings" },
//   "metadata": [ { "key", "type", "value" } ]   arrays: value = { "element_type", "count",
//                                                 "values" (first 16), "truncated" },
//   "tensors": [ { "name", "source_name", "layer" (null for globals), "role", "dims" (ne0
//                  first), "type", "bytes", "offset", "elements" } ],
//   "totals": { "tensors", "parameters", "bytes", "bits_per_weight" } }

namespace qs::cli {
namespace {

constexpr std::size_t kJsonArrayItems = 16;

nlohmann::json metaToJson(const core::MetaValue& v);

nlohmann::json arrayToJson(const core::MetaArray& a) {
    nlohmann::json values = nlohmann::json::array();
    const std::size_t n = a.size();
    for (std::size_t i = 0; i < n && i < kJsonArrayItems; ++i) {
        if (a.elementType == core::MetaType::String) {
            // Tokens may hold invalid UTF-8; replace rather than fail the dump.
            values.push_back(a.strings[i]);
        } else if (a.elementType == core::MetaType::Array) {
            values.push_back(metaToJson(a.arrays[i]));
        } else if (a.elementType == core::MetaType::Bool) {
            values.push_back(a.scalars[i] != 0);
        } else if (a.elementType == core::MetaType::Float32 ||
                   a.elementType == core::MetaType::Float64) {
            values.push_back(*a.number(i));
        } else if (const auto x = a.integer(i)) {
            values.push_back(*x);
        } else {
            values.push_back(*a.number(i));
        }
    }
    return {{"element_type", core::metaTypeName(a.elementType)},
            {"count", n},
            {"values", values},
            {"truncated", n > kJsonArrayItems}};
}

nlohmann::json metaToJson(const core::MetaValue& v) {
    if (const auto* s = v.asString()) {
        return *s;
    }
    if (const auto* a = v.asArray()) {
        return arrayToJson(*a);
    }
    if (const auto b = v.asBool()) {
        return *b;
    }
    if (v.type() == core::MetaType::Float32 || v.type() == core::MetaType::Float64) {
        return *v.asNumber();
    }
    if (v.type() == core::MetaType::UInt64) {
        return std::get<std::uint64_t>(v.storage());
    }
    return *v.asInteger();
}

std::string dimsText(const std::vector<std::uint64_t>& dims) {
    std::string s = "[";
    for (std::size_t i = 0; i < dims.size(); ++i) {
        s += (i ? ", " : "") + std::to_string(dims[i]);
    }
    return s + "]";
}

std::string humanBytes(std::uint64_t bytes) {
    char buf[64];
    if (bytes >= (1ull << 30)) {
        std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / (1ull << 30));
    } else if (bytes >= (1ull << 20)) {
        std::snprintf(buf, sizeof buf, "%.2f MiB", static_cast<double>(bytes) / (1ull << 20));
    } else if (bytes >= 1024) {
        std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(bytes) / 1024);
    } else {
        std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
    }
    return buf;
}

nlohmann::json toJson(const core::Model& m) {
    const auto hp = m.hparams();
    nlohmann::json j;
    j["schema"] = "quantscope.inspect/1";
    j["path"] = m.path();
    j["format"] = core::modelFormatName(m.format());
    j["file_bytes"] = m.fileBytes();
    j["architecture"] = {{"name", hp.architecture},
                         {"context_length", hp.contextLength},
                         {"embedding_length", hp.embeddingLength},
                         {"block_count", hp.blockCount},
                         {"feed_forward_length", hp.feedForwardLength},
                         {"head_count", hp.headCount},
                         {"head_count_kv", hp.headCountKv},
                         {"rope_dimension_count", hp.ropeDimensionCount},
                         {"rope_freq_base", hp.ropeFreqBase},
                         {"rms_epsilon", hp.rmsEpsilon},
                         {"vocab_size", hp.vocabSize},
                         {"tied_embeddings", m.tiedEmbeddings()}};
    auto& md = j["metadata"] = nlohmann::json::array();
    for (const auto& [key, value] : m.metadata().entries()) {
        md.push_back({{"key", key},
                      {"type", core::metaTypeName(value.type())},
                      {"value", metaToJson(value)}});
    }
    auto& ts = j["tensors"] = nlohmann::json::array();
    for (const auto& t : m.tensors()) {
        const auto layer = core::tensorLayerIndex(t.name);
        ts.push_back({{"name", t.name},
                      {"source_name", t.sourceName},
                      {"layer", layer ? nlohmann::json(*layer) : nlohmann::json(nullptr)},
                      {"role", core::tensorRoleName(t.role())},
                      {"dims", t.dims},
                      {"type", core::ggmlTypeInfo(t.type).name},
                      {"bytes", t.byteSize},
                      {"offset", t.offset},
                      {"elements", t.elementCount()}});
        if (!t.parts.empty()) {
            // Stacked from one HF tensor per expert: "offset" is the first piece's.
            ts.back()["pieces"] = t.parts.size();
        }
    }
    j["totals"] = {{"tensors", m.tensors().size()},
                   {"parameters", m.parameterCount()},
                   {"bytes", m.tensorBytes()},
                   {"bits_per_weight", m.bitsPerWeight()}};
    return j;
}

void printTensor(std::ostream& out, const core::TensorInfo& t) {
    char line[256];
    std::snprintf(line, sizeof line, "    %-32s %-22s %-7s %12s\n", t.name.c_str(),
                  dimsText(t.dims).c_str(), std::string(core::ggmlTypeInfo(t.type).name).c_str(),
                  humanBytes(t.byteSize).c_str());
    out << line;
}

void printText(std::ostream& out, const core::Model& m, bool allTensors) {
    const auto hp = m.hparams();
    out << "File:          " << m.path() << " (" << core::modelFormatName(m.format()) << ", "
        << humanBytes(m.fileBytes()) << ")\n";
    out << "Architecture:  " << (hp.architecture.empty() ? "?" : hp.architecture) << "\n";
    out << "  context " << hp.contextLength << ", embedding " << hp.embeddingLength << ", layers "
        << hp.blockCount << ", heads " << hp.headCount << " (kv " << hp.headCountKv << "), ffn "
        << hp.feedForwardLength << "\n  rope dim " << hp.ropeDimensionCount << ", rope base "
        << hp.ropeFreqBase << ", rms eps " << hp.rmsEpsilon << ", vocab " << hp.vocabSize
        << (m.tiedEmbeddings() ? ", tied embeddings" : "") << "\n";
    char totals[256];
    std::snprintf(totals, sizeof totals,
                  "Tensors:       %zu, %llu parameters, %s of data, %.2f bits per weight\n",
                  m.tensors().size(), static_cast<unsigned long long>(m.parameterCount()),
                  humanBytes(m.tensorBytes()).c_str(), m.bitsPerWeight());
    out << totals;
    out << "Metadata (" << m.metadata().size() << "):\n";
    for (const auto& [key, value] : m.metadata().entries()) {
        out << "  " << key << " (" << core::metaTypeName(value.type())
            << ") = " << value.toDisplayString() << "\n";
    }
    out << "Tensors by layer:\n";
    std::set<std::size_t> inLayers;
    const auto layers = m.layers();
    for (const auto& l : layers) {
        inLayers.insert(l.tensors.begin(), l.tensors.end());
    }
    out << "  global:\n";
    for (std::size_t i = 0; i < m.tensors().size(); ++i) {
        if (!inLayers.count(i)) {
            printTensor(out, m.tensors()[i]);
        }
    }
    for (const auto& l : layers) {
        std::uint64_t bytes = 0;
        std::uint64_t params = 0;
        std::map<std::string, int> types;
        for (auto i : l.tensors) {
            bytes += m.tensors()[i].byteSize;
            params += m.tensors()[i].elementCount();
            ++types[std::string(core::ggmlTypeInfo(m.tensors()[i].type).name)];
        }
        out << "  blk." << l.index << ": " << l.tensors.size() << " tensors, " << params
            << " parameters, " << humanBytes(bytes) << " (";
        bool first = true;
        for (const auto& [name, n] : types) {
            out << (first ? "" : ", ") << n << " " << name;
            first = false;
        }
        out << ")\n";
        if (allTensors) {
            for (auto i : l.tensors) {
                printTensor(out, m.tensors()[i]);
            }
        }
    }
}

// inspect --check: the hyper-parameters against the tensors, then every tensor's values.
int checkModelData(const core::Model& model, std::ostream& out) {
    bool clean = true;
    if (auto s = core::checkHyperparameters(model); !s) {
        out << "hyper-parameters: " << s.error().message << "\n";
        clean = false;
    }
    core::CancelToken cancel;
    TerminalProgress progress;
    auto problems = core::scanModelData(model, cancel, progress);
    if (!problems) {
        return reportError(problems.error());
    }
    for (const auto& p : *problems) {
        const core::TensorInfo* t = model.findTensor(p.tensor);
        const bool blocks = t && core::ggmlTypeInfo(t->type).blockSize > 1;
        out << model.path() << ": tensor " << p.tensor << ": " << p.count
            << (blocks ? " block(s)" : " value(s)") << " llama.cpp would reject; the first at row "
            << p.firstRow << " column " << p.firstColumn << " (" << p.first << ")\n";
    }
    out << "checked " << model.tensors().size() << " tensors: " << problems->size()
        << " with non-finite values\n";
    return clean && problems->empty() ? kExitOk : kExitFailure;
}

} // namespace

int runInspect(const std::vector<std::string>& args) {
    ArgParser parser("inspect", "Show a model's architecture, metadata and tensors.\n"
                                "MODEL is a GGUF file, a Hugging Face folder or a llama2.c "
                                "checkpoint. Reads headers only.");
    parser.addPositional("MODEL", "Model file or folder");
    parser.addFlag("json", "Print everything as JSON (schema quantscope.inspect/1)");
    parser.addFlag("tensors", "List every tensor of every layer");
    parser.addOption("tokenizer", "PATH", "llama2.c tokenizer.bin (default: found beside MODEL)");
    parser.addFlag("check", "Also read every tensor and list those holding NaN or infinite "
                            "values or block scales (what llama.cpp rejects), and check the "
                            "hyper-parameters against the tensors; exit 1 if anything is wrong");
    int exitCode = kExitOk;
    if (!parseOrExit(parser, args, exitCode)) {
        return exitCode;
    }
    auto model = core::openModel(parser.positional("MODEL"),
                                 parser.isSet("tokenizer") ? parser.value("tokenizer") : "");
    if (!model) {
        return reportError(model.error());
    }
    if (parser.isSet("json")) {
        std::cout << toJson(*model).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                  << "\n";
    } else {
        printText(std::cout, *model, parser.isSet("tensors"));
    }
    if (parser.isSet("check")) {
        return checkModelData(*model, parser.isSet("json") ? std::cerr : std::cout);
    }
    return kExitOk;
}

} // namespace qs::cli
