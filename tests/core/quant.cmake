qs_add_test(tst_ggml_type SOURCES quant/tst_ggml_type.cpp LIBS qs_core)
