#include "ui/windows/session.h"

#include "core/plan/plan_json.h"
#include "core/quant/ggml_type.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace qs::ui {
namespace {

const QString kFormat = QStringLiteral("quantscope-session");
constexpr int kVersion = 1;

QString typeName(core::GgmlType type) {
    const auto name = core::ggmlTypeInfo(type).name;
    return QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
}

std::optional<core::GgmlType> typeFromName(const QString& name) {
    const core::GgmlTypeInfo* info = core::ggmlTypeByName(name.toStdString());
    return info ? std::optional<core::GgmlType>(info->type) : std::nullopt;
}

QJsonObject tensorToJson(const core::TensorQuantResult& r) {
    QJsonObject o{{QStringLiteral("index"), static_cast<qint64>(r.tensorIndex)},
                  {QStringLiteral("name"), QString::fromStdString(r.name)},
                  {QStringLiteral("from"), typeName(r.sourceType)},
                  {QStringLiteral("to"), typeName(r.type)},
                  {QStringLiteral("parameters"), static_cast<qint64>(r.parameters)},
                  {QStringLiteral("bytes"), static_cast<qint64>(r.bytes)},
                  {QStringLiteral("used_importance"), r.usedImportance}};
    if (r.error) {
        QJsonObject e{{QStringLiteral("count"), static_cast<qint64>(r.error->count)},
                      {QStringLiteral("mse"), r.error->mse},
                      {QStringLiteral("relative_rmse"), r.error->relativeRmse},
                      {QStringLiteral("sqnr_db"), r.error->sqnrDb},
                      {QStringLiteral("cosine"), r.error->cosine},
                      {QStringLiteral("max_abs_error"), r.error->maxAbsError}};
        if (r.error->weightedMse) {
            e.insert(QStringLiteral("weighted_mse"), *r.error->weightedMse);
        }
        o.insert(QStringLiteral("error"), e);
    }
    return o;
}

core::TensorQuantResult tensorFromJson(const QJsonObject& o) {
    core::TensorQuantResult r;
    r.tensorIndex = static_cast<std::size_t>(o.value(QStringLiteral("index")).toInteger());
    r.name = o.value(QStringLiteral("name")).toString().toStdString();
    r.sourceType =
        typeFromName(o.value(QStringLiteral("from")).toString()).value_or(core::GgmlType::F32);
    r.type = typeFromName(o.value(QStringLiteral("to")).toString()).value_or(core::GgmlType::F32);
    r.parameters = static_cast<std::uint64_t>(o.value(QStringLiteral("parameters")).toInteger());
    r.bytes = static_cast<std::uint64_t>(o.value(QStringLiteral("bytes")).toInteger());
    r.usedImportance = o.value(QStringLiteral("used_importance")).toBool();
    if (o.contains(QStringLiteral("error"))) {
        const QJsonObject e = o.value(QStringLiteral("error")).toObject();
        core::ErrorMetrics m;
        m.count = e.value(QStringLiteral("count")).toInteger();
        m.mse = e.value(QStringLiteral("mse")).toDouble();
        m.relativeRmse = e.value(QStringLiteral("relative_rmse")).toDouble();
        m.sqnrDb = e.value(QStringLiteral("sqnr_db")).toDouble();
        m.cosine = e.value(QStringLiteral("cosine")).toDouble();
        m.maxAbsError = e.value(QStringLiteral("max_abs_error")).toDouble();
        if (e.contains(QStringLiteral("weighted_mse"))) {
            m.weightedMse = e.value(QStringLiteral("weighted_mse")).toDouble();
        }
        r.error = m;
    }
    return r;
}

QJsonObject variantToJson(const core::VariantResult& v) {
    QJsonObject o{{QStringLiteral("name"), QString::fromStdString(v.name)},
                  {QStringLiteral("reference"), v.isReference},
                  {QStringLiteral("path"), QString::fromStdString(v.path)},
                  {QStringLiteral("file_bytes"), static_cast<qint64>(v.fileBytes)},
                  {QStringLiteral("bpw"), v.bitsPerWeight},
                  {QStringLiteral("quantize_seconds"), v.quantizeSeconds},
                  {QStringLiteral("ppl"), v.kld.ppl},
                  {QStringLiteral("ppl_error"), v.kld.pplError},
                  {QStringLiteral("delta_ppl"), v.deltaPpl},
                  {QStringLiteral("kld_mean"), v.kld.kldMean},
                  {QStringLiteral("kld_mean_error"), v.kld.kldMeanError},
                  {QStringLiteral("top1"), v.kld.sameTop},
                  {QStringLiteral("error"), QString::fromStdString(v.error)}};
    if (v.speed) {
        o.insert(QStringLiteral("pp_tok_s"), v.speed->promptProcessing.tokensPerSecond);
        o.insert(QStringLiteral("tg_tok_s"), v.speed->generation.tokensPerSecond);
        o.insert(QStringLiteral("pp_ratio"), v.ppRatio);
        o.insert(QStringLiteral("tg_ratio"), v.tgRatio);
    }
    return o;
}

core::VariantResult variantFromJson(const QJsonObject& o) {
    core::VariantResult v;
    v.name = o.value(QStringLiteral("name")).toString().toStdString();
    v.isReference = o.value(QStringLiteral("reference")).toBool();
    v.path = o.value(QStringLiteral("path")).toString().toStdString();
    v.fileBytes = static_cast<std::uint64_t>(o.value(QStringLiteral("file_bytes")).toInteger());
    v.bitsPerWeight = o.value(QStringLiteral("bpw")).toDouble();
    v.quantizeSeconds = o.value(QStringLiteral("quantize_seconds")).toDouble();
    v.kld.ppl = o.value(QStringLiteral("ppl")).toDouble();
    v.kld.pplError = o.value(QStringLiteral("ppl_error")).toDouble();
    v.deltaPpl = o.value(QStringLiteral("delta_ppl")).toDouble();
    v.kld.kldMean = o.value(QStringLiteral("kld_mean")).toDouble();
    v.kld.kldMeanError = o.value(QStringLiteral("kld_mean_error")).toDouble();
    v.kld.sameTop = o.value(QStringLiteral("top1")).toDouble();
    v.error = o.value(QStringLiteral("error")).toString().toStdString();
    if (o.contains(QStringLiteral("pp_tok_s"))) {
        core::ThroughputResult s;
        s.promptProcessing.tokensPerSecond = o.value(QStringLiteral("pp_tok_s")).toDouble();
        s.generation.tokensPerSecond = o.value(QStringLiteral("tg_tok_s")).toDouble();
        v.speed = s;
        v.ppRatio = o.value(QStringLiteral("pp_ratio")).toDouble();
        v.tgRatio = o.value(QStringLiteral("tg_ratio")).toDouble();
    }
    return v;
}

} // namespace

QByteArray sessionToJson(const Session& session) {
    QJsonObject root{{QStringLiteral("format"), kFormat},
                     {QStringLiteral("version"), kVersion},
                     {QStringLiteral("model"), session.modelPath},
                     {QStringLiteral("imatrix"), session.imatrixPath}};
    if (session.plan) {
        core::PlanFileInfo info;
        info.model = session.modelPath.toStdString();
        info.source = "session";
        const std::string plan = core::planToJson(*session.plan, info);
        root.insert(QStringLiteral("plan"),
                    QJsonDocument::fromJson(QByteArray::fromStdString(plan)).object());
    }
    QJsonArray tensors;
    for (const auto& r : session.tensorResults) {
        tensors.append(tensorToJson(r));
    }
    QJsonArray variants;
    for (const auto& v : session.comparison) {
        variants.append(variantToJson(v));
    }
    root.insert(QStringLiteral("results"), QJsonObject{{QStringLiteral("tensors"), tensors},
                                                       {QStringLiteral("comparison"), variants}});
    root.insert(
        QStringLiteral("compare"),
        QJsonObject{{QStringLiteral("presets"), QJsonArray::fromStringList(session.comparePresets)},
                    {QStringLiteral("text"), session.compareText},
                    {QStringLiteral("context"), session.compareContext},
                    {QStringLiteral("chunks"), session.compareChunks}});
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

core::Result<Session> sessionFromJson(const QByteArray& json, const QString& fileName) {
    const std::string name = fileName.toStdString();
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (doc.isNull() || !doc.isObject()) {
        return core::makeError(core::ErrorCode::Format, name + ": not a JSON object: " +
                                                            parseError.errorString().toStdString());
    }
    const QJsonObject root = doc.object();
    if (root.value(QStringLiteral("format")).toString() != kFormat) {
        return core::makeError(core::ErrorCode::Format,
                               name + ": not a Quantscope session (\"format\" is not \"" +
                                   kFormat.toStdString() + "\")");
    }
    if (root.value(QStringLiteral("version")).toInt() != kVersion) {
        return core::makeError(core::ErrorCode::Format,
                               name + ": unsupported session version " +
                                   std::to_string(root.value(QStringLiteral("version")).toInt()));
    }
    Session s;
    s.modelPath = root.value(QStringLiteral("model")).toString();
    s.imatrixPath = root.value(QStringLiteral("imatrix")).toString();
    if (root.contains(QStringLiteral("plan"))) {
        const QByteArray plan =
            QJsonDocument(root.value(QStringLiteral("plan")).toObject()).toJson();
        auto parsed = core::planFromJson(plan.toStdString(), name + " (plan)");
        if (!parsed) {
            return parsed.error();
        }
        s.plan = std::move(parsed).value();
    }
    const QJsonObject results = root.value(QStringLiteral("results")).toObject();
    for (const auto& t : results.value(QStringLiteral("tensors")).toArray()) {
        s.tensorResults.push_back(tensorFromJson(t.toObject()));
    }
    for (const auto& v : results.value(QStringLiteral("comparison")).toArray()) {
        s.comparison.push_back(variantFromJson(v.toObject()));
    }
    const QJsonObject compare = root.value(QStringLiteral("compare")).toObject();
    for (const auto& p : compare.value(QStringLiteral("presets")).toArray()) {
        s.comparePresets << p.toString();
    }
    s.compareText = compare.value(QStringLiteral("text")).toString();
    s.compareContext = compare.value(QStringLiteral("context")).toInt();
    s.compareChunks = compare.value(QStringLiteral("chunks")).toInt(-1);
    return s;
}

core::Status writeSessionFile(const QString& path, const Session& session) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(sessionToJson(session)) < 0 ||
        !file.commit()) {
        return core::makeError(core::ErrorCode::Io,
                               path.toStdString() + ": " + file.errorString().toStdString());
    }
    return {};
}

core::Result<Session> readSessionFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return core::makeError(core::ErrorCode::Io,
                               path.toStdString() + ": " + file.errorString().toStdString());
    }
    return sessionFromJson(file.readAll(), path);
}

} // namespace qs::ui
