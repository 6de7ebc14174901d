#pragma once

#include "core/error.h"
#include "core/export/quantize_model.h"
#include "core/plan/quant_plan.h"
#include "core/workflows/compare_variants.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

// A workbench session on disk: the model, the plan (in plan_json's format, embedded), the
// importance matrix, the results of the last run and comparison, and the comparison's
// settings. JSON: {"format": "quantscope-session", "version": 1, ...}.
namespace qs::ui {

struct Session {
    QString modelPath;
    std::optional<core::QuantPlan> plan;
    QString imatrixPath;
    std::vector<core::TensorQuantResult> tensorResults;
    std::vector<core::VariantResult> comparison;
    QStringList comparePresets;
    QString compareText;
    int compareContext = 0;
    int compareChunks = -1;
};

QByteArray sessionToJson(const Session& session);
// `fileName` names the source in errors.
core::Result<Session> sessionFromJson(const QByteArray& json, const QString& fileName);

// Atomic (QSaveFile).
core::Status writeSessionFile(const QString& path, const Session& session);
core::Result<Session> readSessionFile(const QString& path);

} // namespace qs::ui
