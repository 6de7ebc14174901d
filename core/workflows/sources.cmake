# Workflows: path-taking compositions of the algorithm modules that the CLI and the GUI share.
target_sources(qs_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/calibrated_export.cpp
  ${CMAKE_CURRENT_LIST_DIR}/calibrated_export_job.cpp
  ${CMAKE_CURRENT_LIST_DIR}/calibrated_gguf.cpp
  ${CMAKE_CURRENT_LIST_DIR}/compare.cpp
  ${CMAKE_CURRENT_LIST_DIR}/compare_variants.cpp
  ${CMAKE_CURRENT_LIST_DIR}/evaluate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/imatrix_collection.cpp
  ${CMAKE_CURRENT_LIST_DIR}/inputs.cpp
  ${CMAKE_CURRENT_LIST_DIR}/kld_calibrate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/kld_calibration.cpp
  ${CMAKE_CURRENT_LIST_DIR}/policy.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantize_plan.cpp
)
