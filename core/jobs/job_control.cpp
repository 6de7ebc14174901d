#include "core/jobs/job_control.h"

namespace qs::core {

void CallbackProgressSink::progress(std::uint64_t done, std::uint64_t total,
                                    const std::string& unit, const std::string& what) {
    if (m_callback) {
        m_callback(done, total, unit, what);
    }
}

} // namespace qs::core
