# Export (core/export): reliability of the writers under cancel, a full disk, and input
# checksums (tests/core/export/tst_reliability.cpp; also built under ThreadSanitizer in CI).
qs_add_test(tst_reliability SOURCES export/tst_reliability.cpp LIBS qs_core)

# llama-quantize's presets, plain and with llama-imatrix's file, on one model per architecture
# family in ../shared/golden/arch (the MoE families' imatrix holds one slice per expert).
qs_add_test(tst_quantize_arch_golden SOURCES export/tst_quantize_arch_golden.cpp
  LIBS qs_core nlohmann_json::nlohmann_json)
target_compile_definitions(tst_quantize_arch_golden PRIVATE
  QS_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")

# The metadata of quantized GGUFs as llama-quantize writes it (split keys, imatrix keys).
qs_add_test(tst_quantize_metadata SOURCES export/tst_quantize_metadata.cpp LIBS qs_core)
