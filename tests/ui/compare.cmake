qs_add_test(tst_compare SOURCES tst_compare.cpp LIBS qs_ui GUI)
qs_add_test(tst_session SOURCES tst_session.cpp LIBS qs_ui GUI)
