qs_add_test(tst_cli_gptq SOURCES tst_cli_gptq.cpp LIBS qs_core)
target_compile_definitions(tst_cli_gptq PRIVATE QS_CLI_PATH="$<TARGET_FILE:quantscope-cli>")
add_dependencies(tst_cli_gptq quantscope-cli)
# Sanitized: the GPTQ export and its evaluation, the usage errors and the (RTN) format choice
# (AWQ: the plain build).
qs_sanitized_subset(tst_cli_gptq gptqThenEval usageErrors dampingOutsideOpenUnitInterval
                    helpNamesLoadersAndRanges asymmetricIsWrittenAsV2)
