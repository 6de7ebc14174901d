target_sources(qs_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/ggml_type.cpp
)
