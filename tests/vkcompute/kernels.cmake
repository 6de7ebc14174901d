qs_add_test(tst_chunk_plan SOURCES tst_chunk_plan.cpp LIBS qs_vkcompute)
qs_add_test(tst_cpu_backend SOURCES tst_cpu_backend.cpp backend_test_data.cpp LIBS qs_vkcompute)
qs_add_test(tst_vk_kernels SOURCES tst_vk_kernels.cpp backend_test_data.cpp LIBS qs_vkcompute VULKAN)
qs_add_test(tst_packed_kernels SOURCES tst_packed_kernels.cpp backend_test_data.cpp
  packed_test_data.cpp LIBS qs_vkcompute VULKAN)
qs_add_test(tst_packed_chunk_plan SOURCES tst_packed_chunk_plan.cpp LIBS qs_vkcompute)
qs_add_test(tst_vk_matmul SOURCES tst_vk_matmul.cpp backend_test_data.cpp LIBS qs_vkcompute VULKAN)
