target_sources(quantscope-cli PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/cmd_bench.cpp
  ${CMAKE_CURRENT_LIST_DIR}/bench_packed.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cmd_bench_quant.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cmd_bench_all.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cmd_inspect.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cmd_convert.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cmd_quantize.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cmd_eval.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cli_device.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cmd_imatrix.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cmd_compare.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cmd_synth.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cmd_gptq.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cmd_awq.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cmd_plan.cpp
)
