target_sources(qs_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/tokenizer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unicode_classes.cpp
  ${CMAKE_CURRENT_LIST_DIR}/bpe_word_split.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tokenizer_llama2c.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tokenizer_gguf.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tokenizer_hf.cpp
  ${CMAKE_CURRENT_LIST_DIR}/llama_weights.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu_matmul.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu_type_traits.cpp
  ${CMAKE_CURRENT_LIST_DIR}/activation_rounding.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vec_dot.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vec_dot_scalar.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vec_dot_iquants.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vec_dot_iquants_avx2.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vec_dot_avx2.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vec_dot_tile_avx2.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vec_dot_tile_avx512.cpp
  ${CMAKE_CURRENT_LIST_DIR}/float_kernels_avx2.cpp
  ${CMAKE_CURRENT_LIST_DIR}/llama_context.cpp
  ${CMAKE_CURRENT_LIST_DIR}/text_input.cpp
  ${CMAKE_CURRENT_LIST_DIR}/logprob_file.cpp
  ${CMAKE_CURRENT_LIST_DIR}/perplexity.cpp
  ${CMAKE_CURRENT_LIST_DIR}/kl_divergence.cpp
  ${CMAKE_CURRENT_LIST_DIR}/throughput.cpp
  ${CMAKE_CURRENT_LIST_DIR}/eval_model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/imatrix_collector.cpp
)
# The i-quant dot products' portable and AVX2 builds return the same bits only if neither
# fuses a multiply and an add (the AVX2 file may use FMA).
# The same for the float loops of attention: cpu_matmul.cpp's portable dotProduct and
# weightedSum and their AVX2 builds.
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/vec_dot_iquants.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vec_dot_iquants_avx2.cpp ${CMAKE_CURRENT_LIST_DIR}/cpu_matmul.cpp
  ${CMAKE_CURRENT_LIST_DIR}/float_kernels_avx2.cpp PROPERTIES COMPILE_OPTIONS "-ffp-contract=off")
# GCC 12's AVX-512 intrinsics pass an undefined vector as the unused merge operand of their
# masked builtins, which -Wmaybe-uninitialized reports inside its own headers after inlining.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/vec_dot_tile_avx512.cpp PROPERTIES
    COMPILE_OPTIONS "-Wno-maybe-uninitialized")
endif()
