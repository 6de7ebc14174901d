#include "core/plan/quant_plan.h"

#include <algorithm>

namespace qs::core {

void QuantPlan::set(std::string name, GgmlType type, bool fellBack) {
    for (auto& t : m_tensors) {
        if (t.name == name) {
            t.type = type;
            t.fellBack = fellBack;
            return;
        }
    }
    m_tensors.push_back(PlannedTensor{std::move(name), type, fellBack});
}

const PlannedTensor* QuantPlan::find(std::string_view name) const {
    const auto it = std::find_if(m_tensors.begin(), m_tensors.end(),
                                 [&](const PlannedTensor& t) { return t.name == name; });
    return it == m_tensors.end() ? nullptr : &*it;
}

std::optional<GgmlType> QuantPlan::typeOf(std::string_view name) const {
    const auto* t = find(name);
    return t ? std::optional<GgmlType>(t->type) : std::nullopt;
}

int QuantPlan::fallbackCount() const {
    return static_cast<int>(std::count_if(m_tensors.begin(), m_tensors.end(),
                                          [](const auto& t) { return t.fellBack; }));
}

} // namespace qs::core
