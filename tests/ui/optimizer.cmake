qs_add_test(tst_optimizer_panel SOURCES tst_optimizer_panel.cpp
  LIBS qs_ui QCustomPlotQt6::QCustomPlotQt6 GUI)
