target_sources(qs_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/job_control.cpp
  ${CMAKE_CURRENT_LIST_DIR}/thread_pool.cpp
  ${CMAKE_CURRENT_LIST_DIR}/threads.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parallel_for.cpp
)
