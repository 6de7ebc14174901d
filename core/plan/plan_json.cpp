#include "core/plan/plan_json.h"

#include "core/fs/atomic_file.h"
#include "core/quant/ggml_type.h"

#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace qs::core {

namespace {

constexpr std::string_view kFormatTag = "quantscope-plan";
constexpr int kVersion = 1;
// A plan names each tensor once; a 405B model has ~1,100 tensors, so this only stops
// hostile files from allocating without bound.
constexpr std::size_t kMaxTensors = 1u << 20;

Error formatError(const std::string& fileName, const std::string& what) {
    return makeError(ErrorCode::Format, fileName + ": not a valid plan file: " + what);
}

} // namespace

std::string planToJson(const QuantPlan& plan, const PlanFileInfo& info) {
    nlohmann::ordered_json doc;
    doc["format"] = kFormatTag;
    doc["version"] = kVersion;
    doc["model"] = info.model;
    doc["source"] = info.source;
    doc["file_type"] = info.fileType;
    nlohmann::ordered_json tensors = nlohmann::ordered_json::array();
    for (const PlannedTensor& t : plan.tensors()) {
        nlohmann::ordered_json entry;
        entry["name"] = t.name;
        entry["type"] = std::string(ggmlTypeInfo(t.type).name);
        if (t.fellBack) {
            entry["fell_back"] = true;
        }
        tensors.push_back(std::move(entry));
    }
    doc["tensors"] = std::move(tensors);
    return doc.dump(1) + "\n";
}

Result<QuantPlan> planFromJson(std::string_view json, const std::string& fileName,
                               PlanFileInfo* info) {
    const nlohmann::json doc = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return formatError(fileName, "it is not a JSON object");
    }
    const auto format = doc.find("format");
    if (format == doc.end() || !format->is_string() || format->get<std::string>() != kFormatTag) {
        return formatError(fileName, "\"format\" is not \"quantscope-plan\"");
    }
    const auto version = doc.find("version");
    if (version == doc.end() || !version->is_number_integer()) {
        return formatError(fileName, "\"version\" is missing");
    }
    if (version->get<std::int64_t>() != kVersion) {
        return makeError(ErrorCode::Unsupported,
                         fileName + ": plan version " +
                             std::to_string(version->get<std::int64_t>()) +
                             " is not supported (this build reads version 1)");
    }
    const auto tensors = doc.find("tensors");
    if (tensors == doc.end() || !tensors->is_array()) {
        return formatError(fileName, "\"tensors\" is not an array");
    }
    if (tensors->size() > kMaxTensors) {
        return formatError(fileName, "too many tensors");
    }

    QuantPlan plan;
    std::set<std::string, std::less<>> seen;
    for (std::size_t i = 0; i < tensors->size(); ++i) {
        const nlohmann::json& entry = (*tensors)[i];
        const std::string where = "tensor #" + std::to_string(i);
        if (!entry.is_object()) {
            return formatError(fileName, where + " is not an object");
        }
        const auto name = entry.find("name");
        const auto type = entry.find("type");
        if (name == entry.end() || !name->is_string() || name->get<std::string>().empty()) {
            return formatError(fileName, where + " has no \"name\"");
        }
        if (type == entry.end() || !type->is_string()) {
            return formatError(fileName,
                               where + " (" + name->get<std::string>() + ") has no \"type\"");
        }
        const std::string tensorName = name->get<std::string>();
        const GgmlTypeInfo* typeInfo = ggmlTypeByName(type->get<std::string>());
        if (!typeInfo || typeInfo->isInteger) {
            return formatError(fileName,
                               tensorName + ": unknown type \"" + type->get<std::string>() + "\"");
        }
        if (!seen.insert(tensorName).second) {
            return formatError(fileName, tensorName + " is listed twice");
        }
        const auto fellBack = entry.find("fell_back");
        plan.set(tensorName, typeInfo->type,
                 fellBack != entry.end() && fellBack->is_boolean() && fellBack->get<bool>());
    }

    if (info) {
        const auto text = [&](const char* key) {
            const auto it = doc.find(key);
            return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
        };
        info->model = text("model");
        info->source = text("source");
        const auto fileType = doc.find("file_type");
        info->fileType = fileType != doc.end() && fileType->is_number_unsigned()
                             ? fileType->get<std::uint32_t>()
                             : 0;
    }
    return plan;
}

Status writePlanFile(const std::string& path, const QuantPlan& plan, const PlanFileInfo& info) {
    return writeFileAtomically(path, planToJson(plan, info));
}

Result<QuantPlan> readPlanFile(const std::string& path, PlanFileInfo* info) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        return Error::fromErrno(errno, path, "open");
    }
    std::ostringstream bytes;
    bytes << file.rdbuf();
    if (file.bad()) {
        return Error::fromErrno(errno, path, "read");
    }
    return planFromJson(bytes.str(), path, info);
}

} // namespace qs::core
