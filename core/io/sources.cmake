target_sources(qs_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/atomic_file.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mapped_file.cpp
  ${CMAKE_CURRENT_LIST_DIR}/utf8.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gguf_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/llama2c_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/safetensors_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hf_names.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hf_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hf_tokenizer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/model_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/synthetic_model.cpp
)
target_sources(qs_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/quantized_import.cpp
)
