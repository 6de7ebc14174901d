qs_add_test(tst_ggml_type SOURCES quant/tst_ggml_type.cpp LIBS qs_core)
qs_add_test(tst_format_registry SOURCES quant/tst_format_registry.cpp LIBS qs_core)
qs_add_test(tst_error_metrics SOURCES quant/tst_error_metrics.cpp LIBS qs_core)
# The IQ3 code books generated from ggml's compact tables, against ggml-common.h's checksums.
qs_add_test(tst_iq3_grids SOURCES quant/tst_iq3_grids.cpp LIBS qs_core)
# The i-quant code books generated from ggml's compact grids, against checksums of upstream's.
qs_add_test(tst_iq_grids SOURCES quant/tst_iq_grids.cpp LIBS qs_core)

# Golden data made by llama.cpp lives in tests/data/golden (qs_add_test's QS_TEST_DATA_DIR
# resolves to tests/core/data for tests registered from this directory).
set(QS_GOLDEN_DIR "${QS_TESTS_DIR}/data/golden")

qs_add_test(tst_quant_golden SOURCES quant/tst_quant_golden.cpp
  LIBS qs_core nlohmann_json::nlohmann_json)
target_compile_definitions(tst_quant_golden PRIVATE QS_GOLDEN_DIR="${QS_GOLDEN_DIR}")

# The SIMD-lane searches against the scalar ones, on random and degenerate groups.
qs_add_test(tst_quant_lanes SOURCES quant/tst_quant_lanes.cpp LIBS qs_core)

# ggml_validate_row_data's checks: finite values and block scales for every type.
qs_add_test(tst_data_validation SOURCES quant/tst_data_validation.cpp LIBS qs_core)
