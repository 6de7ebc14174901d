target_sources(qs_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/job_control.cpp
  ${CMAKE_CURRENT_LIST_DIR}/thread_pool.cpp
)
