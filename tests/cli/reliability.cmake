# Full-disk behaviour of the CLI and the `bench all` document (tst_cli_reliability.cpp).
qs_add_test(tst_cli_reliability SOURCES tst_cli_reliability.cpp LIBS qs_core VULKAN)
target_compile_definitions(tst_cli_reliability PRIVATE QS_CLI_PATH="$<TARGET_FILE:quantscope-cli>")
add_dependencies(tst_cli_reliability quantscope-cli)
