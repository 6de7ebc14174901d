# Architecture families from the command line (issues 18 and 19): eval/compare against
# llama.cpp's saved distributions, synth of every family, quantize --imatrix-missing.
qs_add_test(tst_cli_arch SOURCES tst_cli_arch.cpp LIBS qs_core)
target_compile_definitions(tst_cli_arch PRIVATE QS_CLI_PATH="$<TARGET_FILE:quantscope-cli>"
  QS_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
add_dependencies(tst_cli_arch quantscope-cli)
