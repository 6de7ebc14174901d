# Model I/O tests. Their data lives in tests/data/io (copied into the repository so that CI
# needs nothing outside it); ../shared/models adds larger checks when present.
foreach(test tst_gguf_reader tst_gguf_writer tst_model_import tst_hostile_files)
  set(extra_sources "")
  if(test STREQUAL "tst_hostile_files")
    set(extra_sources io/hostile_corpus.cpp)
  endif()
  qs_add_test(${test} SOURCES io/${test}.cpp ${extra_sources} LIBS qs_core)
  target_compile_definitions(${test} PRIVATE
    QS_IO_DATA_DIR="${QS_TESTS_DIR}/data/io"
    QS_SHARED_MODELS_DIR="${PROJECT_SOURCE_DIR}/../shared/models")
endforeach()

# libFuzzer targets for the GGUF and safetensors parsers: cmake -DQS_FUZZ=ON with clang++.
option(QS_FUZZ "Build libFuzzer targets for the model parsers (needs clang)" OFF)
if(QS_FUZZ AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  foreach(target fuzz_gguf fuzz_safetensors)
    add_executable(${target} io/${target}.cpp)
    target_link_libraries(${target} PRIVATE qs_core)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
  endforeach()
endif()
