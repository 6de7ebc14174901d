# Model I/O tests. Their data lives in tests/data/io (copied into the repository so that CI
# needs nothing outside it); ../shared/models adds larger checks when present.
foreach(test tst_gguf_reader tst_gguf_writer tst_model_import tst_hostile_files
             tst_synthetic_model tst_hf_families)
  set(extra_sources "")
  if(test STREQUAL "tst_hostile_files")
    set(extra_sources io/hostile_corpus.cpp)
  endif()
  qs_add_test(${test} SOURCES io/${test}.cpp ${extra_sources} LIBS qs_core)
  target_compile_definitions(${test} PRIVATE
    QS_IO_DATA_DIR="${QS_TESTS_DIR}/data/io"
    QS_SHARED_MODELS_DIR="${PROJECT_SOURCE_DIR}/../shared/models")
endforeach()

# Importance-matrix files (core/io/imatrix*): llama-imatrix's GGUF and .dat files, read back.
qs_add_test(tst_imatrix SOURCES io/tst_imatrix.cpp LIBS qs_core)
target_compile_definitions(tst_imatrix PRIVATE QS_GOLDEN_DIR="${QS_TESTS_DIR}/data/golden")

# libFuzzer targets for the model parsers (GGUF, safetensors), the importance-matrix readers
# and the JSON inputs (config.json, plans, GUI sessions), kept out of the default build:
#   ./packaging/install-deps.sh --fuzz
#   CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DQS_FUZZ=ON -DQS_BUILD_GUI=OFF
#   cmake --build build-fuzz --target fuzz_gguf fuzz_safetensors fuzz_imatrix fuzz_json_inputs
# The parsers' sources are compiled once more into small libraries with coverage
# instrumentation (fuzzer-no-link) and ASan/UBSan, so that a fuzz build compiles a few dozen
# files rather than all of qs_core. docs/CONTRIBUTING.md has the run command.
option(QS_FUZZ "Build libFuzzer targets for the file and JSON parsers (needs clang)" OFF)
if(QS_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "QS_FUZZ needs clang++ (configure with CXX=clang++)")
  endif()
  set(qs_fuzz_flags -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
                    -fno-sanitize-recover=undefined)
  add_library(qs_fuzz_parsers STATIC EXCLUDE_FROM_ALL
    ${PROJECT_SOURCE_DIR}/core/error.cpp
    ${PROJECT_SOURCE_DIR}/core/io/gguf_reader.cpp
    ${PROJECT_SOURCE_DIR}/core/fs/mapped_file.cpp
    ${PROJECT_SOURCE_DIR}/core/io/safetensors_reader.cpp
    ${PROJECT_SOURCE_DIR}/core/fs/utf8.cpp
    ${PROJECT_SOURCE_DIR}/core/model/metadata.cpp
    ${PROJECT_SOURCE_DIR}/core/model/model.cpp
    ${PROJECT_SOURCE_DIR}/core/model/tensor_role.cpp
    ${PROJECT_SOURCE_DIR}/core/quant/ggml_type.cpp)
  target_include_directories(qs_fuzz_parsers PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(qs_fuzz_parsers PRIVATE nlohmann_json::nlohmann_json)
  target_compile_options(qs_fuzz_parsers PRIVATE ${qs_fuzz_flags})
  set_target_properties(qs_fuzz_parsers PROPERTIES AUTOMOC OFF)
  # What the importance-matrix readers and the JSON parsers add on top: imatrix.cpp (over the
  # GGUF reader), hf_reader.cpp with the files it links against (tokenizer, GPTQ/AWQ import and
  # dequantization, hyperparameter checks), plan_json.cpp, and logging.cpp for their warnings.
  add_library(qs_fuzz_inputs STATIC EXCLUDE_FROM_ALL
    ${PROJECT_SOURCE_DIR}/core/fs/atomic_file.cpp
    ${PROJECT_SOURCE_DIR}/core/io/hf_names.cpp
    ${PROJECT_SOURCE_DIR}/core/io/hf_reader.cpp
    ${PROJECT_SOURCE_DIR}/core/io/hf_tokenizer.cpp
    ${PROJECT_SOURCE_DIR}/core/io/bpe_pre_tokenizer.cpp
    ${PROJECT_SOURCE_DIR}/core/io/quantized_import.cpp
    ${PROJECT_SOURCE_DIR}/core/logging.cpp
    ${PROJECT_SOURCE_DIR}/core/model/hparams_check.cpp
    ${PROJECT_SOURCE_DIR}/core/plan/plan_json.cpp
    ${PROJECT_SOURCE_DIR}/core/plan/quant_plan.cpp
    ${PROJECT_SOURCE_DIR}/core/io/imatrix.cpp
    ${PROJECT_SOURCE_DIR}/core/quant/packing.cpp
    ${PROJECT_SOURCE_DIR}/core/quant/quantized_linear.cpp)
  target_link_libraries(qs_fuzz_inputs PUBLIC qs_fuzz_parsers spdlog::spdlog
                                        PRIVATE nlohmann_json::nlohmann_json)
  target_compile_options(qs_fuzz_inputs PRIVATE ${qs_fuzz_flags})
  set_target_properties(qs_fuzz_inputs PROPERTIES AUTOMOC OFF)
  foreach(target fuzz_gguf fuzz_safetensors fuzz_imatrix fuzz_json_inputs)
    add_executable(${target} EXCLUDE_FROM_ALL io/${target}.cpp)
    if(target MATCHES "^fuzz_(gguf|safetensors)$")
      target_link_libraries(${target} PRIVATE qs_fuzz_parsers)
    else()
      target_link_libraries(${target} PRIVATE qs_fuzz_inputs)
    endif()
    target_compile_options(${target} PRIVATE ${qs_fuzz_flags})
    target_link_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
    set_target_properties(${target} PROPERTIES AUTOMOC OFF)
  endforeach()
  # The GUI session parser needs QtCore only (QJsonDocument), so it is fuzzed in the headless
  # build too: session.cpp is compiled into the target itself, against Qt6::Core.
  target_sources(fuzz_json_inputs PRIVATE ${PROJECT_SOURCE_DIR}/ui/windows/session.cpp)
  target_link_libraries(fuzz_json_inputs PRIVATE Qt6::Core)
endif()
# Sanitized: the conversions only; GPTQ/AWQ calibration of whole models runs in the plain build.
qs_sanitized_subset(tst_hf_families convertsToTheGoldenGguf)
