target_sources(qs_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/gguf_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gguf_writer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/llama2c_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/safetensors_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/safetensors_writer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hf_names.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hf_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hf_tokenizer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hf_pre_tokenizers.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hf_tokenizer_writer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/model_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/synthetic_model.cpp
)
target_sources(qs_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/quantized_import.cpp
)
# Importance-matrix files, both ways (llama-imatrix's GGUF and legacy .dat).
target_sources(qs_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/imatrix.cpp
  ${CMAKE_CURRENT_LIST_DIR}/imatrix_writer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/imatrix_coverage.cpp
)
