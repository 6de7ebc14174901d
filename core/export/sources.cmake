target_sources(qs_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/gguf_convert.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantize_model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/file_budget.cpp
  ${CMAKE_CURRENT_LIST_DIR}/imatrix_match.cpp
)
target_sources(qs_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/quantized_checkpoint.cpp
)
