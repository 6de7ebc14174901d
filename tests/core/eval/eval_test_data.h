#pragma once

// Paths and JSON loading shared by the core/eval tests.

#include <QTest>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace qs::test {

inline std::string evalData(const std::string& name) {
    return std::string(QS_EVAL_DATA_DIR) + "/" + name;
}
inline std::string resource(const std::string& name) {
    return std::string(QS_RESOURCES_DIR) + "/" + name;
}
inline nlohmann::json loadJson(const std::string& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}
// Golden files of the shared reference data beside the checkout (../shared, from CMake); CI
// lacks that folder and the tests using it skip.
inline std::string sharedGolden(const std::string& name) {
    return std::string(QS_SHARED_DIR) + "/golden/" + name;
}

} // namespace qs::test
