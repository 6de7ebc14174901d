target_sources(qs_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/architecture.cpp
  ${CMAKE_CURRENT_LIST_DIR}/metadata.cpp
  ${CMAKE_CURRENT_LIST_DIR}/model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hparams_check.cpp
  ${CMAKE_CURRENT_LIST_DIR}/data_scan.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tensor_role.cpp
)
