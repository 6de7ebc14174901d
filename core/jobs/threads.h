#pragma once

namespace qs::core {
int effectiveThreads(int requested);
}
