qs_add_test(tst_cli_io SOURCES tst_cli_io.cpp LIBS qs_core)
target_compile_definitions(tst_cli_io PRIVATE
  QS_CLI_PATH="$<TARGET_FILE:quantscope-cli>"
  QS_IO_DATA_DIR="${QS_TESTS_DIR}/data/io")
add_dependencies(tst_cli_io quantscope-cli)
