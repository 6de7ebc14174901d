target_sources(qs_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/gptq.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ggml_rounding.cpp
)
target_sources(qs_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/calibrate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/awq.cpp
)
