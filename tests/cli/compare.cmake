# `quantscope-cli compare --variants` (issue 8): checkpoint folders and files as variants.
qs_add_test(tst_cli_compare SOURCES tst_cli_compare.cpp LIBS qs_core)
target_compile_definitions(tst_cli_compare PRIVATE QS_CLI_PATH="$<TARGET_FILE:quantscope-cli>")
add_dependencies(tst_cli_compare quantscope-cli)
