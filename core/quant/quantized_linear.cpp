#include "core/quant/quantized_linear.h"

namespace qs::core {

std::vector<float> QuantizedLinear::dequantize() const {
    std::vector<float> out(static_cast<std::size_t>(rows) * cols);
    for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < cols; ++c) {
            const std::size_t gi = static_cast<std::size_t>(gIdx[c]) * rows + r;
            out[static_cast<std::size_t>(r) * cols + c] =
                scales[gi] *
                static_cast<float>(static_cast<int>(q[static_cast<std::size_t>(r) * cols + c]) -
                                   zeros[gi]);
        }
    }
    return out;
}

} // namespace qs::core
