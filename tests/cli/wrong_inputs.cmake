# The corpus of well-formed but wrong inputs (issue 24): each case a CLI command with the exit
# code and message it must give and no output left; the files live in tests/data/wrong.
# VULKAN as the other CLI tests: a command may open a device, and Mesa's instance leak would
# fail the sanitized run's exit-time leak check (tests/CMakeLists.txt); ASan/UBSan stay on.
qs_add_test(tst_cli_wrong_inputs SOURCES tst_cli_wrong_inputs.cpp wrong_inputs.cpp
  LIBS qs_core nlohmann_json::nlohmann_json VULKAN)
target_compile_definitions(tst_cli_wrong_inputs PRIVATE
  QS_CLI_PATH="$<TARGET_FILE:quantscope-cli>"
  QS_WRONG_CORPUS_DIR="${QS_TESTS_DIR}/data/wrong")
add_dependencies(tst_cli_wrong_inputs quantscope-cli)
