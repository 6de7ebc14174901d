# `bench quant` rows and its end-to-end run (tst_cli_bench_quant.cpp).
qs_add_test(tst_cli_bench_quant SOURCES tst_cli_bench_quant.cpp LIBS qs_core)
target_compile_definitions(tst_cli_bench_quant PRIVATE QS_CLI_PATH="$<TARGET_FILE:quantscope-cli>")
add_dependencies(tst_cli_bench_quant quantscope-cli)
