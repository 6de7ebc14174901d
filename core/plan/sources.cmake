target_sources(qs_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/quant_plan.cpp
  ${CMAKE_CURRENT_LIST_DIR}/model_plan.cpp
  ${CMAKE_CURRENT_LIST_DIR}/llama_presets.cpp
  ${CMAKE_CURRENT_LIST_DIR}/plan_json.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sensitivity.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sensitivity_cache.cpp
  ${CMAKE_CURRENT_LIST_DIR}/optimizer.cpp
)
