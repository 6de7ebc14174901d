set(QS_QUANT_KERNEL_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/quant_plain.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quant_search.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quant_legacy.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quant_kquants.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quant_iq4.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quant_iq3.cpp
  ${CMAKE_CURRENT_LIST_DIR}/iq_grids_3bit.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quant_iq2.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quant_iq1.cpp
  ${CMAKE_CURRENT_LIST_DIR}/iq2_search_tables.cpp
  ${CMAKE_CURRENT_LIST_DIR}/iq_grids_2bit.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quant_ternary.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quant_mxfp4.cpp
  ${CMAKE_CURRENT_LIST_DIR}/block_grid.cpp
)
target_sources(qs_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/ggml_type.cpp
  ${CMAKE_CURRENT_LIST_DIR}/format_registry.cpp
  ${CMAKE_CURRENT_LIST_DIR}/error_metrics.cpp
  ${CMAKE_CURRENT_LIST_DIR}/data_validation.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantized_linear.cpp
  ${CMAKE_CURRENT_LIST_DIR}/packing.cpp
  ${QS_QUANT_KERNEL_SOURCES}
)
# Bit-exactness with ggml's plain-C reference: no fused multiply-add contraction, no
# reassociation. GCC contracts by default in GNU modes; say it explicitly so that a change of
# CMAKE_CXX_EXTENSIONS or -march=native cannot silently change quantized bytes.
# -Wno-psabi: the SIMD-lane vectors (quant_lanes.h) never cross a call, so GCC's note about
# the AVX vector-passing ABI, printed at -O0, does not apply.
set_source_files_properties(${QS_QUANT_KERNEL_SOURCES} PROPERTIES
  COMPILE_OPTIONS "-ffp-contract=off;-fno-fast-math;-Wno-psabi")
# The error metrics' AVX2 and baseline builds sum the same lanes with the same operations; no
# contraction keeps their results identical (error_metrics.cpp).
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/error_metrics.cpp PROPERTIES
  COMPILE_OPTIONS "-ffp-contract=off;-fno-fast-math")
