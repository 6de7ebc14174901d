#pragma once

#include <QString>

namespace qs::core {
class Model;
}

namespace qs::ui {

// The model panel's summary of an open model (file, format, shape, size), as HTML.
QString modelSummaryHtml(const QString& path, const core::Model& model);

} // namespace qs::ui
