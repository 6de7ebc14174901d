// libFuzzer entry point for the JSON inputs a user hands to Quantscope: a Hugging Face
// config.json, a plan file and a GUI session file. The first byte picks the consumer
// (byte % 3: '0' config.json, '1' plan, '2' session, as in the seeds under
// tests/data/io/fuzz_seeds/json); the rest is the document. Every input must parse or fail
// cleanly: an exception escaping a parser is a finding too. Build with -DQS_FUZZ=ON and clang
// (docs/CONTRIBUTING.md).
#include "core/io/hf_reader.h"
#include "core/logging.h"
#include "core/model/metadata.h"
#include "core/plan/plan_json.h"
#include "ui/windows/session.h"

#include <QByteArray>
#include <QString>
#include <spdlog/spdlog.h>
#include <string>
#include <string_view>
#include <sys/mman.h>
#include <unistd.h>

namespace {

void fuzzHfConfig(const std::uint8_t* data, std::size_t size) {
    // readHfConfig() takes a path: the bytes go through an in-memory file (no disk traffic,
    // nothing left behind), opened by its /proc/self/fd path.
    static const int fd = ::memfd_create("qs_fuzz_hf_config", 0);
    static const std::string path = "/proc/self/fd/" + std::to_string(fd);
    if (fd < 0 || ::ftruncate(fd, 0) != 0 ||
        ::pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) {
        return;
    }
    qs::core::Metadata metadata;
    (void)qs::core::readHfConfig(path, metadata);
}

void fuzzPlan(const std::uint8_t* data, std::size_t size) {
    qs::core::PlanFileInfo info;
    (void)qs::core::planFromJson(std::string_view(reinterpret_cast<const char*>(data), size),
                                 "fuzz.plan.json", &info);
}

void fuzzSession(const std::uint8_t* data, std::size_t size) {
    const QByteArray json(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    (void)qs::ui::sessionFromJson(json, QStringLiteral("fuzz.session.json"));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The parsers' warnings (unusual hyperparameters, ...) would flood the fuzzer's output.
    static const bool quiet = (qs::core::coreLog().set_level(spdlog::level::off), true);
    (void)quiet;
    if (size == 0) {
        return 0;
    }
    switch (data[0] % 3) {
    case 0:
        fuzzHfConfig(data + 1, size - 1);
        break;
    case 1:
        fuzzPlan(data + 1, size - 1);
        break;
    default:
        fuzzSession(data + 1, size - 1);
        break;
    }
    return 0;
}
