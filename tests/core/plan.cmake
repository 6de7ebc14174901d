qs_add_test(tst_llama_presets SOURCES plan/tst_llama_presets.cpp
  LIBS qs_core nlohmann_json::nlohmann_json)
target_compile_definitions(tst_llama_presets PRIVATE QS_GOLDEN_DIR="${QS_TESTS_DIR}/data/golden")

qs_add_test(tst_plan_json SOURCES plan/tst_plan_json.cpp LIBS qs_core)

qs_add_test(tst_plan_optimizer SOURCES plan/tst_plan_optimizer.cpp LIBS qs_core)
qs_add_test(tst_plan_sensitivity SOURCES plan/tst_plan_sensitivity.cpp LIBS qs_core)
