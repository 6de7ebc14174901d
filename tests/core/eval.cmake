# Evaluation engine (core/eval): tokenizers, forward pass, perplexity/KLD, throughput.
# Data: tests/data/eval (reference ids and golden figures) and the bundled models in resources/;
# ../shared/golden (llama.cpp's own quantized files) adds checks when present.
foreach(unit tokenizer llama_forward arch_forward perplexity imatrix_collect preset_quality eval_text)
  qs_add_test(tst_${unit} SOURCES eval/tst_${unit}.cpp eval/eval_test_data.h
    LIBS qs_core nlohmann_json::nlohmann_json)
  target_compile_definitions(tst_${unit} PRIVATE QS_EVAL_DATA_DIR="${QS_TESTS_DIR}/data/eval"
    QS_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
endforeach()
# Sanitized: the error paths, KLD with its cache, throughput and the imatrix writers; whole-text
# perplexity, imatrix collection and the preset table run only in the plain build.
qs_sanitized_subset(tst_perplexity tooShortTextIsAnError kldAgainstItselfAndCache
                    throughputReturnsFigures)
qs_sanitized_subset(tst_imatrix_collect writersReproduceLlamaImatrixBytes tooShortTextIsAnError)
qs_sanitized_subset(tst_preset_quality)
qs_sanitized_subset(tst_arch_forward f16MatchesLlamaCpp unknownArchitectureIsNamed
                    tensorNotFittingTheFamilyIsNamed)

# Byte-level BPE: pre-tokenizers against their expressions, merges, both loaders; no data.
qs_add_test(tst_bpe_tokenizer SOURCES eval/tst_bpe_tokenizer.cpp
  LIBS qs_core nlohmann_json::nlohmann_json)

# Fused quantized dot products: no model files, only the kernels against a reference.
qs_add_test(tst_vec_dot SOURCES eval/tst_vec_dot.cpp LIBS qs_core)
# The CPU traits table behind the fused kernels: ggml's vec_dot_types, complete rows.
qs_add_test(tst_cpu_type_traits SOURCES eval/tst_cpu_type_traits.cpp LIBS qs_core)
