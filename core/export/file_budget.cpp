#include "core/export/file_budget.h"

#include "core/io/gguf_writer.h"
#include "core/model/model.h"

namespace qs::core {
namespace {

// The tensor list quantizeModel writes: llama.cpp's order, the plan's types.
std::vector<GgufTensorSpec> fileSpecs(const Model& model, const QuantPlan& plan) {
    std::vector<GgufTensorSpec> specs;
    for (std::size_t i : llamaFileOrder(model)) {
        const TensorInfo& t = model.tensors()[i];
        specs.push_back({t.name, t.dims, plan.typeOf(t.name).value_or(t.type)});
    }
    return specs;
}

} // namespace

std::uint64_t quantizedFileBytes(const Model& model, const QuantPlan& plan,
                                 const QuantizeOptions& options) {
    return ggufFileBytes(quantizedMetadata(model, options), fileSpecs(model, plan));
}

std::uint64_t quantizedFileOverhead(const Model& model, const QuantizeOptions& options) {
    const Metadata metadata = quantizedMetadata(model, options);
    // The header's size does not depend on the tensors' types (a type is a fixed-size id).
    const auto specs = fileSpecs(model, QuantPlan());
    const std::uint32_t alignment = ggufAlignment(metadata);
    const std::uint64_t header = serializeGgufHeader(metadata, specs, alignment).size();
    return header + static_cast<std::uint64_t>(alignment - 1) * specs.size();
}

} // namespace qs::core
