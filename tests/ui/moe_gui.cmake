# Issue 19: the GUI's views of a mixture-of-experts model (tensor tree, plan grid, memory plot).
qs_add_test(tst_moe_gui SOURCES tst_moe_gui.cpp LIBS qs_ui QCustomPlotQt6::QCustomPlotQt6 GUI)
target_compile_definitions(tst_moe_gui PRIVATE QS_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
