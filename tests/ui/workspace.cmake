# The Workspace driven without a window (issue 17).
qs_add_test(tst_workspace SOURCES tst_workspace.cpp LIBS qs_ui GUI)
