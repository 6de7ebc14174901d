# Model I/O tests. Their data lives in tests/data/io (copied into the repository so that CI
# needs nothing outside it); ../shared/models adds larger checks when present.
foreach(test tst_gguf_reader tst_gguf_writer tst_model_import tst_hostile_files
             tst_synthetic_model)
  set(extra_sources "")
  if(test STREQUAL "tst_hostile_files")
    set(extra_sources io/hostile_corpus.cpp)
  endif()
  qs_add_test(${test} SOURCES io/${test}.cpp ${extra_sources} LIBS qs_core)
  target_compile_definitions(${test} PRIVATE
    QS_IO_DATA_DIR="${QS_TESTS_DIR}/data/io"
    QS_SHARED_MODELS_DIR="${PROJECT_SOURCE_DIR}/../shared/models")
endforeach()

# libFuzzer targets for the GGUF and safetensors parsers, kept out of the default build:
#   CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DQS_FUZZ=ON -DQS_BUILD_GUI=OFF
#   cmake --build build-fuzz --target fuzz_gguf fuzz_safetensors
# qs_core gets coverage instrumentation (fuzzer-no-link) plus ASan/UBSan so that libFuzzer
# sees the parsers' branches; see CONTRIBUTING.md for the run command.
option(QS_FUZZ "Build libFuzzer targets for the model parsers (needs clang)" OFF)
if(QS_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "QS_FUZZ needs clang++ (configure with CXX=clang++)")
  endif()
  set(qs_fuzz_flags -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                    -fno-omit-frame-pointer -g)
  target_compile_options(qs_core PRIVATE ${qs_fuzz_flags})
  foreach(target fuzz_gguf fuzz_safetensors)
    add_executable(${target} io/${target}.cpp)
    target_link_libraries(${target} PRIVATE qs_core)
    target_compile_options(${target} PRIVATE ${qs_fuzz_flags})
    target_link_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
  endforeach()
endif()
