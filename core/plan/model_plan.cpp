#include "core/plan/model_plan.h"

#include "core/model/model.h"

namespace qs::core {

ModelShape modelShapeOf(const Model& model) {
    const auto hp = model.hparams();
    ModelShape shape;
    shape.architecture = hp.architecture.empty() ? "llama" : hp.architecture;
    shape.nLayer = static_cast<int>(hp.blockCount);
    shape.nHead = static_cast<int>(hp.headCount);
    shape.nHeadKv = static_cast<int>(hp.headCountKv);
    shape.nExpert =
        static_cast<int>(model.metadata().integer(hp.architecture + ".expert_count").value_or(0));
    return shape;
}

Result<QuantPlan> buildLlamaPlanForModel(const Model& model, const LlamaPreset& preset,
                                         const PresetOptions& options) {
    std::vector<TensorDesc> descs;
    descs.reserve(model.tensors().size());
    for (const auto& t : model.tensors()) {
        TensorDesc d{t.name, {}, t.type};
        for (auto dim : t.dims) {
            d.dims.push_back(static_cast<std::int64_t>(dim));
        }
        descs.push_back(std::move(d));
    }
    return buildLlamaPlan(preset, descs, modelShapeOf(model), options);
}

std::uint64_t plannedTensorBytes(const Model& model, const QuantPlan& plan) {
    std::uint64_t total = 0;
    for (const auto& t : model.tensors()) {
        const GgmlType type = plan.typeOf(t.name).value_or(t.type);
        const auto rowBytes = t.dims.empty() ? std::nullopt : ggmlRowBytes(type, t.dims[0]);
        total += rowBytes ? *rowBytes * t.ggmlRows() : t.byteSize;
    }
    return total;
}

} // namespace qs::core
