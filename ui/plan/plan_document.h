#pragma once

#include "core/plan/quant_plan.h"
#include "core/quant/ggml_type.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

class QUndoStack;

namespace qs::core {
class Model;
struct LlamaPreset;
} // namespace qs::core

namespace qs::ui {

// The plan being edited: one storage type per tensor of the open model, with undo/redo for
// every edit. Tensors llama.cpp never quantizes (norms, 1-D tensors) keep their stored type
// and cannot be changed. Widgets observe planChanged() and never hold their own copy.
class PlanDocument : public QObject {
    Q_OBJECT

public:
    explicit PlanDocument(QObject* parent = nullptr);
    ~PlanDocument() override;

    // Starts a new plan for `model`: every tensor at its stored type; clears the undo history.
    void setModel(std::shared_ptr<const core::Model> model);
    const core::Model* model() const { return m_model.get(); }
    // For background jobs that must keep the model alive while the document moves on.
    std::shared_ptr<const core::Model> sharedModel() const { return m_model; }
    QUndoStack* undoStack() const { return m_undo; }

    std::size_t tensorCount() const { return m_types.size(); }
    core::GgmlType typeOf(std::size_t tensor) const { return m_types.at(tensor); }
    // The planned type of every tensor, indexed like core::Model::tensors().
    const std::vector<core::GgmlType>& types() const { return m_types; }
    bool isQuantizable(std::size_t tensor) const { return m_quantizable.at(tensor); }
    // Whether `type` fits the tensor's rows (whole blocks).
    bool typeFits(std::size_t tensor, core::GgmlType type) const;

    // Sets `type` on the given tensors as one undoable step. Tensors that cannot take the
    // type (not quantizable, rows not a multiple of the block) are skipped; returns how many
    // changed.
    int setTypes(const std::vector<std::size_t>& tensors, core::GgmlType type);
    // Replaces the whole plan with llama-quantize's choice for `preset` (one undoable step).
    // Returns an error text, empty on success.
    QString applyPreset(const core::LlamaPreset& preset);

    // What applyPlan() did with a plan made for this or another model.
    struct ApplyReport {
        int changed = 0;     // tensors whose type changed
        int matched = 0;     // plan entries naming a tensor of this model
        QStringList unknown; // plan entries naming no tensor of this model
        QStringList skipped; // tensors that cannot take the planned type
    };
    // Applies the types of `plan` to the tensors of the same name as one undoable step
    // (labelled `label`); entries for other tensors are reported, not applied.
    ApplyReport applyPlan(const core::QuantPlan& plan, const QString& label);

    // Planned size of all tensors, and bits per weight over all parameters.
    quint64 plannedBytes() const;
    double plannedBitsPerWeight() const;
    core::QuantPlan toQuantPlan() const;

    // Applies a complete list of types (used by undo commands); emits planChanged.
    void assignTypes(const std::vector<std::size_t>& tensors,
                     const std::vector<core::GgmlType>& types);

signals:
    void planChanged();

private:
    std::shared_ptr<const core::Model> m_model;
    std::vector<core::GgmlType> m_types;
    std::vector<bool> m_quantizable;
    QUndoStack* m_undo;
};

} // namespace qs::ui
