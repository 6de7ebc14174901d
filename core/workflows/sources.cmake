target_sources(qs_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/compare_variants.cpp
  ${CMAKE_CURRENT_LIST_DIR}/kld_calibration.cpp
  ${CMAKE_CURRENT_LIST_DIR}/calibrated_export.cpp
)
