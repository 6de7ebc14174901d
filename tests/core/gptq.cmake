# Calibrated quantization (core/gptq, core/export/quantized_checkpoint, core/io import).
# Data: tests/data/gptq (a 20 kB calibration excerpt of tinyshakespeare, the shakespeare-3M
# tokenizer files) and resources/models/shakespeare-3M-f16.gguf.
foreach(unit gptq_core gptq_checkpoint ggml_rounding calibrated_gguf)
  qs_add_test(tst_${unit} SOURCES gptq/tst_${unit}.cpp
    LIBS qs_core nlohmann_json::nlohmann_json)
endforeach()
# The mixture-of-experts case reads ../shared/golden/arch/qwen3moe when it is there.
target_compile_definitions(tst_calibrated_gguf PRIVATE
  QS_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
# Sanitized: cancel at every stage; the round trips calibrate whole models (3 minutes sanitized).
qs_sanitized_subset(tst_gptq_checkpoint cancelLeavesNothing)
