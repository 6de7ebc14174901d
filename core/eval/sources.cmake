target_sources(qs_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/tokenizer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tokenizer_llama2c.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tokenizer_gguf.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tokenizer_hf.cpp
  ${CMAKE_CURRENT_LIST_DIR}/thread_pool.cpp
  ${CMAKE_CURRENT_LIST_DIR}/llama_weights.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu_matmul.cpp
  ${CMAKE_CURRENT_LIST_DIR}/activation_rounding.cpp
  ${CMAKE_CURRENT_LIST_DIR}/llama_context.cpp
  ${CMAKE_CURRENT_LIST_DIR}/text_input.cpp
  ${CMAKE_CURRENT_LIST_DIR}/logprob_file.cpp
  ${CMAKE_CURRENT_LIST_DIR}/perplexity.cpp
  ${CMAKE_CURRENT_LIST_DIR}/kl_divergence.cpp
  ${CMAKE_CURRENT_LIST_DIR}/throughput.cpp
  ${CMAKE_CURRENT_LIST_DIR}/eval_model.cpp
)
