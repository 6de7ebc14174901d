qs_add_test(tst_cli_plan SOURCES tst_cli_plan.cpp LIBS qs_core)
target_compile_definitions(tst_cli_plan PRIVATE QS_CLI_PATH="$<TARGET_FILE:quantscope-cli>")
add_dependencies(tst_cli_plan quantscope-cli)
