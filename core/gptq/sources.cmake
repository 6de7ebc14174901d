target_sources(qs_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/gptq.cpp
  ${CMAKE_CURRENT_LIST_DIR}/packing.cpp
)
target_sources(qs_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/calibrate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/awq.cpp
)
target_sources(qs_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/calibrated_export.cpp
)
