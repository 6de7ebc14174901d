#pragma once

#include "core/quant/ggml_type.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// A QuantPlan is the single input of quantization: for each tensor, the storage type to write.
// Presets, --tensor-type overrides, the optimizer and the GUI all produce plans.
namespace qs::core {

struct PlannedTensor {
    std::string name;
    GgmlType type;
    // The mixture asked for a type whose block does not divide the row length, and a
    // compatible type was substituted (llama-quantize's "falling back to" warning).
    bool fellBack = false;
};

class QuantPlan {
public:
    // Sets or replaces the type of `name`; insertion order is kept for reports.
    void set(std::string name, GgmlType type, bool fellBack = false);
    std::optional<GgmlType> typeOf(std::string_view name) const;
    const PlannedTensor* find(std::string_view name) const;

    const std::vector<PlannedTensor>& tensors() const { return m_tensors; }
    std::size_t size() const { return m_tensors.size(); }
    int fallbackCount() const;

private:
    std::vector<PlannedTensor> m_tensors;
};

} // namespace qs::core
