# Export (core/export): reliability of the writers under cancel, a full disk, and input
# checksums (tests/core/export/tst_reliability.cpp; also built under ThreadSanitizer in CI).
qs_add_test(tst_reliability SOURCES export/tst_reliability.cpp LIBS qs_core)
# The metadata of quantized GGUFs as llama-quantize writes it (split keys, imatrix keys).
qs_add_test(tst_quantize_metadata SOURCES export/tst_quantize_metadata.cpp LIBS qs_core)
