target_sources(qs_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/compute_backend.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu_backend.cpp
  ${CMAKE_CURRENT_LIST_DIR}/packed_linear.cpp
  ${CMAKE_CURRENT_LIST_DIR}/packed_cpu.cpp
  ${CMAKE_CURRENT_LIST_DIR}/matvec_accuracy.cpp
)
