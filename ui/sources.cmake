# Parts of qs_ui added after the first GUI version: comparison view, settings, sessions.
target_sources(qs_ui PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/compare/comparison_table_model.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/compare/comparison_table_model.h
  ${CMAKE_CURRENT_SOURCE_DIR}/compare/compare_view.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/compare/compare_view.h
  ${CMAKE_CURRENT_SOURCE_DIR}/plots/variant_error_plot.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/plots/variant_error_plot.h
  ${CMAKE_CURRENT_SOURCE_DIR}/settings/app_settings.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/settings/app_settings.h
)
target_sources(qs_ui PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/dialogs/settings_dialog.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/dialogs/settings_dialog.h
  ${CMAKE_CURRENT_SOURCE_DIR}/windows/session.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/windows/session.h
)
# The optimizer panel of the plan editor and its sensitivity plot.
target_sources(qs_ui PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/plan/optimizer_panel.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/plan/optimizer_panel.h
  ${CMAKE_CURRENT_SOURCE_DIR}/plots/sensitivity_plot.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/plots/sensitivity_plot.h
)
# Responsiveness measurement for tests and `quantscope --stall-report`.
target_sources(qs_ui PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/jobs/stall_monitor.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/jobs/stall_monitor.h
)
# The document under the main window, the jobs' shared thread budget, the window's File menu
# work, and the command line and automation of `quantscope`.
target_sources(qs_ui PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/workspace/workspace.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/workspace/workspace.h
  ${CMAKE_CURRENT_SOURCE_DIR}/jobs/thread_budget.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/jobs/thread_budget.h
  ${CMAKE_CURRENT_SOURCE_DIR}/windows/file_actions.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/windows/file_actions.h
  ${CMAKE_CURRENT_SOURCE_DIR}/windows/model_summary.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/windows/model_summary.h
  ${CMAKE_CURRENT_SOURCE_DIR}/windows/gui_command_line.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/windows/gui_command_line.h
  ${CMAKE_CURRENT_SOURCE_DIR}/windows/automation.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/windows/automation.h
  ${CMAKE_CURRENT_SOURCE_DIR}/settings/translations.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/settings/translations.h
)
