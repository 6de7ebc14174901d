#include "ui/plan/plan_document.h"

#include "core/model/model.h"
#include "core/plan/llama_presets.h"
#include "core/plan/model_plan.h"

#include <QUndoCommand>
#include <QUndoStack>

namespace qs::ui {
namespace {

// One plan edit: the tensors it touched with their types before and after.
class SetTypesCommand : public QUndoCommand {
public:
    SetTypesCommand(PlanDocument* doc, std::vector<std::size_t> tensors,
                    std::vector<core::GgmlType> before, std::vector<core::GgmlType> after,
                    const QString& text)
        : QUndoCommand(text)
        , m_doc(doc)
        , m_tensors(std::move(tensors))
        , m_before(std::move(before))
        , m_after(std::move(after)) {}

    void redo() override { m_doc->assignTypes(m_tensors, m_after); }
    void undo() override { m_doc->assignTypes(m_tensors, m_before); }

private:
    PlanDocument* m_doc;
    std::vector<std::size_t> m_tensors;
    std::vector<core::GgmlType> m_before;
    std::vector<core::GgmlType> m_after;
};

QString typeName(core::GgmlType type) {
    const auto name = core::ggmlTypeInfo(type).name;
    return QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
}

} // namespace

PlanDocument::PlanDocument(QObject* parent)
    : QObject(parent)
    , m_undo(new QUndoStack(this)) {}

PlanDocument::~PlanDocument() = default;

void PlanDocument::setModel(std::shared_ptr<const core::Model> model) {
    m_model = std::move(model);
    m_types.clear();
    m_quantizable.clear();
    m_undo->clear();
    if (m_model) {
        for (const auto& t : m_model->tensors()) {
            m_types.push_back(t.type);
            // llama-quantize's rule: weight matrices only; norms, vectors and MoE routers
            // (ffn_gate_inp) stay as stored.
            core::TensorDesc desc;
            desc.name = t.name;
            desc.dims.assign(t.dims.begin(), t.dims.end());
            desc.sourceType = t.type;
            m_quantizable.push_back(core::llamaAllowsQuantization(desc));
        }
    }
    emit planChanged();
}

bool PlanDocument::typeFits(std::size_t tensor, core::GgmlType type) const {
    const auto& t = m_model->tensors().at(tensor);
    return !t.dims.empty() && core::ggmlRowBytes(type, t.dims[0]).has_value();
}

int PlanDocument::setTypes(const std::vector<std::size_t>& tensors, core::GgmlType type) {
    std::vector<std::size_t> changed;
    std::vector<core::GgmlType> before;
    for (std::size_t t : tensors) {
        if (t < m_types.size() && m_quantizable[t] && typeFits(t, type) && m_types[t] != type) {
            changed.push_back(t);
            before.push_back(m_types[t]);
        }
    }
    if (changed.empty()) {
        return 0;
    }
    const int count = static_cast<int>(changed.size());
    std::vector<core::GgmlType> after(changed.size(), type);
    m_undo->push(
        new SetTypesCommand(this, std::move(changed), std::move(before), std::move(after),
                            tr("Set %n tensor(s) to %1", nullptr, count).arg(typeName(type))));
    return count;
}

QString PlanDocument::applyPreset(const core::LlamaPreset& preset) {
    if (!m_model) {
        return tr("No model is open.");
    }
    auto plan = core::buildLlamaPlanForModel(*m_model, preset);
    if (!plan) {
        return QString::fromStdString(plan.error().message);
    }
    std::vector<std::size_t> tensors;
    std::vector<core::GgmlType> before;
    std::vector<core::GgmlType> after;
    for (std::size_t i = 0; i < m_types.size(); ++i) {
        const auto planned = plan->typeOf(m_model->tensors()[i].name);
        if (planned && m_quantizable[i] && *planned != m_types[i]) {
            tensors.push_back(i);
            before.push_back(m_types[i]);
            after.push_back(*planned);
        }
    }
    m_undo->push(new SetTypesCommand(
        this, std::move(tensors), std::move(before), std::move(after),
        tr("Apply preset %1")
            .arg(QString::fromUtf8(preset.name.data(),
                                   static_cast<qsizetype>(preset.name.size())))));
    return {};
}

PlanDocument::ApplyReport PlanDocument::applyPlan(const core::QuantPlan& plan,
                                                  const QString& label) {
    ApplyReport report;
    if (!m_model) {
        return report;
    }
    std::vector<std::size_t> tensors;
    std::vector<core::GgmlType> before;
    std::vector<core::GgmlType> after;
    for (const auto& entry : plan.tensors()) {
        const auto* t = m_model->findTensor(entry.name);
        if (!t) {
            report.unknown << QString::fromStdString(entry.name);
            continue;
        }
        ++report.matched;
        const auto i = static_cast<std::size_t>(t - m_model->tensors().data());
        if (m_types[i] == entry.type) {
            continue;
        }
        if (!m_quantizable[i] || !typeFits(i, entry.type)) {
            report.skipped << QString::fromStdString(entry.name);
            continue;
        }
        tensors.push_back(i);
        before.push_back(m_types[i]);
        after.push_back(entry.type);
    }
    report.changed = static_cast<int>(tensors.size());
    if (!tensors.empty()) {
        m_undo->push(new SetTypesCommand(this, std::move(tensors), std::move(before),
                                         std::move(after), label));
    }
    return report;
}

void PlanDocument::assignTypes(const std::vector<std::size_t>& tensors,
                               const std::vector<core::GgmlType>& types) {
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        m_types.at(tensors[i]) = types[i];
    }
    emit planChanged();
}

quint64 PlanDocument::plannedBytes() const {
    return m_model ? core::plannedTensorBytes(*m_model, toQuantPlan()) : 0;
}

double PlanDocument::plannedBitsPerWeight() const {
    if (!m_model || m_model->parameterCount() == 0) {
        return 0.0;
    }
    return 8.0 * static_cast<double>(plannedBytes()) /
           static_cast<double>(m_model->parameterCount());
}

core::QuantPlan PlanDocument::toQuantPlan() const {
    core::QuantPlan plan;
    if (m_model) {
        for (std::size_t i = 0; i < m_types.size(); ++i) {
            plan.set(m_model->tensors()[i].name, m_types[i]);
        }
    }
    return plan;
}

} // namespace qs::ui
