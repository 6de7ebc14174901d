#pragma once

#include <string>
#include <string_view>
#include <vector>

// The rules tst_layer_check applies to one source file: the layer order inside core and the
// places where threads may be started. Kept apart from the tree walk so that the test can also
// feed them offending text and see them fail.
namespace qs::test {

// The folders of core, bottom up. A file may include its own folder, any folder below it and
// the files directly in core/ (error.h, logging.h, paths.h, try.h, version.h), which include
// no folder themselves. docs/architecture.md says what belongs in each.
const std::vector<std::string>& coreLayers();

// "fs < jobs < ... < workflows", for messages.
std::string layerOrderText();

struct Violation {
    std::string file; // relative to the repository root, '/'-separated
    int line = 0;     // 1-based
    std::string what;

    std::string toString() const;
};

// Includes of a file under core/: every "core/<folder>/..." include must not point up the
// layer order, and core includes no ui/, vkcompute/ or app/ header, no Qt and no Vulkan.
std::vector<Violation> checkCoreIncludes(std::string_view path, std::string_view text);

// Threads are started only in core/jobs (the parallel loops and the pool under them) and in
// ui/jobs (the GUI's job runner on the QThreadPool): anywhere else std::thread, std::jthread,
// std::async, pthread_create, QThreadPool, QThread::create or QtConcurrent is a violation.
// Comments and string literals are not read.
std::vector<Violation> checkThreads(std::string_view path, std::string_view text);

} // namespace qs::test
